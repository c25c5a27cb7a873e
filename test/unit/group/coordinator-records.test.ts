// Goal: offsets and group metadata are written in Kafka's __consumer_offsets format and read
// back exactly, and groups map to the partition Kafka would choose.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeCoordinatorRecord,
  encodeGroupRecord,
  encodeOffsetRecord,
  javaStringHash,
  partitionForGroup,
} from '../../../src/group/coordinator-records.js';

test('Java String.hashCode, including overflow and non-ASCII', () => {
  assert.equal(javaStringHash(''), 0);
  assert.equal(javaStringHash('a'), 97);
  assert.equal(javaStringHash('ab'), 3105);
  assert.equal(javaStringHash('hello world'), 1794106052);
  assert.equal(javaStringHash('polygenelubricants'), -2147483648); // the famous MIN_VALUE hash
  assert.equal(javaStringHash('é'), 233);
});

test('coordinator partition is Utils.abs(hash) % n', () => {
  assert.equal(partitionForGroup('polygenelubricants', 50), 0);
  assert.equal(partitionForGroup('hello world', 50), 1794106052 % 50);
  assert.equal(partitionForGroup('a', 50), 47);
});

test('offset commit records round-trip, tombstones included', () => {
  const value = { offset: 1234, leaderEpoch: 3, metadata: 'm', commitTimestampMs: 1_700_000_000_000 };
  const rec = encodeOffsetRecord('g', 'orders', 7, value);
  assert.equal(rec.key.readInt16BE(0), 1);
  assert.equal(rec.value!.readInt16BE(0), 3);
  assert.deepEqual(decodeCoordinatorRecord(rec.key, rec.value), { type: 'offset', groupId: 'g', topic: 'orders', partition: 7, value });
  const tomb = encodeOffsetRecord('g', 'orders', 7, null);
  assert.deepEqual(decodeCoordinatorRecord(tomb.key, tomb.value), { type: 'offset', groupId: 'g', topic: 'orders', partition: 7, value: null });
});

test('group metadata records round-trip', () => {
  const rec = encodeGroupRecord('g', {
    protocolType: 'consumer',
    generation: 4,
    protocol: 'range',
    leader: 'm1',
    currentStateTimestamp: 5,
    members: [{ memberId: 'm1', groupInstanceId: 'i1', clientId: 'c', clientHost: '/127.0.0.1', rebalanceTimeout: 300000, sessionTimeout: 45000, subscription: Buffer.from('s'), assignment: Buffer.from('a') }],
  });
  const decoded = decodeCoordinatorRecord(rec.key, rec.value);
  assert.equal(decoded.type, 'group');
  if (decoded.type !== 'group') return;
  assert.equal(decoded.value!.generation, 4);
  assert.equal(decoded.value!.members[0]!.groupInstanceId, 'i1');
  assert.deepEqual(decoded.value!.members[0]!.assignment, Buffer.from('a'));
});
