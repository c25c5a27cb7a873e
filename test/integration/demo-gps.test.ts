// Goal: `tideline demo gps` on one node keeps its promises end to end. 10,000 partners for about
// ten seconds: the command exits 0 and its summary agrees (every group consumed everything
// produced, no lag, one database row per partner); the SQLite database holds, for each partner,
// exactly the last update the producer had acknowledged; and the analytics service's per-window
// event counts equal the producer's. The same holds when the db-writer is SIGKILLed mid-run and a
// new one takes over from the committed offsets: no update lost, no latest row older than the log.
// The compacted stats topic is read back too: its last record per (zone, window) sums to the
// window's produced events.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { Consumer, stringDeserializers, type Message } from '@platformatic/kafka';
import { demoFiles, readLastUpdates, readWindowCounts } from '../../src/demo/files.js';
import { LocationStoreReader } from '../../src/demo/sqlite.js';
import { KafkaAdmin } from '../../src/client/index.js';
import { ZONE_STATS_TOPIC } from '../../src/demo/types.js';
import type { ZoneStats } from '../../src/demo/zone-windows.js';
import { startBroker } from '../helpers/broker.js';
import { makeTempDir } from '../helpers/cleanup.js';
import { tidelineBin } from '../helpers/repo-root.js';

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const groups = new Set<number>();
after(() => {
  // The demo runs in its own process group: kill it whole, so no broker or service outlives a failure.
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch (err) {
      void err; // already gone
    }
  }
});

function runDemo(args: string[], timeoutMs: number): Promise<DemoRun> {
  const child = spawn(process.execPath, [tidelineBin, 'demo', 'gps', ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  groups.add(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      groups.delete(child.pid!);
      resolve({ code, stdout, stderr });
    });
  });
}

function parseSummary(stdout: string): Record<string, number> {
  const lines = stdout.split('\n').filter((l) => l.startsWith('demo summary '));
  assert.equal(lines.length, 1, `one summary line expected:\n${stdout}`);
  return Object.fromEntries(lines[0]!.slice('demo summary '.length).split(' ').map((kv) => {
    const [k, v] = kv.split('=');
    return [k!, Number(v)];
  }));
}

function checkRun(run: DemoRun, dataDir: string, partners: number): void {
  const explain = `stdout:\n${run.stdout}\nstderr:\n${run.stderr.slice(-4000)}`;
  assert.equal(run.code, 0, explain);
  const summary = parseSummary(run.stdout);
  assert.ok(summary.produced! > partners, explain);
  for (const group of ['location', 'analytics', 'db']) assert.equal(summary[group], summary.produced, `${group}: ${explain}`);
  assert.equal(summary.lag, 0);
  assert.equal(summary.db_rows, partners);

  const produced = readLastUpdates(demoFiles.lastUpdates(dataDir));
  assert.equal(produced.length, partners);
  const reader = new LocationStoreReader(demoFiles.database(dataDir));
  try {
    assert.deepEqual(reader.latestUpdates(), produced);
    assert.ok(reader.historyRowCount() > 0, 'sampled history rows');
  } finally {
    reader.close();
  }

  const producedWindows = readWindowCounts(demoFiles.producedWindows(dataDir));
  assert.deepEqual(readWindowCounts(demoFiles.analyticsWindows(dataDir)), producedWindows);
  assert.equal(Object.values(producedWindows).reduce((a, b) => a + b, 0), summary.produced);
}

/** Reads delivery-zone-stats to its end from the demo's broker log dir, restarted after the run. */
async function readZoneStats(dataDir: string): Promise<ZoneStats[]> {
  const broker = await startBroker({ dataDir: demoFiles.brokerData(dataDir) });
  const admin = new KafkaAdmin();
  const consumer = new Consumer({ clientId: 'demo-check', bootstrapBrokers: [broker.bootstrap], groupId: 'demo-check', deserializers: stringDeserializers });
  try {
    await admin.connect(broker.bootstrap);
    const ends = await admin.listOffsets([0, 1, 2].map((partition) => ({ topic: ZONE_STATS_TOPIC, partition, spec: 'latest' as const })));
    const total = ends.reduce((sum, o) => sum + o.offset, 0);
    const records: ZoneStats[] = [];
    const stream = await consumer.consume({ topics: [ZONE_STATS_TOPIC], mode: 'earliest', autocommit: false, maxWaitTime: 100 });
    stream.on('data', (m: Message<string, string, string, string>) => records.push(JSON.parse(m.value) as ZoneStats));
    const deadline = Date.now() + 10_000;
    while (records.length < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await stream.close();
    assert.equal(records.length, total, 'read the whole stats topic');
    return records;
  } finally {
    await consumer.close();
    await admin.close();
    await broker.stop();
  }
}

describe('tideline demo gps on one node', { timeout: 58_000 }, () => {
  const partners = 10_000;
  const common = ['--partners', String(partners), '--rate', '10000', '--window', '2', '--catch-up-timeout', '20'];

  test('10,000 partners for 8 s: every group catches up, the database and the analytics windows match', async () => {
    const dataDir = makeTempDir('tideline-demo-');
    const run = await runDemo([...common, '--duration', '8', '--data-dir', dataDir], 40_000);
    checkRun(run, dataDir, partners);
    // The compacted stats topic: the last record of each (zone, window) adds up to the window's events.
    const latest = new Map<string, ZoneStats>();
    for (const s of await readZoneStats(dataDir)) latest.set(`${s.zone}@${s.windowStartMs}`, s);
    const perWindow: Record<string, number> = {};
    for (const s of latest.values()) perWindow[String(s.windowStartMs)] = (perWindow[String(s.windowStartMs)] ?? 0) + s.events;
    assert.deepEqual(perWindow, readWindowCounts(demoFiles.producedWindows(dataDir)));
  });

  test('the db-writer is SIGKILLed at 3 s and replaced: no update lost, no latest row stale', async () => {
    const dataDir = makeTempDir('tideline-demo-');
    const run = await runDemo([...common, '--duration', '6', '--kill-db-writer-at', '3', '--data-dir', dataDir], 45_000);
    assert.match(run.stdout, /killed the db-writer/);
    checkRun(run, dataDir, partners);
  });
});
