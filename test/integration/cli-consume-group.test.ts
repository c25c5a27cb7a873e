// Goal: `tideline consume --group` is a real consumer-group member. Two of them share a
// 4-partition topic: each record kcat produced (key, value, headers) is printed exactly once, by
// the member the group assigned its partition to. They commit what they printed and leave, so a
// member started later resumes at the committed offsets; --no-commit leaves no commit behind;
// SIGINT commits what was printed, leaves the group and exits 0; and a member that joins while
// records flow costs no record (delivery is at least once: a moved partition may repeat some).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { KafkaAdmin } from '../../src/client/index.js';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { trackChild } from '../helpers/cleanup.js';
import { kcatProduceKeyed } from '../helpers/kcat.js';
import { kcatKeyedLines, keyOf, valueOf } from '../helpers/records.js';
import { tidelineBin } from '../helpers/repo-root.js';
import { runProcess, type RunResult } from '../helpers/run-process.js';

interface JsonRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
}

const TOPIC = 'shared';
const PARTITIONS = 4;
/** Records kcat writes into each partition per round; partition p, offset o holds record p*1000+o. */
const FIRST_ROUND = 25;
const SECOND_ROUND = 10;
const WAIT_MS = 30_000;

describe('tideline consume --group', { timeout: 120_000 }, () => {
  let broker: BrokerProcess;
  let admin: KafkaAdmin;

  const tidelineArgs = (args: string[]): string[] => [tidelineBin, ...args, '--bootstrap-server', broker.bootstrap];
  const consume = (args: string[]): Promise<RunResult> =>
    runProcess(process.execPath, tidelineArgs(['consume', TOPIC, '--format', 'json', ...args]), { timeoutMs: 60_000, allowFailure: true });
  const jsonLines = (stdout: string): JsonRecord[] => stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as JsonRecord);

  /** Produces records [from, from+count) of every partition with kcat, headers included. */
  async function produceRound(from: number, count: number): Promise<void> {
    for (let p = 0; p < PARTITIONS; p++) {
      await kcatProduceKeyed(broker.bootstrap, TOPIC, kcatKeyedLines(p * 1000 + from, count), ['-p', String(p), '-H', 'origin=kcat', '-H', `partition=${p}`]);
    }
  }

  /** Checks each printed record against what kcat wrote at its partition and offset. */
  function assertAsProduced(records: JsonRecord[]): void {
    for (const r of records) {
      const i = r.partition * 1000 + r.offset;
      assert.deepEqual([r.key, r.value], [keyOf(i), valueOf(i)], `partition ${r.partition} offset ${r.offset}`);
      assert.deepEqual(r.headers, [{ key: 'origin', value: 'kcat' }, { key: 'partition', value: String(r.partition) }]);
    }
  }

  const offsetsOf = (records: JsonRecord[], partition: number): number[] => records.filter((r) => r.partition === partition).map((r) => r.offset);
  const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

  async function committed(groupId: string, topic = TOPIC): Promise<Map<number, number>> {
    return new Map((await admin.fetchCommittedOffsets(groupId)).filter((c) => c.topic === topic).map((c) => [c.partition, c.offset]));
  }

  /** Waits until the group is Stable with `members` members that together hold every partition. */
  async function waitForAssignment(groupId: string, members: number, topic = TOPIC): Promise<number[][]> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const group = await admin.describeGroup(groupId).catch(() => null);
      const assignments = group?.members.map((m) => (m.assignment ?? []).filter((tp) => tp.topic === topic).map((tp) => tp.partition).sort()) ?? [];
      if (group?.groupState === 'Stable' && assignments.length === members && assignments.flat().length === PARTITIONS) return assignments;
      if (Date.now() > deadline) throw new Error(`group ${groupId} did not settle: ${JSON.stringify(group)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async function waitForEmpty(groupId: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while ((await admin.describeGroup(groupId)).groupState !== 'Empty') {
      if (Date.now() > deadline) throw new Error(`group ${groupId} still has members`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  before(async () => {
    broker = await startBroker({ overrides: { 'group.initial.rebalance.delay.ms': '0' } });
    admin = new KafkaAdmin({ requestTimeoutMs: 10_000 });
    await admin.connect(broker.bootstrap);
    await admin.createTopics([{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 }]);
  });

  after(async () => {
    await admin?.close();
    assert.equal(await broker.stop(), 0);
  });

  test('two members share the partitions, commit, leave, and a later member resumes at the commit', async () => {
    // Each member stops after its two partitions' records: the assignors split 4 partitions 2 and 2.
    const perMember = String((PARTITIONS / 2) * FIRST_ROUND);
    const members = [consume(['--group', 'pair', '--max-messages', perMember]), consume(['--group', 'pair', '--max-messages', perMember])];
    const assignments = await waitForAssignment('pair', 2);
    assert.deepEqual(assignments.map((a) => a.length), [2, 2]);
    await produceRound(0, FIRST_ROUND);
    const results = await Promise.all(members);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const [first, second] = results.map((r) => jsonLines(r.stdout));
    // Disjoint partitions, every record once, in offset order, exactly as kcat wrote it.
    const partitionsOf = (records: JsonRecord[]): number[] => [...new Set(records.map((r) => r.partition))].sort();
    assert.equal(partitionsOf(first!).filter((p) => partitionsOf(second!).includes(p)).length, 0);
    const all = [...first!, ...second!];
    for (let p = 0; p < PARTITIONS; p++) assert.deepEqual(offsetsOf(all, p), range(0, FIRST_ROUND), `partition ${p}`);
    assertAsProduced(all);
    await waitForEmpty('pair');
    assert.deepEqual(await committed('pair'), new Map(range(0, PARTITIONS).map((p) => [p, FIRST_ROUND])));

    // Without --from-beginning a member starts at the group's commit, not the log end.
    await produceRound(FIRST_ROUND, SECOND_ROUND);
    const resumed = await consume(['--group', 'pair', '--max-messages', String(PARTITIONS * SECOND_ROUND)]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const again = jsonLines(resumed.stdout);
    for (let p = 0; p < PARTITIONS; p++) assert.deepEqual(offsetsOf(again, p), range(FIRST_ROUND, SECOND_ROUND), `partition ${p}`);
    assertAsProduced(again);
    assert.deepEqual(await committed('pair'), new Map(range(0, PARTITIONS).map((p) => [p, FIRST_ROUND + SECOND_ROUND])));
  });

  test('--no-commit reads from the beginning and leaves no committed offset', async () => {
    const total = PARTITIONS * (FIRST_ROUND + SECOND_ROUND);
    const result = await consume(['--group', 'reader', '--from-beginning', '--no-commit', '--max-messages', String(total)]);
    assert.equal(result.code, 0, result.stderr);
    const records = jsonLines(result.stdout);
    assert.equal(records.length, total);
    assertAsProduced(records);
    assert.deepEqual(await committed('reader'), new Map());
  });

  test('SIGINT commits what was printed, leaves the group and exits 0', async () => {
    const total = PARTITIONS * (FIRST_ROUND + SECOND_ROUND);
    const child = spawn(process.execPath, tidelineArgs(['consume', TOPIC, '--group', 'interrupted', '--from-beginning', '--format', 'json']), { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + WAIT_MS;
    while (jsonLines(stdout).length < total) {
      if (Date.now() > deadline) throw new Error(`printed ${jsonLines(stdout).length} of ${total}: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
    assertAsProduced(jsonLines(stdout));
    await waitForEmpty('interrupted');
    assert.deepEqual(await committed('interrupted'), new Map(range(0, PARTITIONS).map((p) => [p, FIRST_ROUND + SECOND_ROUND])));
  });

  test('a member joining while records flow: every record printed at least once, all committed', async () => {
    const topic = 'flowing';
    await admin.createTopics([{ name: topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
    const member = (): Promise<RunResult> =>
      runProcess(process.execPath, tidelineArgs(['consume', topic, '--group', 'joiners', '--from-beginning', '--timeout-ms', '6000', '--format', 'json']), { timeoutMs: 90_000, allowFailure: true });
    const rounds = 4;
    const perRound = 20;
    const produce = async (round: number): Promise<void> => {
      for (let p = 0; p < PARTITIONS; p++) {
        await kcatProduceKeyed(broker.bootstrap, topic, kcatKeyedLines(p * 1000 + round * perRound, perRound), ['-p', String(p), '-H', 'origin=kcat', '-H', `partition=${p}`]);
      }
    };
    const first = member();
    await waitForAssignment('joiners', 1, topic);
    await produce(0);
    const second = member();
    for (let round = 1; round < rounds; round++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await produce(round);
    }
    const results = await Promise.all([first, second]);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const all = results.flatMap((r) => jsonLines(r.stdout));
    assertAsProduced(all);
    for (let p = 0; p < PARTITIONS; p++) {
      assert.deepEqual([...new Set(offsetsOf(all, p))].sort((a, b) => a - b), range(0, rounds * perRound), `partition ${p}`);
    }
    await waitForEmpty('joiners');
    assert.deepEqual(await committed('joiners', topic), new Map(range(0, PARTITIONS).map((p) => [p, rounds * perRound])));
  });
});
