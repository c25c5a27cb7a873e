// Moving one member's current assignment toward its target, one heartbeat at a time (KIP-848
// "Member Reconciliation"; Kafka's CurrentAssignmentBuilder). Pure: it returns the member's next
// record and the caller installs it.
//
// The safety rule: a partition enters a member's assignedPartitions only while no other member
// holds it, where "holds" means assigned or pending revocation. A member that must give partitions
// up stays at its epoch, in unrevoked-partitions, until a heartbeat reports owned partitions that
// no longer include them; only then are they free for others and does its epoch move on. A member
// waiting for partitions someone else still holds moves to the target epoch in
// unreleased-partitions and picks them up on a later heartbeat. Free partitions of the target are
// handed out at once, even while the member is still revoking others.

import {
  intersects,
  NO_PARTITIONS,
  partitionsByTopic,
  type PartitionsByTopic,
} from './partitions-by-topic.js';
import type { ConsumerGroupMember } from './types.js';

export interface ReconcileInput {
  readonly member: ConsumerGroupMember;
  readonly targetEpoch: number;
  readonly target: PartitionsByTopic;
  /** Whether a member other than this one holds the partition (assigned or pending revocation). */
  readonly isHeldByOther: (topicId: string, partition: number) => boolean;
  /** The owned partitions the heartbeat reported, or null when it did not send them. */
  readonly ownedPartitions: PartitionsByTopic | null;
}

/** The member's next record; the same object when nothing changes. */
export function reconcile(input: ReconcileInput): ConsumerGroupMember {
  const { member, targetEpoch, ownedPartitions } = input;
  switch (member.state) {
    case 'stable':
      return member.memberEpoch === targetEpoch ? member : nextAssignment(input);
    case 'unrevoked-partitions':
      // Unreported owned partitions count as still owned: the member gave nothing up yet.
      if (ownedPartitions === null || intersects(ownedPartitions, member.partitionsPendingRevocation)) return member;
      return nextAssignment(input);
    case 'unreleased-partitions':
      return nextAssignment(input);
  }
}

function nextAssignment(input: ReconcileInput): ConsumerGroupMember {
  const { member, target, targetEpoch, isHeldByOther, ownedPartitions } = input;
  const current = member.assignedPartitions;
  const assigned: [string, number[]][] = [];
  const revoking: [string, number[]][] = [];
  let isWaiting = false;
  for (const topicId of new Set([...current.keys(), ...target.keys()])) {
    const had = current.get(topicId) ?? [];
    const hadSet = new Set(had);
    const wanted = new Set(target.get(topicId) ?? []);
    assigned.push([topicId, had.filter((p) => wanted.has(p))]);
    revoking.push([topicId, had.filter((p) => !wanted.has(p))]);
    for (const p of wanted) {
      if (hadSet.has(p)) continue;
      if (isHeldByOther(topicId, p)) isWaiting = true;
      else assigned.push([topicId, [p]]);
    }
  }
  const assignedPartitions = partitionsByTopic(assigned);
  const pending = partitionsByTopic(revoking);
  // Partitions the member already reported gone need no revocation round trip.
  if (pending.size > 0 && (ownedPartitions === null || intersects(ownedPartitions, pending))) {
    return withAssignment(member, member.memberEpoch, 'unrevoked-partitions', assignedPartitions, pending);
  }
  const state = isWaiting ? 'unreleased-partitions' : 'stable';
  return withAssignment(member, targetEpoch, state, assignedPartitions, NO_PARTITIONS);
}

function withAssignment(
  member: ConsumerGroupMember,
  memberEpoch: number,
  state: ConsumerGroupMember['state'],
  assignedPartitions: PartitionsByTopic,
  partitionsPendingRevocation: PartitionsByTopic,
): ConsumerGroupMember {
  // previousMemberEpoch moves only with the epoch, so a lost response can still be retried.
  const previousMemberEpoch = memberEpoch === member.memberEpoch ? member.previousMemberEpoch : member.memberEpoch;
  return { ...member, memberEpoch, previousMemberEpoch, state, assignedPartitions, partitionsPendingRevocation };
}
