// Goal: SIGKILL of the broker while a python producer (acks=all) writes continuously loses no
// acknowledged record. After a restart on the same log.dirs, every record the producer got a
// successful delivery report for is at the offset that report named, and each partition holds a
// gap-free, in-order prefix of what was sent to it.

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { startBroker } from '../helpers/broker.js';
import { runPython, spawnPython } from '../helpers/python.js';
import { headersOf, indexOfKey, keyOf, valueOf } from '../helpers/records.js';
import { fromPython, range, type PythonRecord } from '../helpers/verify.js';

const topic = 'kill9';
const partitionCount = 2;
const ackedMin = 5_000;

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

describe('recovery after kill -9', { timeout: 55_000 }, () => {
  test('every acknowledged record survives SIGKILL, in order', async (t) => {
    const broker = await startBroker({ overrides: { 'num.partitions': String(partitionCount) } });
    const producer = spawnPython<[index: number, partition: number, offset: number]>('producer_stream.py', {
      bootstrap: broker.bootstrap,
      topic,
      partitions: partitionCount,
    });
    await waitFor(() => producer.lines.length >= ackedMin, 25_000, `${ackedMin} acks (stderr: ${producer.stderr()})`);
    broker.kill('SIGKILL');
    await broker.exited;
    await sleep(300);
    producer.child.kill('SIGTERM');
    const producerExit = await Promise.race([producer.exited, sleep(5_000).then(() => null)]);
    if (producerExit === null) producer.child.kill('SIGKILL');
    const acked = [...producer.lines];
    assert.ok(acked.length >= ackedMin);

    const restarted = await startBroker({ dataDir: broker.dataDir });
    const consumed = await runPython<{ records: PythonRecord[]; timedOut: boolean }>('consumer.py', {
      bootstrap: restarted.bootstrap,
      topic,
      assign: range(0, partitionCount).map((partition) => ({ partition, offset: 0 })),
    });
    assert.equal(consumed.timedOut, false);
    const records = consumed.records.map(fromPython);
    t.diagnostic(`acknowledged ${acked.length}, found ${records.length} after restart`);
    const byPlace = new Map(records.map((r) => [`${r.partition}/${r.offset}`, r]));
    for (const [index, partition, offset] of acked) {
      const r = byPlace.get(`${partition}/${offset}`);
      assert.ok(r !== undefined, `acknowledged record ${index} at ${partition}/${offset} is missing`);
      assert.equal(r.key, keyOf(index), `${partition}/${offset}: key`);
      assert.equal(r.value, valueOf(index), `${partition}/${offset}: value`);
      assert.deepEqual(r.headers, headersOf(index), `${partition}/${offset}: headers`);
    }
    // Record i went to partition i % 2, so partition p must hold p, p+2, p+4, ... from offset 0.
    for (const r of records) {
      assert.equal(indexOfKey(r.key), r.offset * partitionCount + r.partition, `record at ${r.partition}/${r.offset}`);
    }
    assert.equal(await restarted.stop(), 0);
  });
});
