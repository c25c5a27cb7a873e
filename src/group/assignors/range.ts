// The `range` server-side assignor (Kafka's server-side RangeAssignor): for each topic, the members
// subscribed to it, in member-id order, get contiguous ranges of partitions; the first
// `partitions % members` of them get one extra. Members with the same subscriptions therefore get
// the same partition numbers of every topic with the same partition count, which is what a join
// of co-partitioned topics needs. The result depends only on who subscribes to what, so it needs
// no stickiness pass: when nothing changes, nothing moves. Racks are ignored.

import { assert } from '../../common/assert.js';
import type { AssignmentSpec, GroupAssignment, PartitionAssignor } from './types.js';

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function assignRange(spec: AssignmentSpec): GroupAssignment {
  const members = [...spec.members].sort((a, b) => compareStrings(a.memberId, b.memberId));
  const result: GroupAssignment = new Map();
  for (const m of members) {
    assert(!result.has(m.memberId), `duplicate member ${m.memberId}`);
    result.set(m.memberId, new Map());
  }
  for (const topicId of [...spec.topics.keys()].sort(compareStrings)) {
    const partitions = spec.topics.get(topicId)!;
    const subscribers = members.filter((m) => m.subscribedTopicIds.includes(topicId));
    if (subscribers.length === 0) continue;
    const base = Math.floor(partitions / subscribers.length);
    const extra = partitions % subscribers.length;
    let next = 0;
    subscribers.forEach((m, i) => {
      const size = base + (i < extra ? 1 : 0);
      if (size === 0) return;
      result.get(m.memberId)!.set(topicId, Array.from({ length: size }, (_, k) => next + k));
      next += size;
    });
  }
  return result;
}

export const rangeAssignor: PartitionAssignor = { name: 'range', assign: assignRange };
