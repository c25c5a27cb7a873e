// Goal: a damaged tail of the active segment is recovered on start-up. For a torn last batch
// (file truncated mid-batch), a corrupt last batch (a flipped byte, so its CRC fails) and garbage
// appended after the last batch, the restarted broker serves every batch before the damage exactly,
// appends new records right after them, and logs the recovery on stderr.

import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { runPython } from '../helpers/python.js';
import { activeSegmentPath, batchesIn, type BatchLocation } from '../helpers/segments.js';
import { assertExactRecords, fromPython, range, type PythonRecord } from '../helpers/verify.js';

const topic = 'corrupt-tail';
const batchCount = 20;
const recordsPerBatch = 50;
const recordCount = batchCount * recordsPerBatch;
const newRecordsStart = 100_000;
const recoveryLogPattern = /truncat|corrupt|torn|recover/i;

interface Produced {
  delivered: [index: number, partition: number, offset: number, timestamp: number][];
  errors: unknown[];
}

async function produce(broker: BrokerProcess, start: number, count: number, flushEvery = 0): Promise<Produced> {
  const produced = await runPython<Produced>('producer.py', { bootstrap: broker.bootstrap, topic, start, count, flushEvery });
  assert.deepEqual(produced.errors, []);
  assert.equal(produced.delivered.length, count);
  return produced;
}

async function readAll(broker: BrokerProcess): Promise<PythonRecord[]> {
  const consumed = await runPython<{ records: PythonRecord[]; timedOut: boolean }>('consumer.py', {
    bootstrap: broker.bootstrap,
    topic,
    assign: [{ partition: 0, offset: 0 }],
  });
  assert.equal(consumed.timedOut, false);
  return consumed.records;
}

/**
 * Writes batchCount flushed batches, stops the broker, and returns the segment layout. A crash
 * (SIGKILL) is how a torn tail really happens; after a clean stop (SIGTERM) the broker trusts its
 * files but must still check the active segment's tail, so both ways are exercised.
 */
async function writeAndStop(how: 'SIGTERM' | 'SIGKILL'): Promise<{ dataDir: string; segment: string; batches: BatchLocation[] }> {
  const broker = await startBroker({ overrides: { 'num.partitions': '1' } });
  await produce(broker, 0, recordCount, recordsPerBatch);
  if (how === 'SIGTERM') assert.equal(await broker.stop(), 0);
  else {
    broker.kill('SIGKILL');
    await broker.exited;
  }
  const segment = activeSegmentPath(broker.dataDir, topic, 0);
  const batches = batchesIn(segment);
  assert.ok(batches.length >= 2, `expected several batches, found ${batches.length}`);
  assert.equal(batches[batches.length - 1]!.lastOffset, recordCount - 1);
  return { dataDir: broker.dataDir, segment, batches };
}

/**
 * The broker logs pino JSON on stderr; the damage must be reported at warn level or above
 * (pino level >= 40) by a line that names the partition's directory, not merely an info line that
 * every unclean start prints.
 */
function assertRecoveryLogged(stderr: string): void {
  const warnings = stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => ({ line, level: (JSON.parse(line) as { level?: number }).level ?? 0 }))
    .filter(({ line, level }) => level >= 40 && line.includes(`${topic}-0`) && recoveryLogPattern.test(line));
  assert.ok(warnings.length > 0, `no warning about recovering ${topic}-0 in stderr:\n${stderr.slice(-3000)}`);
}

/** Restarts on the damaged dir and checks records [0, keptCount) plus fresh appends after them. */
async function assertRecovered(dataDir: string, keptCount: number, isDamageLogged: boolean): Promise<void> {
  const broker = await startBroker({ dataDir });
  if (isDamageLogged) assertRecoveryLogged(broker.stderrTail(1 << 20));
  assertExactRecords((await readAll(broker)).map(fromPython), { indices: range(0, keptCount) });
  const produced = await produce(broker, newRecordsStart, 10);
  assert.deepEqual(
    produced.delivered.map(([, , offset]) => offset),
    range(keptCount, keptCount + 10),
    'new records go right after the kept ones',
  );
  const records = (await readAll(broker)).map(fromPython);
  assertExactRecords(records, { indices: [...range(0, keptCount), ...range(newRecordsStart, newRecordsStart + 10)] });
  assert.equal(await broker.stop(), 0);
}

describe('recovery of a corrupt segment tail', { timeout: 55_000 }, () => {
  test('a torn last batch is dropped (after a crash)', async () => {
    const { dataDir, segment, batches } = await writeAndStop('SIGKILL');
    const last = batches[batches.length - 1]!;
    truncateSync(segment, last.position + last.size - 7);
    await assertRecovered(dataDir, last.baseOffset, true);
  });

  test('a last batch failing its CRC is dropped (after a clean stop)', async () => {
    const { dataDir, segment, batches } = await writeAndStop('SIGTERM');
    const last = batches[batches.length - 1]!;
    const bytes = readFileSync(segment);
    const victim = last.position + last.size - 3; // inside the last record, covered by the CRC
    bytes[victim] = bytes[victim]! ^ 0xff;
    writeFileSync(segment, bytes);
    await assertRecovered(dataDir, last.baseOffset, true);
  });

  test('garbage after the last batch is cut, all batches kept (after a crash)', async () => {
    const { dataDir, segment } = await writeAndStop('SIGKILL');
    appendFileSync(segment, Buffer.from('this is not a record batch, just trailing garbage bytes'));
    await assertRecovered(dataDir, recordCount, true);
  });
});
