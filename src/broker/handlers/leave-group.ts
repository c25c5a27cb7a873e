// LeaveGroup (key 13), v0-5. v0-2 name one member; v3+ a batch of members by member id or
// static instance id (KIP-345), each with its own error; v5 a reason.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { LeaveGroupRequest } from '../../protocol/generated/leave-group-request.js';
import type { LeaveGroupResponseInput } from '../../protocol/generated/leave-group-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';

export const leaveGroupHandler = defineHandler<LeaveGroupRequest, LeaveGroupResponseInput>({
  apiKey: ApiKey.LeaveGroup,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, req) {
    const coordinator = ctx.broker.groups;
    const leaving = ctx.apiVersion >= 3 ? req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: m.reason })) : [{ memberId: req.memberId, groupInstanceId: null, reason: null }];
    const answer = (errorCode: number, members: { memberId: string; groupInstanceId: string | null; errorCode: number }[]) => ({
      throttleTimeMs: 0,
      errorCode,
      members: ctx.apiVersion >= 3 ? members : [],
    });
    const problem = req.groupId === '' ? ErrorCode.INVALID_GROUP_ID : coordinator.check(req.groupId);
    if (problem !== ErrorCode.NONE) return answer(problem, []);
    const g = coordinator.entry(req.groupId);
    if (!g?.classic) return answer(ErrorCode.UNKNOWN_MEMBER_ID, leaving.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })));
    const { response, output } = g.classic.leave(ctx.nowMs, { members: leaving });
    coordinator.release(g, output);
    // v0-2 have no per-member errors: the one member's error is the top-level one.
    const top = ctx.apiVersion >= 3 ? response.errorCode : (response.members[0]?.errorCode ?? response.errorCode);
    return answer(top, response.members);
  },
});
