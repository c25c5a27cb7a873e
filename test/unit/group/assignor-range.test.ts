// Goal: the `range` assignor gives each topic's subscribers, in member-id order, contiguous ranges
// of partitions (sizes within one, larger ones first), so members with the same subscriptions get
// the same partition numbers of equally sized topics; it is total, exact and deterministic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assignRange, type AssignmentSpec } from '../../../src/group/assignors/index.js';

const topicIds = ['tA', 'tB', 'tC', 'tD'];

const specArb: fc.Arbitrary<AssignmentSpec> = fc
  .record({
    counts: fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: topicIds.length }),
    members: fc.uniqueArray(fc.record({ memberId: fc.stringMatching(/^m[0-9a-f]{1,3}$/), subscribed: fc.subarray(topicIds) }), {
      minLength: 1,
      maxLength: 8,
      selector: (m) => m.memberId,
    }),
  })
  .map(({ counts, members }) => ({
    topics: new Map(counts.map((n, i) => [topicIds[i]!, n])),
    members: members.map((m) => ({ memberId: m.memberId, rackId: null, subscribedTopicIds: m.subscribed, assignment: new Map() })),
  }));

test('two topics of three partitions over two members: co-partitioned ranges', () => {
  const subscribed = ['tA', 'tB'];
  const result = assignRange({
    topics: new Map([['tA', 3], ['tB', 3]]),
    members: ['m2', 'm1'].map((memberId) => ({ memberId, rackId: null, subscribedTopicIds: subscribed, assignment: new Map() })),
  });
  assert.deepEqual(result.get('m1'), new Map([['tA', [0, 1]], ['tB', [0, 1]]]));
  assert.deepEqual(result.get('m2'), new Map([['tA', [2]], ['tB', [2]]]));
});

test('more members than partitions: the last members get nothing of that topic', () => {
  const result = assignRange({
    topics: new Map([['tA', 2]]),
    members: ['m1', 'm2', 'm3'].map((memberId) => ({ memberId, rackId: null, subscribedTopicIds: ['tA'], assignment: new Map() })),
  });
  assert.deepEqual([...result].map(([id, a]) => [id, [...a]]), [['m1', [['tA', [0]]]], ['m2', [['tA', [1]]]], ['m3', []]]);
});

test('property: per topic, subscribers in id order get contiguous ranges covering it exactly once', () => {
  fc.assert(
    fc.property(specArb, (spec) => {
      const result = assignRange(spec);
      assert.deepEqual([...result.keys()].sort(), spec.members.map((m) => m.memberId).sort());
      for (const [topicId, n] of spec.topics) {
        const subscribers = spec.members.filter((m) => m.subscribedTopicIds.includes(topicId)).map((m) => m.memberId).sort();
        const ranges = subscribers.map((id) => result.get(id)!.get(topicId) ?? []);
        assert.deepEqual(ranges.flat(), subscribers.length === 0 ? [] : Array.from({ length: n }, (_, i) => i));
        const sizes = ranges.map((r) => r.length);
        assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a), 'larger ranges first');
        if (sizes.length > 0) assert.ok(sizes[0]! - sizes[sizes.length - 1]! <= 1);
        for (const [id, assignment] of result) {
          if (!subscribers.includes(id)) assert.equal(assignment.get(topicId), undefined);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('property: identical subscriptions get identical partition numbers of equally sized topics', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 6 }), (partitions, members) => {
      const ids = Array.from({ length: members }, (_, i) => `m${i}`);
      const result = assignRange({
        topics: new Map([['tA', partitions], ['tB', partitions]]),
        members: ids.map((memberId) => ({ memberId, rackId: null, subscribedTopicIds: ['tA', 'tB'], assignment: new Map() })),
      });
      for (const id of ids) assert.deepEqual(result.get(id)!.get('tA'), result.get(id)!.get('tB'));
    }),
  );
});

test('property: deterministic whatever the input order, and unchanged when fed its own output', () => {
  fc.assert(
    fc.property(specArb, (spec) => {
      const result = assignRange(spec);
      const reordered = { topics: new Map([...spec.topics].reverse()), members: [...spec.members].reverse() };
      assert.deepEqual(assignRange(reordered), result);
      const fed = { topics: spec.topics, members: spec.members.map((m) => ({ ...m, assignment: result.get(m.memberId)! })) };
      assert.deepEqual(assignRange(fed), result);
    }),
    { numRuns: 300 },
  );
});
