// Goal: partition reassignment follows KIP-455 as KRaft runs it: starting one lists target then
// removing replicas with the adding and removing sets, completes at once when nothing is added,
// otherwise once every adding replica is in the ISR (re-electing a leader being removed), a new
// target restarts from the original replicas, cancelling reverts (unclean only where allowed),
// every refusal has Kafka's error code, and the listing shows exactly what is in progress.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alterPartition } from '../../../src/controller/alter-partition.js';
import { fenceBroker } from '../../../src/controller/broker-ops.js';
import {
  alterPartitionReassignments,
  completeReassignments,
  isReassigning,
  listPartitionReassignments,
  reassignmentTarget,
} from '../../../src/controller/reassignment.js';
import type { ElectionOptions } from '../../../src/controller/partition-election.js';
import type { MetadataImage } from '../../../src/metadata/image.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { applyAll, imageWith, partitionOf, topicIdOf } from './fixtures.js';

const T = topicIdOf('t');

/** Reassigns t-`partitionIndex` (null cancels), applies the records, returns the error code. */
function reassign(image: MetadataImage, partitionIndex: number, replicas: number[] | null, options?: ElectionOptions): number {
  const out = alterPartitionReassignments(image, { topics: [{ name: 't', partitions: [{ partitionIndex, replicas }] }] }, options);
  applyAll(image, out.records);
  return out.responses[0]!.partitions[0]!.errorCode;
}

/** The leader of t-`partitionIndex` sets its ISR, then any reassignment that can complete does. */
function setIsr(image: MetadataImage, partitionIndex: number, newIsr: number[]): void {
  const p = partitionOf(image, 't', partitionIndex);
  const brokerEpoch = image.brokers.get(p.leader)!.brokerEpoch;
  const out = alterPartition(image, {
    brokerId: p.leader,
    brokerEpoch,
    topics: [{ topicId: T, partitions: [{ partitionIndex, leaderEpoch: p.leaderEpoch, newIsr, partitionEpoch: p.partitionEpoch }] }],
  });
  assert.equal(out.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE, `ISR [${newIsr}]`);
  applyAll(image, out.records);
  applyAll(image, completeReassignments(image, T, partitionIndex));
}

const state = (image: MetadataImage, i = 0) => {
  const p = partitionOf(image, 't', i);
  return { replicas: p.replicas, isr: p.isr, leader: p.leader, adding: p.addingReplicas, removing: p.removingReplicas };
};

test('a reassignment starts with target then removing replicas, and completes once the new ones are in sync', () => {
  const image = imageWith([1, 2, 3, 4, 5], { t: [{ replicas: [1, 2, 3] }] });
  const out = alterPartitionReassignments(image, { topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [4, 5, 1] }] }] });
  assert.deepEqual(out.responses, [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE, errorMessage: null }] }]);
  assert.deepEqual(out.records, [{ type: 'PartitionChange', topicId: T, partitionId: 0, replicas: [4, 5, 1, 2, 3], addingReplicas: [4, 5], removingReplicas: [2, 3] }]);
  applyAll(image, out.records);
  assert.deepEqual(state(image), { replicas: [4, 5, 1, 2, 3], isr: [1, 2, 3], leader: 1, adding: [4, 5], removing: [2, 3] });
  assert.equal(isReassigning(partitionOf(image, 't', 0)), true);
  assert.deepEqual(reassignmentTarget(partitionOf(image, 't', 0)), [4, 5, 1]);
  assert.deepEqual(completeReassignments(image), [], 'nothing caught up yet');

  setIsr(image, 0, [1, 2, 3, 4]);
  assert.deepEqual(state(image).adding, [4, 5], 'one adding replica is not enough');
  setIsr(image, 0, [1, 2, 3, 4, 5]);
  assert.deepEqual(state(image), { replicas: [4, 5, 1], isr: [1, 4, 5], leader: 1, adding: [], removing: [] });
  assert.equal(partitionOf(image, 't', 0).leaderEpoch, 0, 'the leader stayed');
});

test('completion re-elects a leader being removed, within the target, in target order', () => {
  const image = imageWith([1, 2, 3, 4], { t: [{ replicas: [1, 2] }] });
  assert.equal(reassign(image, 0, [3, 4, 2]), ErrorCode.NONE);
  setIsr(image, 0, [1, 2, 3, 4]);
  assert.deepEqual(state(image), { replicas: [3, 4, 2], isr: [2, 3, 4], leader: 3, adding: [], removing: [] });
  assert.equal(partitionOf(image, 't', 0).leaderEpoch, 1);
});

test('nothing to add: the reassignment completes in the same record', () => {
  const image = imageWith([1, 2, 3], { t: [{ replicas: [1, 2, 3] }, { replicas: [1, 2, 3] }] });
  const out = alterPartitionReassignments(image, { topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [2, 3] }, { partitionIndex: 1, replicas: [3, 1, 2] }] }] });
  assert.deepEqual(out.records, [
    { type: 'PartitionChange', topicId: T, partitionId: 0, leader: 2, isr: [2, 3], replicas: [2, 3] },
    { type: 'PartitionChange', topicId: T, partitionId: 1, replicas: [3, 1, 2] },
  ]);
  applyAll(image, out.records);
  assert.deepEqual(listPartitionReassignments(image, null), []);
  assert.equal(reassign(image, 1, [3, 1, 2]), ErrorCode.NONE, 'the same target again changes nothing');
  assert.equal(partitionOf(image, 't', 1).partitionEpoch, 1);
});

test('completion waits while no target replica is in sync, or no target replica may take over the leadership', () => {
  const image = imageWith([1, 2, { id: 3, inControlledShutdown: true }], { t: [{ replicas: [1, 2], isr: [1] }, { replicas: [1, 3], isr: [1, 3] }] });
  assert.equal(reassign(image, 0, [2]), ErrorCode.NONE);
  assert.deepEqual(state(image), { replicas: [2, 1], isr: [1], leader: 1, adding: [], removing: [1] });
  setIsr(image, 0, [1, 2]);
  assert.deepEqual(state(image), { replicas: [2], isr: [2], leader: 2, adding: [], removing: [] });

  assert.equal(reassign(image, 1, [3]), ErrorCode.NONE);
  assert.deepEqual(state(image, 1), { replicas: [3, 1], isr: [1, 3], leader: 1, adding: [], removing: [1] }, '3 is shutting down');
  applyAll(image, [{ type: 'RegisterBroker', brokerId: 3, incarnationId: 'x', brokerEpoch: 1, endPoints: [], rack: null, fenced: false, inControlledShutdown: false }]);
  assert.deepEqual(completeReassignments(image, T), [{ type: 'PartitionChange', topicId: T, partitionId: 1, leader: 3, isr: [3], replicas: [3], removingReplicas: [] }]);
});

test('a new target restarts from the original replicas; catching-up replicas it keeps stay adding', () => {
  const image = imageWith([1, 2, 3, 4, 5], { t: [{ replicas: [1, 2, 3] }] });
  reassign(image, 0, [1, 2, 4]);
  assert.deepEqual(state(image), { replicas: [1, 2, 4, 3], isr: [1, 2, 3], leader: 1, adding: [4], removing: [3] });
  setIsr(image, 0, [1, 2, 3]); // no-op: 4 still catching up
  reassign(image, 0, [1, 4, 5]);
  assert.deepEqual(state(image), { replicas: [1, 4, 5, 2, 3], isr: [1, 2, 3], leader: 1, adding: [4, 5], removing: [2, 3] });
  reassign(image, 0, [1, 2, 5]);
  assert.deepEqual(state(image), { replicas: [1, 2, 5, 4, 3], isr: [1, 2, 3], leader: 1, adding: [5], removing: [4, 3] });
  setIsr(image, 0, [1, 2, 3, 5]);
  assert.deepEqual(state(image), { replicas: [1, 2, 5], isr: [1, 2, 5], leader: 1, adding: [], removing: [] });
});

test('cancelling reverts to the original replicas and drops the adding ones from the ISR', () => {
  const image = imageWith([1, 2, 3, 4], { t: [{ replicas: [1, 2] }, { replicas: [1, 2] }] });
  reassign(image, 0, [3, 4]);
  setIsr(image, 0, [1, 2, 3]);
  assert.equal(reassign(image, 0, null), ErrorCode.NONE);
  assert.deepEqual(state(image), { replicas: [1, 2], isr: [1, 2], leader: 1, adding: [], removing: [] });
  assert.equal(reassign(image, 0, null), ErrorCode.NO_REASSIGNMENT_IN_PROGRESS);

  // An adding replica that came to lead (the first in-sync replica when 1 was fenced) hands the
  // leadership back to an original one.
  reassign(image, 1, [3, 4]);
  setIsr(image, 1, [1, 2, 3]);
  applyAll(image, fenceBroker(image, 1));
  assert.deepEqual(state(image, 1), { replicas: [3, 4, 1, 2], isr: [2, 3], leader: 3, adding: [3, 4], removing: [1, 2] });
  assert.equal(reassign(image, 1, null), ErrorCode.NONE);
  assert.deepEqual(state(image, 1), { replicas: [1, 2], isr: [2], leader: 2, adding: [], removing: [] });
});

test('a cancel that would empty the ISR needs unclean election, from the topic or the default', () => {
  const image = () => {
    const img = imageWith([1, 2, 3], { t: [{ replicas: [1, 2] }] });
    reassign(img, 0, [3]);
    setIsr(img, 0, [1, 2, 3]);
    assert.deepEqual(state(img).replicas, [3], 'completed');
    reassign(img, 0, [1]); // 1 is adding again, 3 removing
    applyAll(img, [{ type: 'PartitionChange', topicId: T, partitionId: 0, leader: 1, isr: [1] }]); // suppose 3 fell out and 1 leads
    return img;
  };
  const refused = image();
  assert.equal(reassign(refused, 0, null), ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  assert.deepEqual(state(refused).adding, [1], 'unchanged');
  const allowed = image();
  assert.equal(reassign(allowed, 0, null, { uncleanDefault: true }), ErrorCode.NONE);
  assert.deepEqual(state(allowed), { replicas: [3], isr: [3], leader: 3, adding: [], removing: [] });
});

test('refusals: unknown topic or partition, empty or repeated targets, unregistered brokers', () => {
  const image = imageWith([1, 2], { t: [{ replicas: [1, 2] }] });
  const out = alterPartitionReassignments(image, {
    topics: [
      { name: 'nope', partitions: [{ partitionIndex: 0, replicas: [1] }] },
      {
        name: 't',
        partitions: [
          { partitionIndex: 3, replicas: [1] },
          { partitionIndex: -1, replicas: null },
          { partitionIndex: 0, replicas: [] },
          { partitionIndex: 0, replicas: [1, 1] },
          { partitionIndex: 0, replicas: [1, 9] },
          { partitionIndex: 0, replicas: null },
        ],
      },
    ],
  });
  assert.deepEqual(out.records, []);
  assert.deepEqual(
    out.responses.flatMap((t) => t.partitions.map((p) => p.errorCode)),
    [
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
    ],
  );
  assert.ok(out.responses[1]!.partitions.slice(0, 6).every((p) => typeof p.errorMessage === 'string'));
});

test('a partition named twice is judged the second time after the first change', () => {
  const image = imageWith([1, 2, 3], { t: [{ replicas: [1, 2] }] });
  const out = alterPartitionReassignments(image, { topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [1, 3] }, { partitionIndex: 0, replicas: null }] }] });
  assert.deepEqual(out.responses[0]!.partitions.map((p) => p.errorCode), [ErrorCode.NONE, ErrorCode.NONE]);
  applyAll(image, out.records);
  assert.deepEqual(state(image), { replicas: [1, 2], isr: [1, 2], leader: 1, adding: [], removing: [] });
  assert.equal(partitionOf(image, 't', 0).partitionEpoch, 2);
});

test('listPartitionReassignments shows what is in progress, of all topics or the named partitions', () => {
  const image = imageWith([1, 2, 3], { t: [{ replicas: [1, 2] }, { replicas: [1, 2] }], u: [{ replicas: [2] }] });
  reassign(image, 1, [1, 3]);
  const ongoing = { name: 't', partitions: [{ partitionIndex: 1, replicas: [1, 3, 2], addingReplicas: [3], removingReplicas: [2] }] };
  assert.deepEqual(listPartitionReassignments(image, null), [ongoing]);
  assert.deepEqual(listPartitionReassignments(image, [{ name: 't', partitionIndexes: [0, 1, 7] }, { name: 'u', partitionIndexes: [0] }, { name: 'nope', partitionIndexes: [0] }]), [ongoing]);
  assert.deepEqual(listPartitionReassignments(image, [{ name: 't', partitionIndexes: [0] }]), []);
});

test('completeReassignments narrows to a topic and a partition', () => {
  const image = imageWith([1, 2, 3], { t: [{ replicas: [1, 2] }, { replicas: [1, 2] }] });
  reassign(image, 0, [1, 3]);
  reassign(image, 1, [1, 3]);
  applyAll(image, [
    { type: 'PartitionChange', topicId: T, partitionId: 0, isr: [1, 2, 3] },
    { type: 'PartitionChange', topicId: T, partitionId: 1, isr: [1, 2, 3] },
  ]);
  assert.deepEqual(completeReassignments(image, topicIdOf('other')), []);
  assert.deepEqual(completeReassignments(image, T, 1).map((r) => r.type === 'PartitionChange' && r.partitionId), [1]);
  assert.equal(completeReassignments(image).length, 2);
});
