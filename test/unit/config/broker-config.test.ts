// Goal: broker configuration reads Kafka's names and defaults, derives the retention and roll
// settings as Kafka does, and rejects bad values with a ConfigError naming the key.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BrokerConfig, parseProperties } from '../../../src/config/broker-config.js';
import { ConfigError } from '../../../src/common/errors.js';
import { validateTopicConfig } from '../../../src/config/topic-config.js';

const config = (entries: Record<string, string>) => new BrokerConfig(new Map(Object.entries(entries)));

test('defaults are Kafka\'s', () => {
  const c = config({});
  assert.equal(c.nodeId, 1);
  assert.equal(c.num('num.partitions'), 1);
  assert.equal(c.bool('auto.create.topics.enable'), true);
  assert.equal(c.num('log.segment.bytes'), 1073741824);
  assert.equal(c.retentionMs, 168 * 3_600_000);
  assert.equal(c.num('socket.request.max.bytes'), 104857600);
  assert.deepEqual(c.logDirs, ['./data']);
});

test('retention precedence: ms over minutes over hours', () => {
  assert.equal(config({ 'log.retention.hours': '1' }).retentionMs, 3_600_000);
  assert.equal(config({ 'log.retention.hours': '1', 'log.retention.minutes': '2' }).retentionMs, 120_000);
  assert.equal(config({ 'log.retention.minutes': '2', 'log.retention.ms': '5' }).retentionMs, 5);
  assert.equal(config({ 'log.retention.ms': '-1' }).retentionMs, -1);
});

test('log.dirs wins over log.dir and splits on commas', () => {
  assert.deepEqual(config({ 'log.dir': '/a', 'log.dirs': '/b, /c' }).logDirs, ['/b', '/c']);
});

test('bad values fail with the key in the message', () => {
  for (const [key, value] of [
    ['num.partitions', 'three'],
    ['num.partitions', '0'],
    ['auto.create.topics.enable', 'yes'],
    ['log.segment.bytes', '99999999999'],
    ['log.message.timestamp.type', 'WallClock'],
  ]) {
    assert.throws(() => config({ [key!]: value! }), (err: unknown) => err instanceof ConfigError && err.message.includes(key!), `${key}=${value}`);
  }
});

test('unknown keys are kept aside, not fatal', () => {
  assert.deepEqual(config({ 'num.network.threads': '3' }).unknownKeys, ['num.network.threads']);
});

test('properties files: comments, separators, continuations', () => {
  const props = parseProperties('# c\n! c\nnode.id=3\nlisteners : PLAINTEXT://h:1\nlog.dirs /x,\\\n  /y\n');
  assert.equal(props.get('node.id'), '3');
  assert.equal(props.get('listeners'), 'PLAINTEXT://h:1');
  assert.equal(props.get('log.dirs'), '/x,/y');
});

test('topic defaults follow broker synonyms', () => {
  const c = config({ 'log.retention.hours': '2', 'log.segment.bytes': '1000' });
  assert.deepEqual(c.topicDefault('retention.ms'), { value: '7200000', isExplicit: true, synonym: 'log.retention.ms' });
  assert.deepEqual(c.topicDefault('segment.bytes'), { value: '1000', isExplicit: true, synonym: 'log.segment.bytes' });
  assert.equal(c.topicDefault('cleanup.policy').value, 'delete');
});

test('topic config validation', () => {
  assert.equal(validateTopicConfig('retention.ms', '1000'), 1000);
  assert.deepEqual(validateTopicConfig('cleanup.policy', 'compact,delete'), ['compact', 'delete']);
  assert.throws(() => validateTopicConfig('retention.mss', '1'), ConfigError);
  assert.throws(() => validateTopicConfig('compression.type', 'brotli'), ConfigError);
  assert.throws(() => validateTopicConfig('min.insync.replicas', '0'), ConfigError);
});

test('console.listeners: default, free port, turned off, refused shapes', () => {
  assert.deepEqual(config({}).consoleListener, { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(config({ 'console.listeners': 'http://127.0.0.1:0' }).consoleListener, { host: '127.0.0.1', port: 0 });
  assert.deepEqual(config({ 'console.listeners': 'http://[::1]:9000' }).consoleListener, { host: '::1', port: 9000 });
  assert.equal(config({ 'console.listeners': '' }).consoleListener, null);
  for (const bad of ['127.0.0.1:8080', 'https://h:1', 'http://h', 'http://h:70000', 'http://a:1,http://b:2']) {
    assert.throws(() => config({ 'console.listeners': bad }), (err: unknown) => err instanceof ConfigError && err.message.includes('console.listeners'), bad);
  }
});
