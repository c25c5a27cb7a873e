// LeaveGroup for a classic group, after Kafka's classicGroupLeaveToClassicGroup.
//
// Version notes: v0-2 name one member id (the handler passes a one-element list and turns the
// member's error into the top-level one); v3+ take a batch of members, each by member id or, for
// an administrative removal of a static member, by groupInstanceId with an empty member id;
// v5+ add a reason. A leaving member's parked JoinGroup/SyncGroup is answered UNKNOWN_MEMBER_ID.
// Removing members rebalances a Stable/CompletingRebalance group, and may end a join phase.

import { ErrorCode } from '../../protocol/errors.js';
import type { GroupCore } from './group-core.js';
import { maybeCompleteJoinPhase, maybePrepareRebalanceOrCompleteJoin } from './rebalance.js';
import type { LeaveRequest, LeaveResponse } from './types.js';

export function handleLeave(core: GroupCore, nowMs: number, req: LeaveRequest): LeaveResponse {
  if (core.state === 'Dead') return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
  const members: LeaveResponse['members'] = [];
  let removedMembers = 0;
  let removedPending = 0;
  for (const identity of req.members) {
    const reason = identity.reason ?? 'not provided';
    let errorCode: number = ErrorCode.NONE;
    if (identity.memberId === '') {
      const memberId = identity.groupInstanceId === null ? undefined : core.staticMembers.get(identity.groupInstanceId);
      if (memberId === undefined) errorCode = ErrorCode.UNKNOWN_MEMBER_ID;
      else {
        core.removeAndRelease(memberId);
        removedMembers++;
        core.log.info({ memberId, groupInstanceId: identity.groupInstanceId, reason }, 'static member removed by LeaveGroup');
      }
    } else if (core.pendingJoinMembers.delete(identity.memberId)) {
      removedPending++;
      core.log.info({ memberId: identity.memberId, reason }, 'pending member left');
    } else {
      errorCode = core.validateMember(identity.memberId, identity.groupInstanceId);
      if (errorCode === ErrorCode.NONE) {
        core.removeAndRelease(identity.memberId);
        removedMembers++;
        core.log.info({ memberId: identity.memberId, reason }, 'member left');
      }
    }
    members.push({ memberId: identity.memberId, groupInstanceId: identity.groupInstanceId, errorCode });
  }
  // Kafka also rebalances a Stable group when only a pending (MEMBER_ID_REQUIRED) member left;
  // that member was never part of a generation, so we do not.
  if (removedMembers > 0 && (core.state === 'Stable' || core.state === 'CompletingRebalance')) {
    maybePrepareRebalanceOrCompleteJoin(core, nowMs, 'members left');
  } else if (removedMembers + removedPending > 0 && core.state === 'PreparingRebalance') {
    maybeCompleteJoinPhase(core, nowMs);
  }
  return { errorCode: ErrorCode.NONE, members };
}
