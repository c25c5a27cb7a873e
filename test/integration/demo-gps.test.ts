// Goal: `tideline demo gps` keeps its promises end to end. On one node, 10,000 partners for about
// ten seconds: the command exits 0 and its summary agrees (every group consumed everything
// produced, no lag, one database row per partner); the SQLite database holds, for each partner,
// exactly the last update the producer had acknowledged; and the analytics service's per-window
// event counts equal the producer's. The same holds when the db-writer is SIGKILLed mid-run and a
// new one takes over from the committed offsets: no update lost, no latest row older than the log.
// The compacted stats topic is read back too: its last record per (zone, window, partition) sums
// to the window's produced events. On a 3-node cluster (replication factor 3, min.insync.replicas
// 2) with the busiest leader SIGKILLed mid-run and started again: still nothing missing and the
// database equal to the last acknowledged updates, and the output shows the killed broker's
// leaderships moving to the other two. With five location members on four partitions, the
// assignment line shows one member idle.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Consumer, stringDeserializers, type Message } from '@platformatic/kafka';
import { demoFiles, readWindowCounts } from '../../src/demo/files.js';
import { KafkaAdmin } from '../../src/client/index.js';
import { ZONE_STATS_TOPIC } from '../../src/demo/types.js';
import type { PartitionZoneStats } from '../../src/demo/partition-windows.js';
import { startBroker } from '../helpers/broker.js';
import { makeTempDir } from '../helpers/cleanup.js';
import { checkRun, runDemo } from '../helpers/demo-run.js';

/** Reads delivery-zone-stats to its end from the demo's broker log dir, restarted after the run. */
async function readZoneStats(dataDir: string): Promise<PartitionZoneStats[]> {
  const broker = await startBroker({ dataDir: demoFiles.brokerData(dataDir) });
  const admin = new KafkaAdmin();
  const consumer = new Consumer({ clientId: 'demo-check', bootstrapBrokers: [broker.bootstrap], groupId: 'demo-check', deserializers: stringDeserializers });
  try {
    await admin.connect(broker.bootstrap);
    const ends = await admin.listOffsets([0, 1, 2].map((partition) => ({ topic: ZONE_STATS_TOPIC, partition, spec: 'latest' as const })));
    const total = ends.reduce((sum, o) => sum + o.offset, 0);
    const records: PartitionZoneStats[] = [];
    const stream = await consumer.consume({ topics: [ZONE_STATS_TOPIC], mode: 'earliest', autocommit: false, maxWaitTime: 100 });
    stream.on('data', (m: Message<string, string, string, string>) => records.push(JSON.parse(m.value) as PartitionZoneStats));
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

describe('tideline demo gps on one node', { timeout: 100_000 }, () => {
  const partners = 10_000;
  const common = ['--nodes', '1', '--partners', String(partners), '--rate', '10000', '--window', '2', '--catch-up-timeout', '20'];

  test('10,000 partners for 6 s: every group catches up, the database and the analytics windows match', async () => {
    const dataDir = makeTempDir('tideline-demo-');
    const run = await runDemo([...common, '--duration', '6', '--data-dir', dataDir], 50_000);
    await checkRun(run, dataDir, partners);
    // The compacted stats topic: the last record of each (zone, window) adds up to the window's events.
    const latest = new Map<string, PartitionZoneStats>();
    for (const s of await readZoneStats(dataDir)) latest.set(`${s.zone}@${s.windowStartMs}@${s.partition}`, s);
    const perWindow: Record<string, number> = {};
    for (const s of latest.values()) perWindow[String(s.windowStartMs)] = (perWindow[String(s.windowStartMs)] ?? 0) + s.events;
    assert.deepEqual(perWindow, readWindowCounts(dataDir));
  });

  test('the db-writer is SIGKILLed at 2.5 s and replaced: no update lost, no latest row stale', async () => {
    const dataDir = makeTempDir('tideline-demo-');
    const run = await runDemo([...common, '--duration', '5', '--kill-db-writer-at', '2.5', '--data-dir', dataDir], 50_000);
    assert.match(run.stdout, /killed the db-writer/);
    await checkRun(run, dataDir, partners);
  });
});

/** The `demo gps: t=…s leaders broker1=4 broker2=0(down) … isr=…` lines, parsed, in output order. */
function leaderLines(stdout: string): { line: string; leaders: Map<number, number>; down: Set<number>; leaderless: number }[] {
  return stdout.split('\n').flatMap((line) => {
    const at = line.indexOf(' leaders broker');
    if (!line.startsWith('demo gps: ') || at < 0) return [];
    const leaders = new Map<number, number>();
    const down = new Set<number>();
    for (const m of line.slice(at).matchAll(/broker(\d+)=(\d+)(\(down\))?/g)) {
      leaders.set(Number(m[1]), Number(m[2]));
      if (m[3] !== undefined) down.add(Number(m[1]));
    }
    return [{ line, leaders, down, leaderless: Number(/leaderless=(\d+)/.exec(line)?.[1] ?? 0) }];
  });
}

describe('tideline demo gps on a 3-node cluster', { timeout: 70_000 }, () => {
  test('the busiest leader is SIGKILLed mid-run and restarted: leadership moves, nothing is missing', async () => {
    const partners = 10_000;
    const dataDir = makeTempDir('tideline-demo-');
    const args = ['--nodes', '3', '--partners', String(partners), '--rate', '10000', '--window', '2', '--duration', '10', '--kill-broker-at', '4'];
    const run = await runDemo([...args, '--catch-up-timeout', '25', '--data-dir', dataDir], 65_000);
    const explain = `stdout:\n${run.stdout}\nstderr:\n${run.stderr.slice(-4000)}`;
    assert.match(run.stdout, /12 partitions x 3 replicas \(min\.insync\.replicas=2\)/, explain);
    const killed = /killed broker (\d+) \(SIGKILL\), leader of (\d+) of 12/.exec(run.stdout);
    assert.ok(killed !== null, explain);
    const [victim, led] = [Number(killed[1]), Number(killed[2])];
    assert.ok(led >= 4, `the busiest of three brokers leads at least a third: ${explain}`);
    // Before the kill it led partitions; after it, a leaders line shows it leading none while the
    // other two lead all twelve.
    const lines = leaderLines(run.stdout);
    const killIndex = run.stdout.indexOf(killed[0]);
    assert.ok(lines.some((l) => run.stdout.indexOf(l.line) < killIndex && (l.leaders.get(victim) ?? 0) > 0), explain);
    const moved = lines.find((l) => run.stdout.indexOf(l.line) > killIndex && l.leaders.get(victim) === 0 && l.leaderless === 0);
    assert.ok(moved !== undefined, `no leaders line shows broker ${victim} without leaderships: ${explain}`);
    assert.equal([...moved.leaders.values()].reduce((a, b) => a + b, 0), 12, moved.line);
    await checkRun(run, dataDir, partners, { hasWindows: false });
  });
});

describe('tideline demo gps with several members per service', { timeout: 50_000 }, () => {
  test('five location members on four partitions: the assignment line shows one idle member', async () => {
    const dataDir = makeTempDir('tideline-demo-');
    const args = ['--nodes', '1', '--partitions', '4', '--consumers', 'location=5,db=2', '--partners', '2000', '--rate', '5000', '--duration', '6'];
    const run = await runDemo([...args, '--catch-up-timeout', '20', '--data-dir', dataDir], 45_000);
    const explain = `stdout:\n${run.stdout}\nstderr:\n${run.stderr.slice(-4000)}`;
    const last = (service: string): string[] => {
      const lines = run.stdout.split('\n').filter((l) => l.includes(` assignment ${service}: `));
      assert.ok(lines.length > 0, explain);
      return lines.at(-1)!.split(`assignment ${service}: `)[1]!.split(' ');
    };
    const location = last('location');
    assert.equal(location.length, 5, explain);
    assert.deepEqual(location.filter((m) => m.endsWith('=idle')).length, 1, explain);
    const held = location.filter((m) => !m.endsWith('=idle')).map((m) => Number(m.split('=')[1]));
    assert.deepEqual(held.sort(), [0, 1, 2, 3], explain);
    // Two db-writers share the four partitions and the one database.
    const db = last('db');
    assert.equal(db.length, 2, explain);
    assert.ok(db.every((m) => !m.endsWith('=idle')), explain);
    await checkRun(run, dataDir, 2000);
  });
});
