// Goal: the controller's topic decisions are right as pure functions of the image: names,
// replica placement, duplicates, config validation, deletion and partition growth.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetadataImage } from '../../../src/metadata/image.js';
import { alterTopicConfigs, createPartitions, createTopics, deleteTopics, roundRobin, type ControllerEnv } from '../../../src/controller/topic-ops.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { MetadataRecord } from '../../../src/metadata/records.js';

function imageWithBrokers(ids: number[]): MetadataImage {
  const image = new MetadataImage('cluster');
  for (const brokerId of ids) {
    image.apply({ type: 'RegisterBroker', brokerId, incarnationId: 'x', brokerEpoch: 0, endPoints: [], rack: null, fenced: false });
  }
  return image;
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

test('round-robin placement gives distinct replicas and spreads leaders', () => {
  for (const n of [1, 2, 3, 5]) {
    for (let rf = 1; rf <= n; rf++) {
      const brokers = Array.from({ length: n }, (_, i) => i + 1);
      const placement = roundRobin(brokers, 12, rf, 1, 0);
      for (const replicas of placement) assert.equal(new Set(replicas).size, rf, `n=${n} rf=${rf} ${replicas}`);
      const leaders = new Map<number, number>();
      for (const r of placement) leaders.set(r[0]!, (leaders.get(r[0]!) ?? 0) + 1);
      assert.equal(leaders.size, n);
    }
  }
});

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
