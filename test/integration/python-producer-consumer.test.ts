// Goal: an idempotent python producer (enable.idempotence, acks=all) gets a delivery report for
// every record, at the offset its partition order implies, and a consumer using manual assign()
// (no group membership) reads them back exactly, including create timestamps, from offset 0, from
// a chosen offset, and again after seek().

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { runPython } from '../helpers/python.js';
import { assertExactRecords, fromPython, range, type PythonRecord } from '../helpers/verify.js';

const topic = 'py-idempotent';
const partitionCount = 2;
const recordCount = 20_000;
const timestampBaseMs = 1_700_000_000_000;
const createTimeType = 1; // confluent_kafka.TIMESTAMP_CREATE_TIME

interface Produced {
  delivered: [index: number, partition: number, offset: number, timestamp: number][];
  errors: unknown[];
  unflushed: number;
}
interface Consumed {
  records: PythonRecord[];
  afterSeek: PythonRecord[];
  timedOut: boolean;
}

describe('python idempotent producer and assign() consumer', { timeout: 55_000 }, () => {
  let broker: BrokerProcess;
  const consume = (args: object): Promise<Consumed> =>
    runPython<Consumed>('consumer.py', { bootstrap: broker.bootstrap, topic, ...args });

  before(async () => {
    broker = await startBroker({ overrides: { 'num.partitions': String(partitionCount) } });
  });
  after(async () => {
    assert.equal(await broker.stop(), 0);
  });

  test('every record is acknowledged at the offset its partition order implies', async () => {
    const produced = await runPython<Produced>('producer.py', {
      bootstrap: broker.bootstrap,
      topic,
      count: recordCount,
      partitions: partitionCount,
      idempotent: true,
      timestampBaseMs,
    });
    assert.deepEqual(produced.errors, []);
    assert.equal(produced.unflushed, 0);
    assert.equal(produced.delivered.length, recordCount);
    produced.delivered.forEach(([index, partition, offset, timestamp], k) => {
      assert.equal(index, k);
      assert.equal(partition, index % partitionCount);
      assert.equal(offset, Math.floor(index / partitionCount), `offset of record ${index}`);
      assert.equal(timestamp, timestampBaseMs + index);
    });
  });

  test('assign() from offset 0 reads everything back exactly', async () => {
    const consumed = await consume({ assign: range(0, partitionCount).map((partition) => ({ partition, offset: 0 })) });
    assert.equal(consumed.timedOut, false);
    assert.equal(consumed.records.length, recordCount);
    assertExactRecords(consumed.records.map(fromPython), {
      indices: range(0, recordCount),
      partitionOf: (i) => i % partitionCount,
    });
    for (const r of consumed.records) {
      assert.equal(r.tsType, createTimeType);
      assert.equal(r.ts, timestampBaseMs + Number(r.k!.slice('key-'.length)));
    }
  });

  test('assign() at an offset starts exactly there', async () => {
    const startOffset = 7_000;
    const consumed = await consume({ assign: [{ partition: 1, offset: startOffset }] });
    const firstIndex = startOffset * partitionCount + 1;
    assertExactRecords(consumed.records.map(fromPython), {
      indices: range(0, recordCount / partitionCount - startOffset).map((k) => firstIndex + k * partitionCount),
      partitionOf: () => 1,
      firstOffsetOf: () => startOffset,
    });
  });

  test('seek() rewinds an assigned partition', async () => {
    const consumed = await consume({
      assign: [{ partition: 0, offset: 0 }],
      seek: { afterCount: 500, partition: 0, offset: 42 },
    });
    assert.equal(consumed.records.length, 500);
    assertExactRecords(consumed.afterSeek.map(fromPython), {
      indices: range(42, recordCount / partitionCount).map((offset) => offset * partitionCount),
      partitionOf: () => 0,
      firstOffsetOf: () => 42,
    });
  });

  test('a second producer session appends after the first', async () => {
    const produced = await runPython<Produced>('producer.py', {
      bootstrap: broker.bootstrap,
      topic,
      start: recordCount,
      count: 100,
      partitions: partitionCount,
      idempotent: true,
    });
    assert.deepEqual(produced.errors, []);
    for (const [index, partition, offset] of produced.delivered) {
      assert.equal(offset, Math.floor(index / partitionCount), `offset of record ${index} in partition ${partition}`);
    }
  });
});
