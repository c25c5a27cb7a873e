// Goal: topics and records survive a broker restart on the same log.dirs, both after a clean
// SIGTERM (restarting on the same fixed port) and after SIGKILL (restarting on a new port): the
// partition count is kept without the num.partitions override, every acknowledged record reads back
// exactly, and new produces continue at the next offset.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { runPython } from '../helpers/python.js';
import { assertExactRecords, fromPython, range, type PythonRecord } from '../helpers/verify.js';

const topic = 'persisted';
const partitionCount = 2;
const recordCount = 10_000;

interface Produced {
  delivered: [index: number, partition: number, offset: number, timestamp: number][];
  errors: unknown[];
}
interface Consumed {
  records: PythonRecord[];
  timedOut: boolean;
}

async function produce(broker: BrokerProcess, start: number, count: number): Promise<Produced> {
  const produced = await runPython<Produced>('producer.py', {
    bootstrap: broker.bootstrap,
    topic,
    start,
    count,
    partitions: partitionCount,
  });
  assert.deepEqual(produced.errors, []);
  assert.equal(produced.delivered.length, count);
  for (const [index, , offset] of produced.delivered) assert.equal(offset, Math.floor(index / partitionCount));
  return produced;
}

async function assertAllThere(broker: BrokerProcess, count: number): Promise<void> {
  const consumed = await runPython<Consumed>('consumer.py', {
    bootstrap: broker.bootstrap,
    topic,
    assign: range(0, partitionCount).map((partition) => ({ partition, offset: 0 })),
  });
  assert.equal(consumed.timedOut, false);
  assertExactRecords(consumed.records.map(fromPython), {
    indices: range(0, count),
    partitionOf: (i) => i % partitionCount,
  });
}

async function partitionsOf(broker: BrokerProcess): Promise<string[]> {
  const listing = await runPython<{ topics: Record<string, { partitions: Record<string, unknown> }> }>('admin.py', {
    bootstrap: broker.bootstrap,
    op: 'list_topics',
  });
  return Object.keys(listing.topics[topic]?.partitions ?? {}).sort();
}

describe('restart persistence', { timeout: 55_000 }, () => {
  test('SIGTERM, then restart on the same port', async () => {
    const first = await startBroker({ overrides: { 'num.partitions': String(partitionCount) } });
    await produce(first, 0, recordCount);
    assert.equal(await first.stop(), 0, 'SIGTERM must exit 0');
    const second = await startBroker({
      dataDir: first.dataDir,
      overrides: { listeners: `PLAINTEXT://127.0.0.1:${first.port}` },
    });
    assert.equal(second.port, first.port);
    assert.deepEqual(await partitionsOf(second), ['0', '1']);
    await assertAllThere(second, recordCount);
    await produce(second, recordCount, 100);
    await assertAllThere(second, recordCount + 100);
    assert.equal(await second.stop(), 0);
  });

  test('SIGKILL, then restart on a new port', async () => {
    const first = await startBroker({ overrides: { 'num.partitions': String(partitionCount) } });
    await produce(first, 0, recordCount);
    first.kill('SIGKILL');
    assert.deepEqual(await first.exited, { code: null, signal: 'SIGKILL' });
    const second = await startBroker({ dataDir: first.dataDir });
    assert.deepEqual(await partitionsOf(second), ['0', '1']);
    await assertAllThere(second, recordCount);
    await produce(second, recordCount, 100);
    await assertAllThere(second, recordCount + 100);
    assert.equal(await second.stop(), 0);
  });
});
