// Goal: 100,000 keyed records with headers produced by kcat into a 3-partition topic come back
// through kcat exactly: each in the partition its key hashes to (librdkafka's consistent_random
// partitioner is CRC32(key) % partitions), offsets contiguous, producer order kept, keys, values and
// headers byte-for-byte. Then starting at an absolute offset (-o N) and at a timestamp (-o s@TS)
// yields exactly the record the full read-back says is there.

import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { kcatConsumeJson, kcatProduceKeyed } from '../helpers/kcat.js';
import { kcatKeyedLines, keyOf } from '../helpers/records.js';
import { assertExactRecords, fromKcat, range, type ReadRecord } from '../helpers/verify.js';

const topic = 'kcat-100k';
const recordCount = 100_000;
const partitionCount = 3;
const fixedHeaders: [string, string][] = [
  ['source', 'kcat'],
  ['run', 'plain'],
];

describe('kcat produce and consume', { timeout: 55_000 }, () => {
  let broker: BrokerProcess;
  let readBack: ReadRecord[] = [];
  before(async () => {
    broker = await startBroker({ overrides: { 'num.partitions': String(partitionCount) } });
  });
  after(async () => {
    assert.equal(await broker.stop(), 0);
  });

  test('100,000 keyed records with headers round-trip exactly', async () => {
    const headerArgs = fixedHeaders.flatMap(([name, value]) => ['-H', `${name}=${value}`]);
    await kcatProduceKeyed(broker.bootstrap, topic, kcatKeyedLines(0, recordCount), headerArgs);
    readBack = (await kcatConsumeJson(broker.bootstrap, topic)).map(fromKcat);
    assert.equal(readBack.length, recordCount);
    assertExactRecords(readBack, {
      indices: range(0, recordCount),
      partitionOf: (i) => crc32(keyOf(i)) % partitionCount,
      headersOf: () => fixedHeaders,
    });
  });

  test('-o N starts at offset N of the chosen partition', async () => {
    const partition = 1;
    const inPartition = readBack.filter((r) => r.partition === partition);
    assert.ok(inPartition.length > 1000, 'the first test must have filled partition 1');
    const startOffset = Math.floor(inPartition.length / 2);
    const got = await kcatConsumeJson(broker.bootstrap, topic, ['-p', String(partition), '-o', String(startOffset), '-c', '3']);
    assert.deepEqual(got.map(fromKcat), inPartition.slice(startOffset, startOffset + 3));
  });

  test('-o s@TS starts at the first record whose timestamp is at least TS', async () => {
    const partition = 2;
    const inPartition = readBack.filter((r) => r.partition === partition);
    assert.ok(inPartition.length > 1000, 'the first test must have filled partition 2');
    // Pick a timestamp strictly above the first record's, so the answer is not trivially offset 0.
    const probe = inPartition.find((r) => r.timestamp > inPartition[0]!.timestamp) ?? inPartition[inPartition.length - 1]!;
    const expected = inPartition.find((r) => r.timestamp >= probe.timestamp)!;
    const got = await kcatConsumeJson(broker.bootstrap, topic, ['-p', String(partition), '-o', `s@${probe.timestamp}`, '-c', '1']);
    assert.equal(got.length, 1);
    assert.deepEqual(fromKcat(got[0]!), expected);
  });
});
