// Goal: the `uniform` assignor gives every subscribed partition to exactly one subscriber, keeps
// members with identical subscriptions within one partition of each other, moves nothing when
// nothing changes, and depends only on the content of its input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assignUniform, type AssignmentSpec, type GroupAssignment } from '../../../src/group/assignors/index.js';

const topicIds = ['tA', 'tB', 'tC', 'tD', 'tE'];

/** Random specs: 1-8 members, 1-5 topics of 1-16 partitions, any subscriptions, and a current
 * assignment that may be stale (partitions out of range, of unsubscribed topics, or claimed twice). */
const specArb: fc.Arbitrary<AssignmentSpec> = fc
  .record({
    counts: fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: topicIds.length }),
    members: fc.uniqueArray(
      fc.record({
        memberId: fc.stringMatching(/^m[0-9a-f]{1,3}$/),
        subscribed: fc.subarray(topicIds),
        current: fc.array(fc.tuple(fc.constantFrom(...topicIds), fc.array(fc.integer({ min: 0, max: 18 }), { maxLength: 6 })), {
          maxLength: 3,
        }),
      }),
      { minLength: 1, maxLength: 8, selector: (m) => m.memberId },
    ),
  })
  .map(({ counts, members }) => ({
    topics: new Map(counts.map((n, i) => [topicIds[i]!, n])),
    members: members.map((m) => ({
      memberId: m.memberId,
      rackId: null,
      subscribedTopicIds: m.subscribed,
      assignment: new Map(m.current.map(([t, ps]) => [t, [...new Set(ps)].sort((a, b) => a - b)])),
    })),
  }));

/** Every partition of a subscribed topic has exactly one owner, who subscribes to it; nothing else is assigned. */
function checkOwnership(spec: AssignmentSpec, result: GroupAssignment): void {
  assert.deepEqual([...result.keys()].sort(), spec.members.map((m) => m.memberId).sort());
  const owners = new Map<string, string>();
  for (const [memberId, assignment] of result) {
    const member = spec.members.find((m) => m.memberId === memberId)!;
    for (const [topicId, partitions] of assignment) {
      assert.ok(member.subscribedTopicIds.includes(topicId), `${memberId} got unsubscribed ${topicId}`);
      assert.ok(partitions.length > 0, 'no empty lists');
      assert.deepEqual(partitions, [...partitions].sort((a, b) => a - b), 'sorted');
      for (const p of partitions) {
        assert.ok(p >= 0 && p < spec.topics.get(topicId)!, `${topicId}-${p} out of range`);
        assert.equal(owners.get(`${topicId}-${p}`), undefined, `${topicId}-${p} assigned twice`);
        owners.set(`${topicId}-${p}`, memberId);
      }
    }
  }
  for (const [topicId, n] of spec.topics) {
    if (!spec.members.some((m) => m.subscribedTopicIds.includes(topicId))) continue;
    for (let p = 0; p < n; p++) assert.ok(owners.has(`${topicId}-${p}`), `${topicId}-${p} unassigned`);
  }
}

const countOf = (result: GroupAssignment, memberId: string): number =>
  [...result.get(memberId)!.values()].reduce((n, ps) => n + ps.length, 0);

const subscriptionKey = (spec: AssignmentSpec, subscribed: readonly string[]): string =>
  subscribed.filter((t) => spec.topics.has(t)).sort().join(',');

test('one member gets every partition of its topics', () => {
  const result = assignUniform({
    topics: new Map([['tA', 3], ['tB', 2]]),
    members: [{ memberId: 'm1', rackId: null, subscribedTopicIds: ['tA', 'tB'], assignment: new Map() }],
  });
  assert.deepEqual(result, new Map([['m1', new Map([['tA', [0, 1, 2]], ['tB', [0, 1]]])]]));
});

test('a joining member takes partitions only from the most loaded members', () => {
  const before = new Map([['tA', [0, 1, 2, 3, 4, 5]]]);
  const result = assignUniform({
    topics: new Map([['tA', 6]]),
    members: [
      { memberId: 'm1', rackId: null, subscribedTopicIds: ['tA'], assignment: before },
      { memberId: 'm2', rackId: null, subscribedTopicIds: ['tA'], assignment: new Map() },
    ],
  });
  assert.deepEqual(result.get('m1'), new Map([['tA', [0, 1, 2]]]));
  assert.deepEqual(result.get('m2'), new Map([['tA', [3, 4, 5]]]));
});

test('property: exactly one subscribed owner per partition, balance within one per identical subscription', () => {
  fc.assert(
    fc.property(specArb, (spec) => {
      const result = assignUniform(spec);
      checkOwnership(spec, result);
      const bySubscription = new Map<string, number[]>();
      for (const m of spec.members) {
        const key = subscriptionKey(spec, m.subscribedTopicIds);
        bySubscription.set(key, [...(bySubscription.get(key) ?? []), countOf(result, m.memberId)]);
      }
      for (const counts of bySubscription.values()) assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${counts}`);
    }),
    { numRuns: 300 },
  );
});

test('property: sticky when nothing changes, and deterministic whatever the input order', () => {
  fc.assert(
    fc.property(specArb, fc.array(fc.nat(), { minLength: 8, maxLength: 8 }), (spec, keys) => {
      const result = assignUniform(spec);
      const again = assignUniform({
        topics: spec.topics,
        members: spec.members.map((m) => ({ ...m, assignment: result.get(m.memberId)! })),
      });
      assert.deepEqual(again, result);
      const shuffled = spec.members.map((m, i) => [keys[i]!, m] as const).sort((a, b) => a[0] - b[0]).map(([, m]) => m);
      const reversedTopics = new Map([...spec.topics].reverse());
      assert.deepEqual(assignUniform({ topics: reversedTopics, members: shuffled }), result);
    }),
    { numRuns: 300 },
  );
});

test('property: with identical subscriptions, a join only takes and a leave only gives', () => {
  const homogeneous = fc.record({
    partitions: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 3 }),
    members: fc.integer({ min: 1, max: 7 }),
  });
  fc.assert(
    fc.property(homogeneous, ({ partitions, members }) => {
      const topics = new Map(partitions.map((n, i) => [topicIds[i]!, n]));
      const subscribed = [...topics.keys()];
      const ids = Array.from({ length: members }, (_, i) => `m${i}`);
      const stable = assignUniform({ topics, members: ids.map((memberId) => ({ memberId, rackId: null, subscribedTopicIds: subscribed, assignment: new Map() })) });
      const spec = (memberIds: string[]) => ({
        topics,
        members: memberIds.map((memberId) => ({ memberId, rackId: null, subscribedTopicIds: subscribed, assignment: stable.get(memberId) ?? new Map() })),
      });
      const within = (inner: GroupAssignment, outer: GroupAssignment, memberId: string) => {
        for (const [t, ps] of inner.get(memberId)!) for (const p of ps) assert.ok(outer.get(memberId)?.get(t)?.includes(p), `${memberId} ${t}-${p}`);
      };
      const joined = assignUniform(spec([...ids, 'new']));
      for (const id of ids) within(joined, stable, id);
      if (members > 1) {
        const left = assignUniform(spec(ids.slice(1)));
        for (const id of ids.slice(1)) within(stable, left, id);
      }
    }),
    { numRuns: 300 },
  );
});
