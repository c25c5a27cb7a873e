// Which member holds each partition of the group, where "holds" means the partition is in the
// member's assigned partitions or in its partitions pending revocation. This index is what makes
// reconciliation safe: a partition is given to a member only while no other member holds it.
// Invariant (asserted): at most one member holds a partition.

import { assert } from '../../common/assert.js';
import type { ConsumerGroupMember } from './types.js';

export class PartitionHolders {
  readonly #byTopic = new Map<string, Map<number, string>>();

  /** The holder of the partition, if any. */
  holderOf(topicId: string, partition: number): string | undefined {
    return this.#byTopic.get(topicId)?.get(partition);
  }

  /** Records that `member` holds its assigned and pending partitions. */
  hold(member: ConsumerGroupMember): void {
    for (const value of [member.assignedPartitions, member.partitionsPendingRevocation]) {
      for (const [topicId, partitions] of value) {
        let holders = this.#byTopic.get(topicId);
        if (holders === undefined) this.#byTopic.set(topicId, (holders = new Map()));
        for (const p of partitions) {
          const current = holders.get(p);
          assert(
            current === undefined || current === member.memberId,
            `partition ${topicId}-${p} given to ${member.memberId} while ${current} still holds it`,
          );
          holders.set(p, member.memberId);
        }
      }
    }
  }

  /** Forgets the partitions `member` held. */
  release(member: ConsumerGroupMember): void {
    for (const value of [member.assignedPartitions, member.partitionsPendingRevocation]) {
      for (const [topicId, partitions] of value) {
        const holders = this.#byTopic.get(topicId);
        for (const p of partitions) {
          assert(holders?.get(p) === member.memberId, `partition ${topicId}-${p} is not held by ${member.memberId}`);
          holders.delete(p);
        }
        if (holders !== undefined && holders.size === 0) this.#byTopic.delete(topicId);
      }
    }
  }

  /** Replaces `before`'s holdings with `after`'s (same member id, or a static member's successor). */
  replace(before: ConsumerGroupMember | undefined, after: ConsumerGroupMember): void {
    if (
      before !== undefined &&
      before.memberId === after.memberId &&
      before.assignedPartitions === after.assignedPartitions &&
      before.partitionsPendingRevocation === after.partitionsPendingRevocation
    ) {
      return; // metadata-only change
    }
    if (before !== undefined) this.release(before);
    this.hold(after);
  }
}
