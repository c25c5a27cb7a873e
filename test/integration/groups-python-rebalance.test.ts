// Goal: a stable classic group of real librdkafka members (python confluent-kafka, one process
// each) rebalances correctly when a member joins while records keep arriving (partitions move,
// no record lost, none read twice: each member commits synchronously after every batch, so its
// commit point is everything it printed), and when a member crashes (SIGKILL, no LeaveGroup) the
// coordinator expires it after its session timeout, not before, and moves its partitions to the
// survivors, who resume at its last commit (only records it read but never committed may be read again).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { runPython, spawnPython, type PythonStream } from '../helpers/python.js';
import { assertExactRecords, fromPython, range, type PythonRecord, type ReadRecord } from '../helpers/verify.js';

/** One line of group_consumer.py. */
interface MemberEvent extends Partial<PythonRecord> {
  ev: string;
  t: number;
  parts?: [string, number][];
  offsets?: [string, number, number][];
}

/** A group member in its own python process, and what it has printed so far. */
class Member {
  readonly stream: PythonStream<MemberEvent>;
  constructor(
    readonly name: string,
    args: object,
  ) {
    this.stream = spawnPython<MemberEvent>('group_consumer.py', { name, ...args });
  }
  /** Partitions of the latest assign callback, or undefined if none came or a revoke followed it. */
  assignment(): number[] | undefined {
    const last = this.stream.lines.filter((e) => e.ev === 'assign' || e.ev === 'revoke' || e.ev === 'lost').at(-1);
    return last?.ev === 'assign' ? last.parts!.map(([, p]) => p).sort((a, b) => a - b) : undefined;
  }
  rebalanceCount(): number {
    return this.stream.lines.filter((e) => e.ev === 'assign' || e.ev === 'revoke' || e.ev === 'lost').length;
  }
  records(): ReadRecord[] {
    return this.stream.lines.filter((e) => e.ev === 'rec').map((e) => fromPython(e as PythonRecord));
  }
  describe(): string {
    const events = this.stream.lines.filter((e) => e.ev !== 'rec').map((e) => JSON.stringify(e));
    return `${this.name}: ${this.records().length} records; ${events.join(' ')}\n  stderr: ${this.stream.stderr().slice(-1500)}`;
  }
  isRunning(): boolean {
    return this.stream.child.exitCode === null && this.stream.child.signalCode === null;
  }
  /** SIGTERM: the member closes (LeaveGroup unless static) and prints "closed". */
  async stop(): Promise<void> {
    this.stream.child.kill('SIGTERM');
    const exit = await withTimeout(this.stream.exited, 15_000, `${this.name} did not exit after SIGTERM`);
    assert.equal(exit.code, 0, this.describe());
    assert.equal(this.stream.lines.at(-1)?.ev, 'closed', this.describe());
  }
  /** SIGKILL: a crash, no LeaveGroup and no last commit. */
  async kill(): Promise<void> {
    this.stream.child.kill('SIGKILL');
    await withTimeout(this.stream.exited, 5_000, `${this.name} survived SIGKILL`);
  }
}

/** Cleanup after a failed test, so stray members cannot disturb the next one. */
function killRunning(members: readonly Member[]): void {
  for (const m of members) if (m.isRunning()) m.stream.child.kill('SIGKILL');
}

function withTimeout<T>(promise: Promise<T>, ms: number, why: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(why)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `isMet` every 50 ms; after `timeoutMs` fails with `explain()`. */
async function waitUntil(isMet: () => boolean, timeoutMs: number, explain: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!isMet()) {
    if (Date.now() > deadline) throw new Error(`not met within ${timeoutMs} ms:\n${explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** True when every member holds an assignment and together they own each partition exactly once. */
function isCompleteAssignment(members: readonly Member[], partitionCount: number): boolean {
  const owned: number[] = [];
  for (const m of members) {
    const parts = m.assignment();
    if (parts === undefined) return false;
    owned.push(...parts);
  }
  return owned.length === partitionCount && new Set(owned).size === partitionCount;
}

/** Waits for a complete assignment that then holds, with no callback anywhere, for `quietMs`. */
async function waitForStableAssignment(members: readonly Member[], partitionCount: number, timeoutMs: number, quietMs = 1500): Promise<void> {
  const explain = (): string => members.map((m) => m.describe()).join('\n');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await waitUntil(() => isCompleteAssignment(members, partitionCount), deadline - Date.now(), explain);
    const callbacks = members.map((m) => m.rebalanceCount());
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    if (members.every((m, k) => m.rebalanceCount() === callbacks[k]) && isCompleteAssignment(members, partitionCount)) return;
    if (Date.now() > deadline) throw new Error(`assignment did not settle within ${timeoutMs} ms:\n${explain()}`);
  }
}

/** Every record a member printed came from a partition it held at that moment (between an assign
 * callback and the next revoke), and together the members read records [start, end) exactly. */
function assertReadExactly(members: readonly Member[], indices: number[], partitionOf: (i: number) => number): void {
  const all: ReadRecord[] = [];
  for (const m of members) {
    let held = new Set<number>();
    const lastOffsets = new Map<number, number>();
    for (const e of m.stream.lines) {
      if (e.ev === 'assign') held = new Set(e.parts!.map(([, p]) => p));
      if (e.ev === 'revoke' || e.ev === 'lost') held = new Set();
      if (e.ev !== 'rec') continue;
      assert.ok(held.has(e.p!), `${m.name} read ${e.p}/${e.o} holding [${[...held]}]`);
      assert.ok(e.o! > (lastOffsets.get(e.p!) ?? -1), `${m.name} read ${e.p}/${e.o} after offset ${lastOffsets.get(e.p!)}`);
      lastOffsets.set(e.p!, e.o!);
    }
    all.push(...m.records());
  }
  // Sorting by offset keeps each partition's order while merging what successive owners read.
  all.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  assertExactRecords(all, { indices, partitionOf });
}

function totalRecords(members: readonly Member[]): number {
  return members.reduce((sum, m) => sum + m.records().length, 0);
}

/** Produces records [start, start + count) with producer.py, record i to partition i % partitions. */
async function produceRecords(bootstrap: string, topic: string, start: number, count: number, partitions: number): Promise<void> {
  const args = { bootstrap, topic, start, count, partitions };
  const result = await runPython<{ errors: unknown[]; delivered: unknown[] }>('producer.py', args);
  assert.deepEqual(result.errors, []);
  assert.equal(result.delivered.length, count);
}

async function createTopics(bootstrap: string, topics: { name: string; partitions: number }[]): Promise<void> {
  const created = await runPython<{ results: Record<string, unknown> }>('admin.py', { bootstrap, op: 'create_topics', topics });
  assert.deepEqual(created.results, Object.fromEntries(topics.map((t) => [t.name, null])));
}

/** Records read again whose offset a successful commit had already covered when they were re-read. */
function readsAfterCommitPoint(members: readonly Member[]): string[] {
  const commits: { t: number; p: number; o: number }[] = [];
  const reads = new Map<string, { t: number; name: string }[]>();
  for (const m of members) {
    for (const e of m.stream.lines) {
      if (e.ev === 'commit') for (const [, p, o] of e.offsets!) commits.push({ t: e.t, p, o });
      if (e.ev === 'rec') {
        const key = `${e.p}/${e.o}`;
        reads.set(key, [...(reads.get(key) ?? []), { t: e.t, name: m.name }]);
      }
    }
  }
  const bad: string[] = [];
  for (const [key, list] of reads) {
    if (list.length < 2) continue;
    const [p, o] = key.split('/').map(Number) as [number, number];
    const reread = list.sort((a, b) => a.t - b.t)[1]!;
    const covering = commits.find((c) => c.p === p && c.o > o && c.t <= reread.t);
    if (covering !== undefined) bad.push(`${key} read by ${list.map((r) => r.name).join(', ')} after commit ${covering.o}`);
  }
  return bad;
}

/** The first read of every record, for the exactness check after allowed re-reads. */
function firstReads(members: readonly Member[]): ReadRecord[] {
  const byPosition = new Map<string, ReadRecord>();
  for (const m of members) {
    for (const r of m.records()) {
      const position = `${r.partition}/${r.offset}`;
      if (!byPosition.has(position)) byPosition.set(position, r);
    }
  }
  return [...byPosition.values()].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** The broker's error-level (pino 50+) log lines: an internal failure a client may have hidden by retrying. */
function brokerErrors(broker: BrokerProcess): string[] {
  return broker
    .stderrTail(4 * 1024 * 1024)
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message?: string } })
    .filter((entry) => entry.level >= 50)
    .map((entry) => `${entry.msg}: ${entry.err?.message ?? ''}`);
}

describe('python consumer group rebalances on join and on crash', { timeout: 58_000 }, () => {
  let broker: BrokerProcess;
  const topic = 'grp-rebalance';
  const partitions = 4;
  const sessionTimeoutMs = 3000;
  const heartbeatIntervalMs = 500;
  let produced = 0;
  const produce = async (count: number): Promise<void> => {
    await produceRecords(broker.bootstrap, topic, produced, count, partitions);
    produced += count;
  };
  const members: Member[] = [];
  const explain = (): string => members.map((m) => m.describe()).join('\n');
  const join = (name: string): Member => {
    const args = { bootstrap: broker.bootstrap, topics: [topic], groupId: 'grp-rebalance', sessionTimeoutMs, heartbeatIntervalMs };
    const member = new Member(name, args);
    members.push(member);
    return member;
  };

  before(async () => {
    broker = await startBroker({
      overrides: {
        'group.initial.rebalance.delay.ms': '300',
        'group.min.session.timeout.ms': '1000',
        'auto.create.topics.enable': 'false',
      },
    });
    await createTopics(broker.bootstrap, [{ name: topic, partitions }]);
  });
  after(async () => {
    killRunning(members);
    assert.equal(await broker.stop(), 0, broker.stderrTail(4000));
  });

  test('a member joins while records arrive: partitions move, nothing lost or read twice', async () => {
    const first = [join('m0'), join('m1')];
    await waitForStableAssignment(first, partitions, 25_000);
    assert.deepEqual(first.map((m) => m.assignment()!.length), [2, 2]);
    await produce(200);
    await waitUntil(() => totalRecords(first) >= 200, 15_000, explain);

    const joiner = join('m2');
    for (let chunk = 0; chunk < 5; chunk++) await produce(20);
    await waitForStableAssignment(members, partitions, 25_000);
    assert.deepEqual(members.map((m) => m.assignment()!.length).sort(), [1, 1, 2]);
    assert.ok(first.every((m) => m.stream.lines.some((e) => e.ev === 'revoke')), 'the old members were revoked');
    await produce(100);
    await waitUntil(() => totalRecords(members) >= produced, 15_000, explain);

    assert.deepEqual(members.flatMap((m) => m.stream.lines.filter((e) => e.ev === 'commitFailed' || e.ev === 'lost')), []);
    assert.ok(joiner.records().length > 0, 'the new member read its partitions');
    assertReadExactly(members, range(0, produced), (i) => i % partitions);
  });

  test('a crashed member is expired after its session timeout and its partitions move to the survivors', async () => {
    const [victim, ...survivors] = [...members].sort((a, b) => b.assignment()!.length - a.assignment()!.length) as [Member, ...Member[]];
    const victimParts = victim.assignment()!;
    const callbacks = survivors.map((m) => m.rebalanceCount());
    await victim.kill();
    const killedAt = Date.now();
    await produce(100);
    await waitUntil(() => survivors.every((m, k) => m.rebalanceCount() > callbacks[k]!), sessionTimeoutMs + 10_000, explain);
    // The survivors' first callback after the crash (its time printed by the member itself).
    const firstCallbackAt = Math.min(
      ...survivors.map((m, k) => m.stream.lines.filter((e) => ['assign', 'revoke', 'lost'].includes(e.ev))[callbacks[k]!]!.t),
    );
    const rebalancedAfterMs = firstCallbackAt - killedAt;
    // Expiry waits for the last heartbeat plus the session timeout; one heartbeat interval of slack.
    assert.ok(rebalancedAfterMs >= sessionTimeoutMs - heartbeatIntervalMs - 300, `rebalanced ${rebalancedAfterMs} ms after the crash`);

    await waitForStableAssignment(survivors, partitions, 20_000);
    assert.deepEqual(survivors.map((m) => m.assignment()!.length), [2, 2]);
    const inherited = survivors.flatMap((m) => m.assignment()!).filter((p) => victimParts.includes(p));
    assert.deepEqual(inherited.sort(), victimParts, 'the survivors own the crashed member’s partitions');
    await produce(50);
    await waitUntil(() => firstReads(members).length >= produced, 15_000, explain);

    assert.deepEqual(readsAfterCommitPoint(members), []);
    assertExactRecords(firstReads(members), { indices: range(0, produced), partitionOf: (i) => i % partitions });
    await Promise.all(survivors.map((m) => m.stop()));
  });

  test('the broker logged no internal error', () => {
    assert.deepEqual(brokerErrors(broker), []);
  });
});
