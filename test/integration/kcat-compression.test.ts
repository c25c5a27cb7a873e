// Goal: for every codec kcat offers (-z none|gzip|snappy|lz4|zstd), records produced compressed
// come back through kcat exactly (count, partition, order, keys, values, headers). The broker keeps
// batches as bytes, so this checks it validates and serves compressed batches without mangling them.

import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { kcatConsumeJson, kcatProduceKeyed } from '../helpers/kcat.js';
import { kcatKeyedLines, keyOf } from '../helpers/records.js';
import { assertExactRecords, fromKcat, range } from '../helpers/verify.js';

const recordCount = 10_000;
const partitionCount = 3;
const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

describe('kcat compression codecs', { timeout: 55_000 }, () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await startBroker({ overrides: { 'num.partitions': String(partitionCount) } });
  });
  after(async () => {
    assert.equal(await broker.stop(), 0);
  });

  for (const codec of codecs) {
    test(`-z ${codec}: ${recordCount} records round-trip exactly`, async () => {
      const topic = `kcat-codec-${codec}`;
      const headers: [string, string][] = [['codec', codec]];
      await kcatProduceKeyed(broker.bootstrap, topic, kcatKeyedLines(0, recordCount), ['-z', codec, '-H', `codec=${codec}`]);
      const readBack = (await kcatConsumeJson(broker.bootstrap, topic)).map(fromKcat);
      assert.equal(readBack.length, recordCount);
      assertExactRecords(readBack, {
        indices: range(0, recordCount),
        partitionOf: (i) => crc32(keyOf(i)) % partitionCount,
        headersOf: () => headers,
      });
    });
  }
});
