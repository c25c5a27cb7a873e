// SyncGroup for a classic group, after Kafka's classicGroupSyncToClassicGroup.
//
// Version notes: v3+ carry groupInstanceId (KIP-345); v5+ carry the protocol type and name
// (KIP-559), which must match the group's when present.
//
// In CompletingRebalance every SyncGroup is parked; the leader's also carries the assignment,
// which is stored (members it leaves out get an empty one) and released to every parked
// SyncGroup as the group turns Stable. In Stable a SyncGroup is answered at once with the
// member's current assignment (a follower that synced late, or a restarted static member).

import { ErrorCode } from '../../protocol/errors.js';
import { syncErrorResponse, type GroupCore } from './group-core.js';
import { removePendingSyncMember, setAndPropagateAssignment } from './rebalance.js';
import type { SyncRequest } from './types.js';

export function handleSync(core: GroupCore, nowMs: number, req: SyncRequest): void {
  const errorCode = validateSync(core, req);
  if (errorCode !== ErrorCode.NONE) {
    core.emit({ requestId: req.requestId, kind: 'sync', response: syncErrorResponse(errorCode) });
    return;
  }
  const member = core.members.get(req.memberId)!;
  if (core.state === 'Stable') {
    removePendingSyncMember(core, member.memberId);
    core.rescheduleHeartbeat(member, nowMs);
    core.emit({
      requestId: req.requestId,
      kind: 'sync',
      response: { errorCode: ErrorCode.NONE, protocolType: core.protocolType, protocolName: core.protocolName, assignment: member.assignment },
    });
    return;
  }
  // CompletingRebalance. A second SyncGroup replaces a parked one, which we answer rather than
  // drop (Kafka drops it) so that no request waits forever.
  core.completeSync(member, syncErrorResponse(ErrorCode.REBALANCE_IN_PROGRESS));
  member.awaitingSyncRequestId = req.requestId;
  removePendingSyncMember(core, member.memberId);
  if (!core.isLeader(member.memberId)) return;

  const assignment = new Map<string, Buffer>();
  for (const entry of req.assignments) assignment.set(entry.memberId, entry.assignment);
  const missing = core.memberList().filter((m) => !assignment.has(m.memberId)).map((m) => m.memberId);
  if (missing.length > 0) core.log.warn({ missing, generationId: core.generationId }, 'leader assigned nothing to some members; they get an empty assignment');
  core.log.info({ leader: member.memberId, generationId: core.generationId, members: core.members.size }, 'assignment received from leader');
  setAndPropagateAssignment(core, nowMs, assignment);
  core.transitionTo('Stable', nowMs);
  core.persist();
}

function validateSync(core: GroupCore, req: SyncRequest): number {
  if (core.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (core.state === 'Empty') return ErrorCode.UNKNOWN_MEMBER_ID;
  const memberError = core.validateMember(req.memberId, req.groupInstanceId);
  if (memberError !== ErrorCode.NONE) return memberError;
  if (req.generationId !== core.generationId) return ErrorCode.ILLEGAL_GENERATION;
  if (isInconsistent(req.protocolType, core.protocolType) || isInconsistent(req.protocolName, core.protocolName)) {
    return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
  }
  if (core.state === 'PreparingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
  return ErrorCode.NONE;
}

function isInconsistent(requested: string | null, current: string | null): boolean {
  return requested !== null && current !== null && requested !== current;
}
