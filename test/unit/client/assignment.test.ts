// Goal: member assignment bytes from DescribeGroups decode to sorted topic-partitions for every
// consumer-protocol version, including newer ones with fields we do not know, and bytes that are
// not an assignment read as unknown (null) rather than failing the describe.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeConsumerAssignment } from '../../../src/client/index.js';
import { writeConsumerProtocolAssignment } from '../../../src/protocol/generated/consumer-protocol-assignment.js';
import { Writer } from '../../../src/protocol/writer.js';

function encode(version: number, partitions: Record<string, number[]>, trailer?: Buffer): Buffer {
  const w = new Writer();
  w.writeInt16(version);
  writeConsumerProtocolAssignment(w, Math.min(version, 3), {
    assignedPartitions: Object.entries(partitions).map(([topic, ps]) => ({ topic, partitions: ps })),
    userData: version === 0 ? Buffer.from('ud') : null,
  });
  if (trailer !== undefined) w.writeRaw(trailer);
  return w.toBuffer();
}

test('each known version decodes to sorted partitions', () => {
  for (const version of [0, 1, 2, 3]) {
    assert.deepEqual(decodeConsumerAssignment(encode(version, { b: [2], a: [1, 0] })), [
      { topic: 'a', partition: 0 },
      { topic: 'a', partition: 1 },
      { topic: 'b', partition: 2 },
    ], `v${version}`);
  }
});

test('a newer version with appended fields reads as the newest known', () => {
  assert.deepEqual(decodeConsumerAssignment(encode(7, { t: [0] }, Buffer.from([0, 0, 0, 1]))), [{ topic: 't', partition: 0 }]);
});

test('empty bytes are an empty assignment; garbage and negative versions are unknown', () => {
  assert.deepEqual(decodeConsumerAssignment(Buffer.alloc(0)), []);
  assert.equal(decodeConsumerAssignment(Buffer.from([0, 0, 0, 0, 0, 9])), null);
  assert.equal(decodeConsumerAssignment(Buffer.from([0xff, 0xff, 0, 0, 0, 0])), null);
});
