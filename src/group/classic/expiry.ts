// The group's timers, fired by the shell through expire(nowMs): member sessions (and the
// new-member join timeout), pending MEMBER_ID_REQUIRED ids, the join phase (rebalance timeout or
// initial delay) and the sync phase. Each deadline <= nowMs fires in deadline order; a firing
// may set new deadlines, which fire in the same call if they are also due. Ties go to the join
// timer, then the sync timer, then members and pending ids in their order.

import { assert } from '../../common/assert.js';
import type { GroupCore } from './group-core.js';
import { hasSatisfiedHeartbeat } from './member.js';
import { completeJoinPhase, expirePendingSync, fireJoinTimer, removeMemberAndUpdateGroup } from './rebalance.js';

type Due =
  | { kind: 'join'; atMs: number }
  | { kind: 'sync'; atMs: number }
  | { kind: 'session'; atMs: number; memberId: string }
  | { kind: 'pending'; atMs: number; memberId: string };

/** An expire() call that fires more timers than this is looping: a bug. */
const FIRINGS_PER_CALL_MAX = 1_000_000;

export function nextDue(core: GroupCore): Due | null {
  let due: Due | null = null;
  const consider = (candidate: Due): void => {
    if (due === null || candidate.atMs < due.atMs) due = candidate;
  };
  if (core.joinTimer !== null) consider({ kind: 'join', atMs: core.joinTimer.deadlineMs });
  if (core.syncTimer !== null) consider({ kind: 'sync', atMs: core.syncTimer.deadlineMs });
  for (const member of core.members.values()) {
    if (member.heartbeatDeadlineMs !== null) consider({ kind: 'session', atMs: member.heartbeatDeadlineMs, memberId: member.memberId });
  }
  for (const [memberId, atMs] of core.pendingJoinMembers) consider({ kind: 'pending', atMs, memberId });
  return due;
}

export function expireDue(core: GroupCore, nowMs: number): void {
  if (core.state === 'Dead') return;
  for (let firings = 0; ; firings++) {
    assert(firings < FIRINGS_PER_CALL_MAX, `group ${core.groupId}: timers keep firing at ${nowMs}`);
    const due = nextDue(core);
    if (due === null || due.atMs > nowMs) return;
    fire(core, nowMs, due);
  }
}

function fire(core: GroupCore, nowMs: number, due: Due): void {
  switch (due.kind) {
    case 'join':
      return fireJoinTimer(core, nowMs);
    case 'sync':
      return expirePendingSync(core, nowMs);
    case 'session': {
      const member = core.members.get(due.memberId)!;
      member.heartbeatDeadlineMs = null;
      // A parked member is alive by definition; its session restarts when it is answered.
      if (hasSatisfiedHeartbeat(member)) return;
      core.log.info({ memberId: member.memberId, isNew: member.isNew }, 'member session expired; removing it');
      return removeMemberAndUpdateGroup(core, nowMs, member, `session of ${member.memberId} expired`);
    }
    case 'pending':
      core.pendingJoinMembers.delete(due.memberId);
      core.log.info({ memberId: due.memberId }, 'pending member did not rejoin in time');
      if (core.state === 'PreparingRebalance' && core.hasAllMembersJoined()) completeJoinPhase(core, nowMs);
      return;
  }
}
