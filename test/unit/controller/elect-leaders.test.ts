// Goal: ElectLeaders answers each partition with Kafka's error code for both election types (by
// name, in request order, leaving out unneeded elections when no partitions are named), an
// UNCLEAN election picks a clean leader when it can and otherwise the first eligible replica
// outside the ISR, and electUncleanLeaders elects only for topics that allow it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ElectionType, electLeaders, electUncleanLeaders } from '../../../src/controller/elect-leaders.js';
import { ConfigResourceType } from '../../../src/metadata/records.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { applyAll, imageWith, partitionOf, topicIdOf } from './fixtures.js';

const cluster = () =>
  imageWith([1, 2, { id: 3, fenced: true }, 4], {
    t: [
      { replicas: [1, 2], leader: 2 }, // preferred 1 may lead
      { replicas: [1, 2] }, // led by its preferred replica
      { replicas: [3, 2], isr: [3], leader: -1 }, // offline: 3 fenced, 2 out of sync
      { replicas: [3, 1], isr: [3, 1], leader: 1 }, // preferred fenced
      { replicas: [3], isr: [3], leader: -1 }, // offline, nobody else
    ],
  });

test('PREFERRED: per-partition codes, in request order, unknown names included', () => {
  const image = cluster();
  const named = [0, 1, 3, 9].map((partitionId) => ({ topic: 't', partitionId }));
  const out = electLeaders(image, ElectionType.PREFERRED, [...named, { topic: 'nope', partitionId: 0 }, { topic: 't', partitionId: 0 }]);
  assert.deepEqual(out.results.map((r) => [r.topic, r.partitionId, r.errorCode]), [
    ['t', 0, ErrorCode.NONE],
    ['t', 1, ErrorCode.ELECTION_NOT_NEEDED],
    ['t', 3, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
    ['t', 9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ['nope', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ['t', 0, ErrorCode.ELECTION_NOT_NEEDED],
  ]);
  assert.deepEqual(out.records, [{ type: 'PartitionChange', topicId: topicIdOf('t'), partitionId: 0, leader: 1 }]);
});

test('UNCLEAN: only leaderless partitions, from outside the ISR when no member may lead', () => {
  const image = cluster();
  const named = [0, 2, 4, 7, 2].map((partitionId) => ({ topic: 't', partitionId }));
  const out = electLeaders(image, ElectionType.UNCLEAN, named);
  assert.deepEqual(out.results.map((r) => r.errorCode), [
    ErrorCode.ELECTION_NOT_NEEDED,
    ErrorCode.NONE,
    ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ErrorCode.ELECTION_NOT_NEEDED,
  ]);
  assert.deepEqual(out.records, [{ type: 'PartitionChange', topicId: topicIdOf('t'), partitionId: 2, leader: 2, isr: [2] }]);
  applyAll(image, out.records);
  assert.deepEqual([partitionOf(image, 't', 2).leader, partitionOf(image, 't', 2).leaderEpoch], [2, 1]);
});

test('UNCLEAN prefers a clean leader when an ISR member may lead', () => {
  const image = imageWith([1, 2], { t: [{ replicas: [1, 2], isr: [2], leader: -1 }] });
  const out = electLeaders(image, ElectionType.UNCLEAN, [{ topic: 't', partitionId: 0 }]);
  assert.deepEqual(out.records, [{ type: 'PartitionChange', topicId: topicIdOf('t'), partitionId: 0, leader: 2 }]);
});

test('without named partitions every partition is tried and unneeded elections are left out', () => {
  const preferred = electLeaders(cluster(), ElectionType.PREFERRED, null);
  assert.deepEqual(preferred.results.map((r) => [r.partitionId, r.errorCode]), [
    [0, ErrorCode.NONE],
    [2, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
    [3, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
    [4, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
  ]);
  const unclean = electLeaders(cluster(), ElectionType.UNCLEAN, null);
  assert.deepEqual(unclean.results.map((r) => [r.partitionId, r.errorCode]), [
    [2, ErrorCode.NONE],
    [4, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE],
  ]);
});

test('electUncleanLeaders: leaderless partitions of topics that allow it, by override or default', () => {
  const image = imageWith([1, 2], { a: [{ replicas: [1, 2], isr: [1], leader: -1 }], b: [{ replicas: [1, 2], isr: [1], leader: -1 }] });
  applyAll(image, [
    { type: 'FenceBroker', brokerId: 1, brokerEpoch: 0 },
    { type: 'Config', resourceType: ConfigResourceType.TOPIC, resourceName: 'b', name: 'unclean.leader.election.enable', value: 'true' },
  ]);
  const move = (topic: string) => ({ type: 'PartitionChange', topicId: topicIdOf(topic), partitionId: 0, leader: 2, isr: [2] });
  assert.deepEqual(electUncleanLeaders(image, { uncleanDefault: false }), [move('b')]);
  assert.deepEqual(electUncleanLeaders(image, { uncleanDefault: true }), [move('a'), move('b')]);
});
