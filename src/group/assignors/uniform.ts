// The `uniform` server-side assignor (KIP-848's default, Kafka's UniformAssignor): spread the
// subscribed partitions as evenly as the subscriptions allow while moving as few as possible.
//
// It works in three passes over a deterministic order (members by id, topics by id):
// 1. keep: each member keeps the partitions of its current target that are still valid (topic
//    exists and is subscribed, partition in range, nobody earlier in id order kept it);
// 2. place: every partition left over goes to the least-loaded member subscribed to its topic,
//    topics with the fewest subscribers first because they have the fewest choices;
// 3. balance: while some member holds at least two more partitions than a member that could take
//    one of them (subscribes to its topic), move one from the most loaded member to the least
//    loaded such member. Each move lowers the sum of squared counts, so this ends.
// When the loop ends, two members with identical subscriptions differ by at most one partition
// (either could take any of the other's), and feeding the result back as the current assignment
// returns it unchanged: pass 1 keeps everything and passes 2 and 3 find nothing to do.
// Racks are ignored: the topic metadata handed to assignors carries no replica racks.

import { assert } from '../../common/assert.js';
import type { AssignmentSpec, GroupAssignment, MemberAssignment, PartitionAssignor } from './types.js';

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Working state of one run: who holds what, indexed by member position in id order. */
interface Placement {
  readonly topicIds: readonly string[];
  /** topicId → member indices (ascending) that subscribe to it. */
  readonly subscribers: Map<string, number[]>;
  /** topicId → partition → holder index, or -1. */
  readonly holder: Map<string, Int32Array>;
  /** member index → topicId → held partitions. */
  readonly held: Map<string, Set<number>>[];
  readonly counts: number[];
}

export function assignUniform(spec: AssignmentSpec): GroupAssignment {
  const members = [...spec.members].sort((a, b) => compareStrings(a.memberId, b.memberId));
  for (let i = 1; i < members.length; i++) {
    assert(members[i - 1]!.memberId !== members[i]!.memberId, `duplicate member ${members[i]!.memberId}`);
  }
  const topicIds = [...spec.topics.keys()].sort(compareStrings);
  const p: Placement = {
    topicIds,
    subscribers: new Map(),
    holder: new Map(),
    held: members.map(() => new Map()),
    counts: members.map(() => 0),
  };
  const subscribed = members.map((m) => new Set(m.subscribedTopicIds.filter((t) => spec.topics.has(t))));
  for (const topicId of topicIds) {
    const subs = members.flatMap((_, i) => (subscribed[i]!.has(topicId) ? [i] : []));
    if (subs.length === 0) continue; // nobody subscribes: the topic is not assigned at all
    p.subscribers.set(topicId, subs);
    p.holder.set(topicId, new Int32Array(spec.topics.get(topicId)!).fill(-1));
  }

  // 1. keep what is still valid, in member-id order so a contested partition goes to the lowest id.
  members.forEach((m, i) => {
    for (const topicId of [...m.assignment.keys()].sort(compareStrings)) {
      const holders = p.holder.get(topicId);
      if (holders === undefined || !subscribed[i]!.has(topicId)) continue;
      for (const partition of m.assignment.get(topicId)!) {
        if (Number.isInteger(partition) && partition >= 0 && partition < holders.length && holders[partition] === -1) {
          give(p, i, topicId, partition);
        }
      }
    }
  });

  // 2. place the rest, most constrained topics first.
  const byChoice = [...p.subscribers.keys()].sort(
    (a, b) => p.subscribers.get(a)!.length - p.subscribers.get(b)!.length || compareStrings(a, b),
  );
  for (const topicId of byChoice) {
    const holders = p.holder.get(topicId)!;
    const subs = p.subscribers.get(topicId)!;
    for (let partition = 0; partition < holders.length; partition++) {
      if (holders[partition] !== -1) continue;
      let best = subs[0]!;
      for (const i of subs) if (p.counts[i]! < p.counts[best]!) best = i;
      give(p, best, topicId, partition);
    }
  }

  // 3. balance.
  while (moveOne(p));

  const result: GroupAssignment = new Map();
  members.forEach((m, i) => {
    const assignment: MemberAssignment = new Map();
    for (const topicId of topicIds) {
      const parts = p.held[i]!.get(topicId);
      if (parts !== undefined && parts.size > 0) assignment.set(topicId, [...parts].sort((a, b) => a - b));
    }
    result.set(m.memberId, assignment);
  });
  return result;
}

function give(p: Placement, member: number, topicId: string, partition: number): void {
  p.holder.get(topicId)![partition] = member;
  let parts = p.held[member]!.get(topicId);
  if (parts === undefined) p.held[member]!.set(topicId, (parts = new Set()));
  parts.add(partition);
  p.counts[member]!++;
}

/**
 * Moves one partition from the most loaded member that has a taker to that taker (the least loaded
 * member subscribed to the partition's topic, with at least two fewer partitions). Returns whether
 * it moved anything.
 */
function moveOne(p: Placement): boolean {
  const { counts } = p;
  const minCount = Math.min(...counts);
  const order = counts.map((_, i) => i).sort((a, b) => counts[b]! - counts[a]! || a - b);
  for (const from of order) {
    if (counts[from]! - minCount < 2) return false; // sorted by count: nobody further down can give
    let to = -1;
    let topic = '';
    for (const topicId of p.topicIds) {
      if ((p.held[from]!.get(topicId)?.size ?? 0) === 0) continue;
      for (const i of p.subscribers.get(topicId)!) {
        if (i === from || counts[i]! > counts[from]! - 2) continue;
        if (to === -1 || counts[i]! < counts[to]!) {
          to = i;
          topic = topicId;
        }
      }
    }
    if (to === -1) continue;
    const parts = p.held[from]!.get(topic)!;
    const partition = Math.max(...parts);
    parts.delete(partition);
    counts[from]!--;
    give(p, to, topic, partition);
    return true;
  }
  return false;
}

export const uniformAssignor: PartitionAssignor = { name: 'uniform', assign: assignUniform };
