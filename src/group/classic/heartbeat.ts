// Heartbeat for a classic group, after Kafka's classicGroupHeartbeatToClassicGroup.
//
// Version notes: v3+ carry groupInstanceId (KIP-345). The answer is immediate: NONE while the
// generation is current (CompletingRebalance or Stable), REBALANCE_IN_PROGRESS while the group
// is gathering members (the member must send JoinGroup), ILLEGAL_GENERATION for a past
// generation, UNKNOWN_MEMBER_ID for strangers and FENCED_INSTANCE_ID for a replaced static member.
// Any accepted heartbeat restarts the member's session.

import { ErrorCode } from '../../protocol/errors.js';
import type { GroupCore } from './group-core.js';
import type { HeartbeatRequest } from './types.js';

export function handleHeartbeat(core: GroupCore, nowMs: number, req: HeartbeatRequest): { errorCode: number } {
  if (core.state === 'Dead') return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
  const memberError = core.validateMember(req.memberId, req.groupInstanceId);
  if (memberError !== ErrorCode.NONE) return { errorCode: memberError };
  if (req.generationId !== core.generationId) return { errorCode: ErrorCode.ILLEGAL_GENERATION };
  const member = core.members.get(req.memberId)!;
  switch (core.state) {
    case 'Empty':
      return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
    case 'PreparingRebalance':
      core.rescheduleHeartbeat(member, nowMs);
      return { errorCode: ErrorCode.REBALANCE_IN_PROGRESS };
    case 'CompletingRebalance':
    case 'Stable':
      core.rescheduleHeartbeat(member, nowMs);
      return { errorCode: ErrorCode.NONE };
  }
}
