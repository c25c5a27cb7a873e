// Goal: a KIP-848 group written as Kafka's ConsumerGroup* records folds back into the same
// snapshot, and members that left are removed by their tombstones.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reader } from '../../../src/protocol/reader.js';
import { ConsumerGroupLoader, deleteConsumerGroup, encodeConsumerGroup } from '../../../src/group/consumer-group-records.js';
import type { ConsumerGroupSnapshot } from '../../../src/group/consumer/index.js';

const T1 = 'AAAAAAAAAAAAAAAAAAAAAQ';
const member = (memberId: string, epoch: number) => ({
  memberId,
  instanceId: null,
  rackId: null,
  clientId: `client-${memberId}`,
  clientHost: '127.0.0.1',
  subscribedTopicNames: ['orders'],
  subscribedTopicRegex: null,
  rebalanceTimeoutMs: 30_000,
  serverAssignor: 'uniform',
  memberEpoch: epoch,
  previousMemberEpoch: epoch - 1,
  state: 'unrevoked-partitions' as const,
  assignedPartitions: [{ topicId: T1, partitions: [0, 1] }],
  partitionsPendingRevocation: [{ topicId: T1, partitions: [2] }],
});
const snapshot: ConsumerGroupSnapshot = {
  groupId: 'g',
  groupEpoch: 7,
  assignmentEpoch: 7,
  subscriptionMetadata: [{ topicId: T1, topicName: 'orders', numPartitions: 4 }],
  members: [member('m1', 7), member('m2', 6)],
  targetAssignment: [
    { memberId: 'm1', topicPartitions: [{ topicId: T1, partitions: [0, 1] }] },
    { memberId: 'm2', topicPartitions: [{ topicId: T1, partitions: [2, 3] }] },
  ],
};

function load(records: { key: Buffer; value: Buffer | null }[]): ConsumerGroupSnapshot[] {
  const loader = new ConsumerGroupLoader();
  for (const r of records) loader.apply(r.key.readInt16BE(0), new Reader(r.key, 2), r.value);
  return loader.snapshots();
}

test('records round-trip to the same snapshot', () => {
  const [restored] = load(encodeConsumerGroup(snapshot, []));
  assert.deepEqual(restored, snapshot);
});

test('a member that left is tombstoned; a deleted group is gone', () => {
  const first = encodeConsumerGroup(snapshot, []);
  const later = { ...snapshot, groupEpoch: 8, members: [member('m1', 8)], targetAssignment: [snapshot.targetAssignment[0]!] };
  const second = encodeConsumerGroup(later, ['m1', 'm2']);
  const [restored] = load([...first, ...second]);
  assert.deepEqual(restored!.members.map((m) => m.memberId), ['m1']);
  assert.equal(restored!.groupEpoch, 8);
  assert.deepEqual(load([...first, ...second, ...deleteConsumerGroup(later)]), []);
});
