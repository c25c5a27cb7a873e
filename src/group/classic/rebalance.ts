// The rebalance steps of a classic group, after Kafka's GroupMetadataManager:
//
//   Empty/Stable/CompletingRebalance --prepareRebalance--> PreparingRebalance
//   PreparingRebalance --completeJoinPhase--> CompletingRebalance (members) or Empty (none)
//   CompletingRebalance --leader's SyncGroup (sync.ts)--> Stable
//
// The join phase ends when every member has rejoined (and no MEMBER_ID_REQUIRED member is still
// expected), or when the rebalance timeout (the largest member rebalance timeout) fires; dynamic
// members that did not rejoin are then dropped, static ones stay until their session expires.
// The first rebalance of an Empty group is delayed by group.initial.rebalance.delay.ms and is only
// ended by its timer; each new joiner extends it by another delay, up to the rebalance timeout.
// After the join phase every member owes a SyncGroup within the rebalance timeout; members that
// never send it are dropped and the group rebalances again.

import { ErrorCode } from '../../protocol/errors.js';
import { EMPTY_ASSIGNMENT, isAwaitingJoin, type ClassicMember } from './member.js';
import { selectProtocol } from './protocol-selection.js';
import type { GroupCore } from './group-core.js';

export function maybePrepareRebalanceOrCompleteJoin(core: GroupCore, nowMs: number, reason: string): void {
  if (core.canRebalance()) prepareRebalance(core, nowMs, reason);
  else maybeCompleteJoinPhase(core, nowMs);
}

export function prepareRebalance(core: GroupCore, nowMs: number, reason: string): void {
  // Members waiting for the leader's assignment must rejoin instead.
  if (core.state === 'CompletingRebalance') resetAndPropagateAssignmentWithError(core, nowMs, ErrorCode.REBALANCE_IN_PROGRESS);
  core.pendingSyncMembers.clear();
  core.syncTimer = null;

  const isInitialRebalance = core.state === 'Empty';
  if (isInitialRebalance) {
    const delayMs = core.config.initialRebalanceDelayMs;
    const remainingMs = Math.max(core.rebalanceTimeoutMs() - delayMs, 0);
    core.joinTimer = { deadlineMs: nowMs + delayMs, initial: { delayMs, remainingMs } };
    core.newMemberAdded = false;
  }
  core.transitionTo('PreparingRebalance', nowMs);
  core.log.info({ generationId: core.generationId, reason }, 'preparing to rebalance');

  if (!isInitialRebalance) {
    if (core.hasAllMembersJoined()) completeJoinPhase(core, nowMs);
    else core.joinTimer = { deadlineMs: nowMs + core.rebalanceTimeoutMs(), initial: null };
  }
}

/** End the join phase now if everyone is in, unless this is the (timer-driven) initial rebalance. */
export function maybeCompleteJoinPhase(core: GroupCore, nowMs: number): void {
  if (core.state !== 'PreparingRebalance') return;
  if (core.previousState === 'Empty') return;
  if (!core.hasAllMembersJoined()) return;
  completeJoinPhase(core, nowMs);
}

/** The join timer fired: extend the initial delay if someone new arrived, else end the join phase. */
export function fireJoinTimer(core: GroupCore, nowMs: number): void {
  const timer = core.joinTimer!;
  core.joinTimer = null;
  const initial = timer.initial;
  if (initial !== null && core.newMemberAdded && initial.remainingMs !== 0) {
    core.newMemberAdded = false;
    const delayMs = Math.min(core.config.initialRebalanceDelayMs, initial.remainingMs);
    const remainingMs = Math.max(initial.remainingMs - initial.delayMs, 0);
    core.joinTimer = { deadlineMs: nowMs + delayMs, initial: { delayMs, remainingMs } };
    return;
  }
  completeJoinPhase(core, nowMs);
}

export function completeJoinPhase(core: GroupCore, nowMs: number): void {
  core.joinTimer = null;
  const dropped: string[] = [];
  for (const member of core.memberList()) {
    if (member.groupInstanceId === null && !isAwaitingJoin(member)) {
      core.removeAndRelease(member.memberId);
      dropped.push(member.memberId);
    }
  }
  if (dropped.length > 0) core.log.info({ dropped }, 'removed dynamic members that did not rejoin');

  if (!maybeElectNewJoinedLeader(core) && core.members.size > 0) {
    // Only static members that have not rejoined remain: wait another rebalance timeout, by
    // which time their sessions will have expired or they will have rejoined.
    core.log.error({}, 'could not complete rebalance because no members rejoined');
    core.joinTimer = { deadlineMs: nowMs + Math.max(core.rebalanceTimeoutMs(), 1), initial: null };
    return;
  }

  initNextGeneration(core, nowMs);
  if (core.state === 'Empty') {
    core.log.info({ generationId: core.generationId }, 'group is now empty');
    core.persist();
    return;
  }
  core.log.info({ generationId: core.generationId, members: core.members.size, protocolName: core.protocolName, leader: core.leaderId }, 'group rebalanced');
  for (const member of core.memberList()) {
    core.completeJoin(member, core.currentJoinResponse(member));
    core.rescheduleHeartbeat(member, nowMs);
    member.isNew = false;
    core.pendingSyncMembers.add(member.memberId);
  }
  core.syncTimer = { deadlineMs: nowMs + core.rebalanceTimeoutMs(), generationId: core.generationId };
}

/** If the leader has not rejoined, hand leadership to a member that has. False if none has. */
function maybeElectNewJoinedLeader(core: GroupCore): boolean {
  if (core.leaderId === null) return false;
  const leader = core.members.get(core.leaderId)!;
  if (isAwaitingJoin(leader)) return true;
  for (const member of core.members.values()) {
    if (isAwaitingJoin(member)) {
      core.log.info({ oldLeader: leader.memberId, newLeader: member.memberId }, 'leader did not rejoin; elected a new leader');
      core.leaderId = member.memberId;
      return true;
    }
  }
  return false;
}

function initNextGeneration(core: GroupCore, nowMs: number): void {
  core.generationId++;
  if (core.members.size > 0) {
    core.protocolName = selectProtocol(core.memberList());
    core.transitionTo('CompletingRebalance', nowMs);
  } else {
    core.protocolName = null;
    core.transitionTo('Empty', nowMs);
  }
  core.pendingSyncMembers.clear();
}

export function setAndPropagateAssignment(core: GroupCore, nowMs: number, assignment: Map<string, Buffer>): void {
  for (const member of core.members.values()) member.assignment = assignment.get(member.memberId) ?? EMPTY_ASSIGNMENT;
  propagateAssignment(core, nowMs, ErrorCode.NONE);
}

export function resetAndPropagateAssignmentWithError(core: GroupCore, nowMs: number, errorCode: number): void {
  for (const member of core.members.values()) member.assignment = EMPTY_ASSIGNMENT;
  propagateAssignment(core, nowMs, errorCode);
}

/** Answer every parked SyncGroup; their sessions restart now, as Kafka's propagateAssignment does. */
function propagateAssignment(core: GroupCore, nowMs: number, errorCode: number): void {
  const ok = errorCode === ErrorCode.NONE;
  for (const member of core.members.values()) {
    const released = core.completeSync(member, {
      errorCode,
      protocolType: ok ? core.protocolType : null,
      protocolName: ok ? core.protocolName : null,
      assignment: member.assignment,
    });
    if (released) core.rescheduleHeartbeat(member, nowMs);
  }
}

export function removePendingSyncMember(core: GroupCore, memberId: string): void {
  core.pendingSyncMembers.delete(memberId);
  const isSyncing = core.state === 'CompletingRebalance' || core.state === 'Stable';
  if (!isSyncing || core.pendingSyncMembers.size === 0) core.syncTimer = null;
}

/** The sync timer fired: drop members that never sent SyncGroup for this generation, and rebalance. */
export function expirePendingSync(core: GroupCore, nowMs: number): void {
  const timer = core.syncTimer!;
  core.syncTimer = null;
  if (timer.generationId !== core.generationId) return;
  if (core.state !== 'CompletingRebalance' && core.state !== 'Stable') return;
  if (core.pendingSyncMembers.size === 0) return;
  const late = [...core.pendingSyncMembers];
  for (const memberId of late) core.removeAndRelease(memberId);
  prepareRebalance(core, nowMs, `removing ${late.join(', ')} on pending sync request expiration`);
}

/** A member's session expired (or it was otherwise lost): remove it and rebalance as Kafka does. */
export function removeMemberAndUpdateGroup(core: GroupCore, nowMs: number, member: ClassicMember, reason: string): void {
  core.removeAndRelease(member.memberId);
  if (core.state === 'Stable' || core.state === 'CompletingRebalance') maybePrepareRebalanceOrCompleteJoin(core, nowMs, reason);
  else if (core.state === 'PreparingRebalance' && core.hasAllMembersJoined()) completeJoinPhase(core, nowMs);
}
