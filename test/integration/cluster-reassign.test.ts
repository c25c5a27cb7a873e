// Goal: moving partitions between brokers with `tideline reassign`, run as a child process, while
// an idempotent librdkafka producer (confluent-kafka, acks=all) writes the whole time to a topic
// with 6 partitions, RF 2 and min.insync.replicas=2. A 4th broker joins and --generate/--execute/
// --verify move partitions onto it (it then holds replicas and their data); auto leader
// rebalance moves leadership to the new preferred replicas; --decommission 3 empties broker 3,
// which then stops and is unregistered (`tideline cluster unregister`). No partition goes more
// than 10 s without an acknowledgement while its replicas move (the longest gap is reported).
// Afterwards every acknowledged record is there exactly once, at the offset it was acknowledged
// with, in production order; every replica holds the same bytes; and, after --verify
// --elect-preferred, each partition is led by its preferred replica with no broker leading more
// than 3 of the 6.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTempDir } from '../helpers/cleanup.js';
import { eventually, FAST_SESSION_OVERRIDES, metadataFrom, TestCluster, type MetadataView } from '../helpers/cluster.js';
import { kcatConsumeJson } from '../helpers/kcat.js';
import { spawnPython, type PythonStream } from '../helpers/python.js';
import { assertAcknowledgedExactlyOnce, replicaLogBytes, type Ack } from '../helpers/acked-records.js';
import { tidelineBin } from '../helpers/repo-root.js';
import { runProcess, type RunResult } from '../helpers/run-process.js';

interface PlanPartition {
  topic: string;
  partition: number;
  replicas: number[];
}

const TOPIC = 'moving';
const PARTITIONS = 6;
const OVERRIDES = { ...FAST_SESSION_OVERRIDES, 'replica.lag.time.max.ms': '3000', 'leader.imbalance.check.interval.seconds': '2' };
const REASSIGN_TIMEOUT_MS = 120_000;
/**
 * A partition whose leader moves should pause for about a leader change (well under a second
 * on loopback), not for the producer's request timeout (30 s): a generous bound.
 */
const ACK_GAP_MAX_MS = 10_000;

describe('reassigning partitions under load', { timeout: 480_000 }, () => {
  let cluster: TestCluster;
  let producer: PythonStream<Ack>;
  const planDir = makeTempDir('tideline-plans-');

  before(async () => {
    cluster = await TestCluster.start(3, OVERRIDES);
    await ok(['topics', 'create', TOPIC, '--partitions', String(PARTITIONS), '--replication-factor', '2', '--config', 'min.insync.replicas=2'], [1]);
    await eventually('every partition has a leader and a full ISR', async () => (await partitions(1)).every((p) => p.leader >= 0 && p.isr.length === 2));
    producer = spawnPython<Ack>('producer_stream.py', { bootstrap: cluster.bootstrap(), topic: TOPIC, partitions: PARTITIONS, idempotent: true });
    // Enough data that copying it to a new replica takes a moment.
    await acksBeyond(200_000, 'first acknowledgements');
  });
  after(async () => {
    producer?.child.kill('SIGKILL');
    await cluster?.stopAll();
  });

  const tideline = (args: string[], via: number[]): Promise<RunResult> =>
    runProcess(process.execPath, [tidelineBin, ...args, '--bootstrap-server', cluster.bootstrap(via)], { timeoutMs: 60_000, allowFailure: true });

  async function ok(args: string[], via: number[]): Promise<string> {
    const result = await tideline(args, via);
    assert.equal(result.code, 0, `tideline ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  }

  async function partitions(via: number): Promise<NonNullable<ReturnType<MetadataView['topics']['get']>>> {
    return (await metadataFrom(cluster.bootstrap([via]), [TOPIC])).topics.get(TOPIC)!;
  }

  function acksBeyond(count: number, what: string): Promise<boolean> {
    return eventually(what, async () => producer.lines.length >= count, 60_000, 50).catch((err: unknown) => {
      throw new Error(`${String(err)}\nproducer stderr: ${producer.stderr()}\n${nodeLogs()}`);
    });
  }

  /** The longest time between two acknowledgements of one partition from `sinceMs` on, and its partition. */
  function longestAckGap(sinceMs: number): { gapMs: number; partition: number } {
    let worst = { gapMs: 0, partition: -1 };
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const times = producer.lines.filter((a) => a[1] === partition && a[3] >= sinceMs).map((a) => a[3]).sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! > worst.gapMs) worst = { gapMs: times[i]! - times[i - 1]!, partition };
    }
    return worst;
  }

  /** The last log lines of every node still tracked, for failure messages. */
  function nodeLogs(bytes = 12_000): string {
    return [...cluster.nodes.entries()].map(([id, n]) => `--- node ${id} ---\n${n.stderrTail(bytes)}`).join('\n');
  }

  /** Stops a node with SIGTERM: null when it exited 0 in time, else its last log lines. */
  async function stopNode(id: number): Promise<string | null> {
    const node = cluster.node(id);
    try {
      return (await node.stop(20_000)) === 0 ? null : node.stderrTail(6000);
    } catch (err) {
      return `${String(err)}\n${node.stderrTail(6000)}`;
    }
  }

  /** The JSON plan printed after `label` by --generate or --decommission. */
  function planAfter(stdout: string, label: string): PlanPartition[] {
    const lines = stdout.split('\n');
    const at = lines.indexOf(label);
    assert.ok(at >= 0, `no "${label}" in:\n${stdout}`);
    return (JSON.parse(lines[at + 1]!) as { version: number; partitions: PlanPartition[] }).partitions;
  }

  function savePlan(name: string, plan: PlanPartition[]): string {
    const file = join(planDir, name);
    writeFileSync(file, JSON.stringify({ version: 1, partitions: plan }));
    return file;
  }

  /** Runs --verify until it exits 0 (all complete); returns how long that took. */
  async function verifyUntilComplete(planFile: string, via: number[]): Promise<number> {
    const startedAt = Date.now();
    let last: RunResult | undefined;
    while (Date.now() - startedAt < REASSIGN_TIMEOUT_MS) {
      last = await tideline(['reassign', '--verify', '--plan', planFile], via);
      if (last.code === 0) return Date.now() - startedAt;
      assert.equal(last.code, 1, `--verify failed: ${last.stderr}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.fail(`reassignment not complete after ${REASSIGN_TIMEOUT_MS} ms:\n${last?.stdout}\n${nodeLogs()}`);
  }

  const inSync = (via: number) =>
    eventually('every replica in the ISR', async () => (await partitions(via)).every((p) => p.leader >= 0 && p.isr.length === p.replicas.length), 60_000, 200);

  const byPartition = (plan: readonly PlanPartition[]) => new Map(plan.filter((p) => p.topic === TOPIC).map((p) => [p.partition, p.replicas]));

  test('a 4th broker joins; --generate, --execute and --verify move partitions onto it under load', async (t) => {
    await cluster.addBroker(4, OVERRIDES);
    await eventually('broker 4 listed', async () => (await metadataFrom(cluster.bootstrap([1]))).brokers.includes(4));

    const generated = await ok(['reassign', '--generate', '--topics', TOPIC, '--brokers', '1,2,3,4'], [1]);
    const current = planAfter(generated, 'Current partition replica assignment');
    const proposed = planAfter(generated, 'Proposed partition reassignment configuration');
    assert.deepEqual(current.map((p) => p.replicas), (await partitions(1)).map((p) => p.replicas), 'the current assignment is what Metadata says');
    assert.equal(proposed.length, PARTITIONS);
    for (const p of proposed) assert.equal(new Set(p.replicas).size, 2, `${p.partition}: [${p.replicas}] keeps RF 2`);
    const perBroker = [1, 2, 3, 4].map((id) => proposed.filter((p) => p.replicas.includes(id)).length);
    assert.deepEqual(perBroker, [3, 3, 3, 3], 'replicas spread evenly over four brokers');

    const planFile = savePlan('onto-4.json', proposed);
    const acksAtStart = producer.lines.length;
    const startedAt = Date.now();
    assert.match(await ok(['reassign', '--execute', '--plan', planFile], [1]), /Successfully started partition reassignments for moving-0,.*moving-5/);
    const tookMs = await verifyUntilComplete(planFile, [1]);
    t.diagnostic(`reassignment onto broker 4 complete in ${tookMs} ms (verify polling), ${producer.lines.length - acksAtStart} records acknowledged meanwhile`);
    await acksBeyond(producer.lines.length + 1000, 'acknowledgements after the move');
    const gap = longestAckGap(startedAt - 1000);
    t.diagnostic(`longest stretch without an acknowledgement around the move: ${gap.gapMs} ms (partition ${gap.partition})`);
    assert.ok(gap.gapMs < ACK_GAP_MAX_MS, `partition ${gap.partition} went ${gap.gapMs} ms without an acknowledgement during the move\n${nodeLogs()}`);

    const target = byPartition(proposed);
    const now = await partitions(1);
    for (const p of now) assert.deepEqual(p.replicas, target.get(p.partition), `partition ${p.partition} is on the plan's replicas`);
    await inSync(1);
    const onFour = now.filter((p) => p.replicas.includes(4));
    assert.equal(onFour.length, 3, 'broker 4 holds three replicas');
    for (const p of onFour) {
      const dir = join(cluster.configs.get(4)!.dataDir, `${TOPIC}-${p.partition}`);
      assert.ok(existsSync(dir), `broker 4 has a log dir for partition ${p.partition}`);
      const bytes = readdirSync(dir).filter((f) => f.endsWith('.log')).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
      assert.ok(bytes > 0, `broker 4's copy of partition ${p.partition} has data`);
    }
  });

  test('auto leader rebalance moves leadership to the new preferred replicas', async (t) => {
    const startedAt = Date.now();
    const now = await eventually('every partition led by its preferred replica', async () => {
      const md = await partitions(1);
      return md.every((p) => p.leader === p.replicas[0]) ? md : undefined;
    }, 30_000, 200);
    t.diagnostic(`preferred leaders after ${Date.now() - startedAt} ms: ${now.map((p) => `${p.partition}->${p.leader}`).join(' ')}`);
    assert.ok(now.some((p) => p.leader === 4), 'broker 4 leads a partition');
  });

  test('--decommission 3 moves its replicas to the other brokers', async (t) => {
    const before = await partitions(1);
    const proposed = planAfter(await ok(['reassign', '--decommission', '3'], [1]), 'Proposed partition reassignment configuration');
    const target = byPartition(proposed);
    for (const p of before) {
      const moved = target.get(p.partition);
      if (!p.replicas.includes(3)) {
        assert.equal(moved, undefined, `partition ${p.partition} has no replica on 3 and stays`);
        continue;
      }
      assert.ok(moved, `partition ${p.partition} has a replica on 3 and moves`);
      assert.ok(!moved.includes(3) && new Set(moved).size === moved.length, `partition ${p.partition}: [${moved}]`);
      assert.deepEqual(moved.filter((id) => p.replicas.includes(id)), p.replicas.filter((id) => id !== 3), 'the other replicas keep their place');
    }

    const planFile = savePlan('off-3.json', proposed);
    const acksAtStart = producer.lines.length;
    const startedAt = Date.now();
    await ok(['reassign', '--execute', '--plan', planFile], [1]);
    const tookMs = await verifyUntilComplete(planFile, [1]);
    t.diagnostic(`decommission of broker 3 complete in ${tookMs} ms, ${producer.lines.length - acksAtStart} records acknowledged meanwhile`);
    await acksBeyond(producer.lines.length + 1000, 'acknowledgements after the decommission');
    const gap = longestAckGap(startedAt - 1000);
    t.diagnostic(`longest stretch without an acknowledgement around the decommission: ${gap.gapMs} ms (partition ${gap.partition})`);
    assert.ok(gap.gapMs < ACK_GAP_MAX_MS, `partition ${gap.partition} went ${gap.gapMs} ms without an acknowledgement during the decommission\n${nodeLogs()}`);
    const elected = await ok(['reassign', '--verify', '--plan', planFile, '--elect-preferred'], [1]);
    assert.match(elected, /(Successfully completed preferred leader election for|The preferred replica already leads) partitions moving-/);

    const all = await metadataFrom(cluster.bootstrap([1]), null);
    for (const [name, list] of all.topics) {
      for (const p of list) assert.ok(!p.replicas.includes(3) && !p.isr.includes(3) && p.leader !== 3, `${name}-${p.partition} left broker 3: ${JSON.stringify(p)}`);
    }
  });

  test('broker 3 stops and is unregistered', async () => {
    const tail = await stopNode(3);
    assert.equal(tail, null, `broker 3 did not stop cleanly within 20 s of SIGTERM:\n${tail}`);
    const acks = producer.lines.length;
    assert.match(await ok(['cluster', 'unregister', '--id', '3'], [1, 2, 4]), /Broker 3 is no longer registered/);
    for (const id of [1, 2, 4]) {
      await eventually(`broker ${id} lists 1,2,4`, async () => (await metadataFrom(cluster.bootstrap([id]))).brokers.join(',') === '1,2,4');
    }
    // The first unregister removed a registration that existed; there is none left to remove.
    const again = await tideline(['cluster', 'unregister', '--id', '3'], [1, 2, 4]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /BROKER_ID_NOT_REGISTERED/);
    await acksBeyond(acks + 1000, 'acknowledgements after broker 3 left');
  });

  test('leaders spread back over the remaining brokers', async (t) => {
    const now = await eventually('every partition led by its preferred replica', async () => {
      const md = await partitions(2);
      return md.every((p) => p.leader === p.replicas[0]) ? md : undefined;
    }, 30_000, 200);
    const led = [1, 2, 4].map((id) => now.filter((p) => p.leader === id).length);
    t.diagnostic(`partitions led by brokers 1, 2, 4: ${led.join(', ')}`);
    const most = Math.ceil(PARTITIONS / 3) + 1;
    for (const [i, count] of led.entries()) assert.ok(count <= most, `broker ${[1, 2, 4][i]} leads ${count} partitions, more than ${most}`);
  });

  test('every acknowledged record is there exactly once, in order, on every replica', async (t) => {
    producer.child.kill('SIGTERM');
    const exit = await Promise.race([producer.exited, new Promise<'late'>((r) => setTimeout(() => r('late'), 30_000).unref())]);
    if (exit === 'late') {
      // Every line printed is still an acknowledged record; only later acknowledgements go unseen.
      t.diagnostic(`the producer did not exit within 30 s of SIGTERM; SIGKILLed. stderr: ${producer.stderr().slice(-2000)}`);
      producer.child.kill('SIGKILL');
      await producer.exited;
    }
    const acked = [...producer.lines];
    t.diagnostic(`acknowledged ${acked.length} records`);
    await inSync(2);

    const read = await kcatConsumeJson(cluster.bootstrap([1, 2, 4]), TOPIC, [], 180_000);
    assertAcknowledgedExactlyOnce(read, acked);

    // Once in sync, the replicas of each partition (broker 4's copies included) hold the same bytes.
    const md = await partitions(2);
    await eventually('replicas converge', async () => {
      for (const p of md) {
        const logs = p.replicas.map((id) => replicaLogBytes(cluster.configs.get(id)!.dataDir, TOPIC, p.partition));
        if (!logs.every((b) => b.equals(logs[0]!))) return false;
      }
      return true;
    }, 30_000, 200);
  });
});

