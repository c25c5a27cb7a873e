// SyncGroup (key 14), v0-5. The leader sends the assignment; everyone (leader included) gets
// their own part once it has arrived, so followers' requests may be parked. v3+ carry the
// static instance id, v5+ the protocol type and name (checked against the group's).

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { SyncGroupRequest } from '../../protocol/generated/sync-group-request.js';
import type { SyncGroupResponseInput } from '../../protocol/generated/sync-group-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { SyncResponse } from '../../group/classic/index.js';
import { defineHandler } from './handler.js';

const EMPTY = Buffer.alloc(0);

export const syncGroupHandler = defineHandler<SyncGroupRequest, SyncGroupResponseInput>({
  apiKey: ApiKey.SyncGroup,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, req) {
    const coordinator = ctx.broker.groups;
    let response: SyncResponse;
    const problem = req.groupId === '' ? ErrorCode.INVALID_GROUP_ID : coordinator.check(req.groupId);
    const g = coordinator.entry(req.groupId);
    if (problem !== ErrorCode.NONE) response = { errorCode: problem, protocolType: null, protocolName: null, assignment: EMPTY };
    else if (!g?.classic) response = { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, protocolType: null, protocolName: null, assignment: EMPTY };
    else {
      const group = g.classic;
      response = await coordinator.park<SyncResponse>(
        (requestId) =>
          group.sync(ctx.nowMs, {
            requestId,
            memberId: req.memberId,
            generationId: req.generationId,
            groupInstanceId: req.groupInstanceId,
            protocolType: ctx.apiVersion >= 5 ? req.protocolType : null,
            protocolName: ctx.apiVersion >= 5 ? req.protocolName : null,
            assignments: req.assignments,
          }),
        g,
      );
    }
    return {
      throttleTimeMs: 0,
      errorCode: response.errorCode,
      protocolType: ctx.apiVersion >= 5 ? response.protocolType : undefined,
      protocolName: ctx.apiVersion >= 5 ? response.protocolName : undefined,
      assignment: response.assignment,
    };
  },
});
