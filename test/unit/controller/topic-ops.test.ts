// Goal: the controller's topic decisions are right as pure functions of the image: names,
// replica placement (only on active brokers, rack-aware when racks are known), the ISR and
// leader of new partitions, duplicates, config validation, deletion and partition growth.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetadataImage } from '../../../src/metadata/image.js';
import { alterTopicConfigs, createPartitions, createTopics, deleteTopics, type ControllerEnv } from '../../../src/controller/topic-ops.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { MetadataRecord } from '../../../src/metadata/records.js';
import { imageWith, leadersAndIsrs, type BrokerSpec } from './fixtures.js';

function imageWithBrokers(brokers: (BrokerSpec | number)[]): MetadataImage {
  return imageWith(brokers);
}

let nextId = 0;
const env: ControllerEnv = { newTopicId: () => `id-${nextId++}`, randomInt: () => 0, defaultPartitions: 3, defaultReplicationFactor: 1 };
const req = (name: string, extra: Partial<Parameters<typeof createTopics>[1][0]> = {}) => ({
  name,
  numPartitions: -1,
  replicationFactor: -1,
  assignments: [],
  configs: [],
  ...extra,
});
const apply = (image: MetadataImage, records: MetadataRecord[]) => records.forEach((r) => image.apply(r));

test('createTopics: defaults, explicit counts, errors', () => {
  const image = imageWithBrokers([1]);
  const { results, records } = createTopics(
    image,
    [
      req('a'),
      req('b', { numPartitions: 5 }),
      req('bad name!'),
      req('c', { replicationFactor: 3 }),
      req('d', { configs: [{ name: 'retention.ms', value: 'soon' }] }),
      req('a'),
    ],
    env,
  );
  assert.deepEqual(
    results.map((r) => [r.name, r.errorCode, r.numPartitions]),
    [
      ['a', ErrorCode.NONE, 3],
      ['b', ErrorCode.NONE, 5],
      ['bad name!', ErrorCode.INVALID_TOPIC_EXCEPTION, -1],
      ['c', ErrorCode.INVALID_REPLICATION_FACTOR, -1],
      ['d', ErrorCode.INVALID_CONFIG, -1],
      ['a', ErrorCode.INVALID_REQUEST, -1],
    ],
  );
  apply(image, records);
  assert.equal(image.topicsByName.get('b')!.partitions.length, 5);
  assert.equal(createTopics(image, [req('a')], env).results[0]!.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
});

test('createPartitions grows, never shrinks', () => {
  const image = imageWithBrokers([1, 2]);
  apply(image, createTopics(image, [req('t', { numPartitions: 2, replicationFactor: 2 })], env).records);
  assert.equal(createPartitions(image, { name: 't', count: 2, assignments: null }, env).errorCode, ErrorCode.INVALID_PARTITIONS);
  const grown = createPartitions(image, { name: 't', count: 4, assignments: null }, env);
  assert.equal(grown.errorCode, ErrorCode.NONE);
  apply(image, grown.records);
  assert.deepEqual(image.topicsByName.get('t')!.partitions.map((p) => p.replicas.length), [2, 2, 2, 2]);
});

test('deleteTopics and configs', () => {
  const image = imageWithBrokers([1]);
  apply(image, createTopics(image, [req('t')], env).records);
  const alter = alterTopicConfigs(image, 't', [{ name: 'cleanup.policy', op: 2, value: 'compact' }]);
  assert.equal(alter.errorCode, ErrorCode.NONE);
  apply(image, alter.records);
  assert.equal(image.topicConfigs.get('t')!.get('cleanup.policy'), 'compact');
  assert.equal(alterTopicConfigs(image, 't', [{ name: 'nope', op: 0, value: '1' }]).errorCode, ErrorCode.INVALID_CONFIG);
  const del = deleteTopics(image, [{ name: 't', topicId: null }, { name: 'missing', topicId: null }]);
  assert.deepEqual(del.results.map((r) => r.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  apply(image, del.records);
  assert.equal(image.topicsByName.size, 0);
  assert.equal(image.topicConfigs.size, 0);
});

test('placement skips fenced and shutting-down brokers, and spreads over racks when all have one', () => {
  const image = imageWithBrokers([
    { id: 1, rack: 'a' },
    { id: 2, rack: 'a' },
    { id: 3, rack: 'b' },
    { id: 4, rack: 'b', fenced: true },
    { id: 5, rack: 'c', inControlledShutdown: true },
    { id: 6, rack: 'b' },
  ]);
  const { results, records } = createTopics(image, [req('t', { numPartitions: 6, replicationFactor: 2 })], env);
  assert.equal(results[0]!.errorCode, ErrorCode.NONE);
  apply(image, records);
  for (const [leader, isr] of leadersAndIsrs(image, 't')) {
    assert.ok(isr.every((id) => [1, 2, 3, 6].includes(id)), `${isr}`);
    assert.equal(leader, isr[0]);
    assert.deepEqual(new Set(isr.map((id) => image.brokers.get(id)!.rack)), new Set(['a', 'b']), `${isr} spans both racks`);
  }
  assert.equal(createTopics(image, [req('u', { replicationFactor: 5 })], env).results[0]!.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
  const grown = createPartitions(image, { name: 't', count: 10, assignments: null }, env);
  apply(image, grown.records);
  assert.ok(image.topicsByName.get('t')!.partitions.every((p) => !p.replicas.includes(4) && !p.replicas.includes(5)));
});

test('explicit assignments: the ISR is the active replicas and the first of them leads', () => {
  const image = imageWithBrokers([1, { id: 2, fenced: true }, { id: 3, inControlledShutdown: true }]);
  const assignments = [
    { partitionIndex: 0, brokerIds: [2, 1, 3] },
    { partitionIndex: 1, brokerIds: [1, 2] },
  ];
  const { results, records } = createTopics(image, [req('t', { assignments })], env);
  assert.equal(results[0]!.errorCode, ErrorCode.NONE);
  apply(image, records);
  assert.deepEqual(leadersAndIsrs(image, 't'), [
    [1, [1]],
    [1, [1]],
  ]);
  assert.deepEqual(image.topicsByName.get('t')!.partitions.map((p) => p.replicas), [[2, 1, 3], [1, 2]]);
  const dead = createTopics(image, [req('u', { assignments: [{ partitionIndex: 0, brokerIds: [2, 3] }] })], env);
  assert.equal(dead.results[0]!.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  assert.deepEqual(dead.records, []);
  assert.equal(createPartitions(image, { name: 't', count: 3, assignments: [[2, 3]] }, env).errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  assert.equal(createPartitions(image, { name: 't', count: 3, assignments: [[1, 1, 2]] }, env).errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  const grown = createPartitions(image, { name: 't', count: 3, assignments: [[2, 1, 3]] }, env);
  assert.equal(grown.errorCode, ErrorCode.NONE);
  apply(image, grown.records);
  assert.deepEqual(leadersAndIsrs(image, 't')[2], [1, [1]]);
});
