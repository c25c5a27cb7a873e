// Goal: AlterPartition answers every Kafka error case for the right reason, in KRaft's order,
// and a valid ISR change yields one PartitionChange whose result is the partition after it; a
// replica a reassignment is removing may stay in the ISR but never rejoin it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alterPartition, type AlterPartitionInput } from '../../../src/controller/alter-partition.js';
import { alterPartitionReassignments } from '../../../src/controller/reassignment.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { applyAll, imageWith, partitionOf, topicIdOf } from './fixtures.js';

const T = topicIdOf('t');

function cluster() {
  const image = imageWith([{ id: 1, epoch: 5 }, 2, 3, { id: 4, fenced: true }, { id: 5, inControlledShutdown: true }, 6], {
    t: [{ replicas: [1, 2, 3, 4, 5], isr: [1, 2] }, { replicas: [2, 1], isr: [2, 1] }],
  });
  applyAll(image, [{ type: 'PartitionChange', topicId: T, partitionId: 0, isr: [1, 2] }]); // partition epoch 1
  return image;
}

const req = (partitions: Partial<AlterPartitionInput['topics'][0]['partitions'][0]>[], extra: Partial<AlterPartitionInput> = {}): AlterPartitionInput => ({
  brokerId: 1,
  brokerEpoch: 5,
  topics: [{ topicId: T, partitions: partitions.map((p) => ({ partitionIndex: 0, leaderEpoch: 0, newIsr: [1, 2, 3], partitionEpoch: 1, ...p })) }],
  ...extra,
});

test('a valid ISR expansion commits one change and answers the partition after it', () => {
  const image = cluster();
  const out = alterPartition(image, req([{}]));
  assert.equal(out.errorCode, ErrorCode.NONE);
  assert.deepEqual(out.records, [{ type: 'PartitionChange', topicId: T, partitionId: 0, isr: [1, 2, 3] }]);
  assert.deepEqual(out.topics, [{ topicId: T, partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE, leaderId: 1, leaderEpoch: 0, isr: [1, 2, 3], partitionEpoch: 2 }] }]);
  applyAll(image, out.records);
  const p = partitionOf(image, 't', 0);
  assert.deepEqual([p.leader, p.leaderEpoch, p.isr, p.partitionEpoch], [1, 0, [1, 2, 3], 2]);
});

test('asking for the current ISR changes nothing', () => {
  const out = alterPartition(cluster(), req([{ newIsr: [1, 2] }]));
  assert.deepEqual(out.records, []);
  assert.deepEqual(out.topics[0]!.partitions[0], { partitionIndex: 0, errorCode: ErrorCode.NONE, leaderId: 1, leaderEpoch: 0, isr: [1, 2], partitionEpoch: 1 });
});

test('each error case', () => {
  const cases: [string, Partial<AlterPartitionInput['topics'][0]['partitions'][0]>, number][] = [
    ['unknown partition', { partitionIndex: 7 }, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ['stale leader epoch', { leaderEpoch: -1 }, ErrorCode.FENCED_LEADER_EPOCH],
    ['leader epoch from the future', { leaderEpoch: 1 }, ErrorCode.FENCED_LEADER_EPOCH],
    ['not the leader', { partitionIndex: 1, partitionEpoch: 0, newIsr: [1, 2] }, ErrorCode.NOT_LEADER_OR_FOLLOWER],
    ['stale partition epoch', { partitionEpoch: 0 }, ErrorCode.INVALID_UPDATE_VERSION],
    ['partition epoch from the future', { partitionEpoch: 2 }, ErrorCode.INVALID_UPDATE_VERSION],
    ['empty ISR', { newIsr: [] }, ErrorCode.INVALID_REQUEST],
    ['repeated member', { newIsr: [1, 2, 2] }, ErrorCode.INVALID_REQUEST],
    ['ISR without the leader', { newIsr: [2, 3] }, ErrorCode.INVALID_REQUEST],
    ['fenced member', { newIsr: [1, 4] }, ErrorCode.INELIGIBLE_REPLICA],
    ['shutting-down member', { newIsr: [1, 5] }, ErrorCode.INELIGIBLE_REPLICA],
    ['not a replica', { newIsr: [1, 6] }, ErrorCode.INELIGIBLE_REPLICA],
  ];
  for (const [what, partition, errorCode] of cases) {
    const image = cluster();
    const out = alterPartition(image, req([partition]));
    const result = out.topics[0]!.partitions[0]!;
    assert.equal(result.errorCode, errorCode, what);
    assert.deepEqual(out.records, [], what);
    if (errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      const p = partitionOf(image, 't', result.partitionIndex);
      assert.deepEqual([result.leaderId, result.leaderEpoch, result.isr, result.partitionEpoch], [p.leader, p.leaderEpoch, p.isr, p.partitionEpoch], `${what}: the current state`);
    }
  }
  const unknownTopic = alterPartition(cluster(), { brokerId: 1, brokerEpoch: 5, topics: [{ topicId: topicIdOf('nope'), partitions: [{ partitionIndex: 0, leaderEpoch: 0, newIsr: [1], partitionEpoch: 0 }] }] });
  assert.equal(unknownTopic.topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
});

test('a sender with another broker epoch, or none, is stale everywhere', () => {
  for (const extra of [{ brokerEpoch: 4 }, { brokerId: 9 }]) {
    const out = alterPartition(cluster(), req([{}, { partitionIndex: 1 }], extra));
    assert.equal(out.errorCode, ErrorCode.STALE_BROKER_EPOCH);
    assert.deepEqual(out.topics[0]!.partitions.map((p) => p.errorCode), [ErrorCode.STALE_BROKER_EPOCH, ErrorCode.STALE_BROKER_EPOCH]);
    assert.deepEqual(out.records, []);
  }
});

test('a partition named twice is judged the second time after the first change', () => {
  const out = alterPartition(cluster(), req([{}, { newIsr: [1, 2], partitionEpoch: 2 }, { newIsr: [1], partitionEpoch: 2 }]));
  assert.deepEqual(out.topics[0]!.partitions.map((p) => [p.errorCode, p.partitionEpoch]), [
    [ErrorCode.NONE, 2],
    [ErrorCode.NONE, 3],
    [ErrorCode.INVALID_UPDATE_VERSION, 3],
  ]);
  assert.equal(out.records.length, 2);
});

test('a replica being removed may stay in the ISR but not rejoin it', () => {
  const image = imageWith([1, 2, 3, 4], { t: [{ replicas: [1, 2, 3], isr: [1, 2] }] });
  applyAll(image, alterPartitionReassignments(image, { topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [1, 4] }] }] }).records);
  assert.deepEqual(partitionOf(image, 't', 0).removingReplicas, [2, 3]);
  const ask = (newIsr: number[]) =>
    alterPartition(image, { brokerId: 1, brokerEpoch: 0, topics: [{ topicId: T, partitions: [{ partitionIndex: 0, leaderEpoch: 0, newIsr, partitionEpoch: 1 }] }] }).topics[0]!.partitions[0]!.errorCode;
  assert.equal(ask([1, 2, 3]), ErrorCode.INELIGIBLE_REPLICA);
  assert.equal(ask([1, 2, 4]), ErrorCode.NONE);
  assert.equal(ask([1]), ErrorCode.NONE);
});
