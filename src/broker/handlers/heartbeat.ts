// Heartbeat (key 12), v0-4: keeps a classic member's session alive and tells it when a
// rebalance has started (REBALANCE_IN_PROGRESS). v3+ carry the static instance id.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { HeartbeatRequest } from '../../protocol/generated/heartbeat-request.js';
import type { HeartbeatResponseInput } from '../../protocol/generated/heartbeat-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';

export const heartbeatHandler = defineHandler<HeartbeatRequest, HeartbeatResponseInput>({
  apiKey: ApiKey.Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req) {
    const coordinator = ctx.broker.groups;
    const problem = req.groupId === '' ? ErrorCode.INVALID_GROUP_ID : coordinator.check(req.groupId);
    if (problem !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: problem };
    const g = coordinator.entry(req.groupId);
    if (!g?.classic) return { throttleTimeMs: 0, errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
    const { errorCode } = g.classic.heartbeat(ctx.nowMs, { memberId: req.memberId, generationId: req.generationId, groupInstanceId: req.groupInstanceId });
    return { throttleTimeMs: 0, errorCode };
  },
});
