// Goal: decommissionPlan replaces a broker in place with the least-loaded active broker not yet
// in the list (on a rack the others do not use when racks are set), reports partitions no broker
// can take, and counts reassignments by target; balancedAssignment is Kafka's placement over the
// given brokers, keeping each partition's replication factor, and refuses bad input; both plans
// feed alterPartitionReassignments directly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alterPartitionReassignments } from '../../../src/controller/reassignment.js';
import { balancedAssignment, decommissionPlan } from '../../../src/controller/reassignment-plan.js';
import { roundRobin, rackAware } from '../../../src/controller/replica-placement.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { applyAll, imageWith, partitionOf } from './fixtures.js';

test('decommissionPlan: in place, fewest replicas first, lowest id on a tie', () => {
  const image = imageWith([1, 2, 3, 4], { t: [{ replicas: [1, 2] }, { replicas: [2, 3] }, { replicas: [3, 1] }, { replicas: [1, 4] }] });
  const plan = decommissionPlan(image, 1);
  assert.deepEqual(plan, {
    topics: [
      {
        name: 't',
        partitions: [
          { partitionIndex: 0, replicas: [4, 2] },
          { partitionIndex: 2, replicas: [3, 2] },
          { partitionIndex: 3, replicas: [3, 4] },
        ],
      },
    ],
    unplaced: [],
  });
  const out = alterPartitionReassignments(image, { topics: plan.topics });
  assert.ok(out.responses[0]!.partitions.every((p) => p.errorCode === ErrorCode.NONE));
  applyAll(image, out.records);
  assert.deepEqual(decommissionPlan(image, 1).topics, [], 'broker 1 is only being removed now');
});

test('decommissionPlan: rack-aware when every candidate has a rack; only active brokers; unplaceable partitions reported', () => {
  const brokers = (withRacks: boolean) =>
    [
      [1, 'a'],
      [2, 'a'],
      [3, 'b'],
      [4, 'b'],
      [5, 'c'],
      [6, 'c'],
    ].map(([id, rack]) => ({ id: id as number, rack: withRacks ? (rack as string) : null, fenced: id === 5 }));
  const topics = { t: [{ replicas: [1, 3] }, { replicas: [6, 2] }, { replicas: [6, 3] }] };
  // Broker 4 holds no replica, but it shares rack b with broker 3, which stays; broker 5 is fenced.
  assert.deepEqual(decommissionPlan(imageWith(brokers(true), topics), 1).topics, [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [2, 3] }] }]);
  assert.deepEqual(decommissionPlan(imageWith(brokers(false), topics), 1).topics, [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [4, 3] }] }]);

  const small = imageWith([1, 2, { id: 3, fenced: true }, 4], { t: [{ replicas: [1, 2] }, { replicas: [1, 4] }] });
  small.apply({ type: 'UnregisterBroker', brokerId: 4, brokerEpoch: 0 });
  assert.deepEqual(decommissionPlan(small, 1), {
    topics: [],
    unplaced: [
      { name: 't', partitionIndex: 0, reason: 'every active broker already holds a replica' },
      { name: 't', partitionIndex: 1, reason: 'replica 4 is on an unregistered broker' },
    ],
  });
});

test('balancedAssignment: Kafka placement over the given brokers, topic i starting at broker i', () => {
  const image = imageWith([1, 2, 3, 4], { a: [{ replicas: [1, 2] }, { replicas: [1, 2] }, { replicas: [1] }], b: [{ replicas: [4, 1] }, { replicas: [4, 1] }] });
  const out = balancedAssignment(image, ['a', 'b', 'a'], [3, 2, 1]);
  assert.equal(out.errorCode, ErrorCode.NONE);
  const expectedA = roundRobin([1, 2, 3], 3, 2, 0, 0);
  const expectedB = roundRobin([1, 2, 3], 2, 2, 1, 0);
  assert.deepEqual(out.topics, [
    { name: 'a', partitions: [{ partitionIndex: 0, replicas: expectedA[0] }, { partitionIndex: 1, replicas: expectedA[1] }, { partitionIndex: 2, replicas: expectedA[2]!.slice(0, 1) }] },
    { name: 'b', partitions: expectedB.map((replicas, partitionIndex) => ({ partitionIndex, replicas })) },
  ]);
  assert.ok(alterPartitionReassignments(image, { topics: out.topics }).responses.every((t) => t.partitions.every((p) => p.errorCode === ErrorCode.NONE)));
});

test('balancedAssignment: rack-aware when every given broker has a rack', () => {
  const brokers = [
    { id: 1, rack: 'x' },
    { id: 2, rack: 'x' },
    { id: 3, rack: 'y' },
    { id: 4, rack: 'y' },
  ];
  const image = imageWith(brokers, { t: [{ replicas: [1, 2] }, { replicas: [1, 2] }] });
  const out = balancedAssignment(image, ['t'], [1, 2, 3, 4]);
  const expected = rackAware(brokers.map((b) => ({ brokerId: b.id, rack: b.rack })), 2, 2, 0, 0);
  assert.deepEqual(out.topics[0]!.partitions.map((p) => p.replicas), expected);
  for (const replicas of expected) assert.notEqual(image.brokers.get(replicas[0]!)!.rack, image.brokers.get(replicas[1]!)!.rack);
});

test('balancedAssignment refuses bad input', () => {
  const image = imageWith([1, 2], { t: [{ replicas: [1, 2] }] });
  const cases: [string[], number[], number][] = [
    [['t'], [], ErrorCode.INVALID_REPLICA_ASSIGNMENT],
    [['t'], [1, 1], ErrorCode.INVALID_REPLICA_ASSIGNMENT],
    [['t'], [1, 9], ErrorCode.INVALID_REPLICA_ASSIGNMENT],
    [['nope'], [1, 2], ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    [['t'], [1], ErrorCode.INVALID_REPLICATION_FACTOR],
  ];
  for (const [topics, brokers, errorCode] of cases) {
    const out = balancedAssignment(image, topics, brokers);
    assert.deepEqual([out.errorCode, out.topics], [errorCode, []], `${topics} ${brokers}`);
    assert.equal(typeof out.errorMessage, 'string');
  }
  assert.deepEqual(partitionOf(image, 't', 0).replicas, [1, 2]);
});
