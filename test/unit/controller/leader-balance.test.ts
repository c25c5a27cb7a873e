// Goal: leaderImbalance lists exactly the partitions preferred leader election could move (the
// preferred replica active and in sync but not leading), and imbalancedBrokers applies Kafka's
// leader.imbalance.per.broker.percentage rule (not-led share strictly above the percentage).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imbalancedBrokers, leaderImbalance } from '../../../src/controller/leader-balance.js';
import { imageWith, topicIdOf } from './fixtures.js';

const cluster = () =>
  imageWith([1, 2, 3, { id: 4, fenced: true }], {
    t: [
      { replicas: [1, 2], leader: 2 }, // imbalanced
      { replicas: [1, 2] },
      { replicas: [1, 2] },
      { replicas: [1, 2], isr: [2] }, // 1 out of sync: not movable, still not led by 1
      { replicas: [2, 3], leader: 3 }, // imbalanced
      { replicas: [4, 3], isr: [3] }, // preferred fenced
    ],
  });

test('leaderImbalance: partitions whose in-sync, active preferred replica does not lead', () => {
  const ref = (partitionId: number) => ({ topicId: topicIdOf('t'), partitionId });
  assert.deepEqual(leaderImbalance(cluster()), [ref(0), ref(4)]);
  assert.deepEqual(leaderImbalance(cluster(), [2]), [ref(4)]);
  assert.deepEqual(leaderImbalance(imageWith([1], { t: [{ replicas: [1] }] })), []);
});

test('imbalancedBrokers: the share of partitions a broker is preferred for but does not lead', () => {
  // Broker 1: 2 of 4 not led (50%); broker 2: 1 of 1 (100%); broker 4 is fenced.
  const cases: [number, number[]][] = [
    [0, [1, 2]],
    [10, [1, 2]],
    [50, [2]],
    [99, [2]],
    [100, []],
  ];
  for (const [percentage, brokers] of cases) assert.deepEqual(imbalancedBrokers(cluster(), percentage), brokers, `${percentage}%`);
});
