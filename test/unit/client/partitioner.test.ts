// Goal: keyed records go to the partition Kafka's Java producer would choose: murmur2 matches
// the vectors of Kafka's own UtilsTest, and the partition is its positive value modulo the count.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { murmur2, partitionForKey } from '../../../src/client/partitioner.js';

test('murmur2 matches Kafka', () => {
  const cases: [string, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  for (const [text, expected] of cases) assert.equal(murmur2(Buffer.from(text)), expected, text);
});

test('partitionForKey is murmur2 with the sign bit cleared, modulo the count', () => {
  assert.equal(partitionForKey(Buffer.from('21'), 7), (-973932308 & 0x7fffffff) % 7);
  for (let n = 1; n < 20; n++) {
    const p = partitionForKey(Buffer.from(`key-${n}`), n);
    assert.ok(p >= 0 && p < n);
  }
});
