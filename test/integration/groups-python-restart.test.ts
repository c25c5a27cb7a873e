// Goal: what a classic group commits outlives its members and the broker, and static membership
// (KIP-345) spares a group the rebalance a restarting member would cause. With real librdkafka
// members (python confluent-kafka): commit, stop every member, restart the broker on the same data
// directory, and a new member resumes exactly at the committed offsets; a static member
// (group.instance.id) that restarts within its session timeout gets its partitions back while the
// other member sees no revoke or assign at all, and nothing is lost or read twice.

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

/** The highest offset any of `members` committed successfully for `partition`, or -1. */
function committedOffset(members: readonly Member[], partition: number): number {
  let offset = -1;
  for (const m of members) {
    for (const e of m.stream.lines) if (e.ev === 'commit') for (const [, p, o] of e.offsets!) if (p === partition) offset = Math.max(offset, o);
  }
  return offset;
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

describe('python consumer group offsets and static members across restarts', { timeout: 58_000 }, () => {
  let broker: BrokerProcess;
  const overrides = { 'group.initial.rebalance.delay.ms': '300', 'auto.create.topics.enable': 'false' };
  const members: Member[] = [];
  const explain = (): string => members.map((m) => m.describe()).join('\n');
  const join = (name: string, args: object): Member => {
    const member = new Member(name, { bootstrap: broker.bootstrap, ...args });
    members.push(member);
    return member;
  };

  before(async () => {
    broker = await startBroker({ overrides });
    await createTopics(broker.bootstrap, [
      { name: 'grp-durable', partitions: 2 },
      { name: 'grp-static', partitions: 4 },
    ]);
  });
  after(async () => {
    killRunning(members);
    assert.equal(await broker.stop(), 0, broker.stderrTail(4000));
  });

  test('committed offsets survive a broker restart: a new member resumes at them', async () => {
    const args = { topics: ['grp-durable'], groupId: 'grp-durable' };
    await produceRecords(broker.bootstrap, 'grp-durable', 0, 100, 2);
    const readers = [join('durable-a', args), join('durable-b', args)];
    const isCommitted = (): boolean => [0, 1].every((p) => committedOffset(readers, p) === 50);
    await waitUntil(() => totalRecords(readers) >= 100 && isCommitted(), 20_000, explain);
    assertReadExactly(readers, range(0, 100), (i) => i % 2);
    await Promise.all(readers.map((m) => m.stop()));

    assert.equal(await broker.stop(), 0, broker.stderrTail(4000));
    broker = await startBroker({ dataDir: broker.dataDir, overrides });
    await produceRecords(broker.bootstrap, 'grp-durable', 100, 100, 2);
    const resumer = join('durable-c', args);
    await waitUntil(() => resumer.records().length >= 100, 20_000, explain);
    // Both partitions continue at offset 50, where the first members' commits left them.
    assertExactRecords(resumer.records(), { indices: range(100, 200), partitionOf: (i) => i % 2, firstOffsetOf: () => 50 });
    await resumer.stop();
  });

  test('a static member restarting within its session timeout causes no rebalance', async () => {
    const args = { topics: ['grp-static'], groupId: 'grp-static', sessionTimeoutMs: 15_000 };
    const first = join('static-a', { ...args, instanceId: 'instance-a' });
    const other = join('static-b', { ...args, instanceId: 'instance-b' });
    await waitForStableAssignment([first, other], 4, 25_000);
    const firstParts = first.assignment()!;
    const otherParts = other.assignment()!;
    const otherCallbacks = other.rebalanceCount();
    await produceRecords(broker.bootstrap, 'grp-static', 0, 200, 4);
    await waitUntil(() => totalRecords([first, other]) >= 200, 15_000, explain);

    // A static member's close() sends no LeaveGroup: the coordinator keeps its place for it.
    await first.stop();
    await produceRecords(broker.bootstrap, 'grp-static', 200, 100, 4);
    const restarted = join('static-a2', { ...args, instanceId: 'instance-a' });
    await waitUntil(() => restarted.assignment() !== undefined, 10_000, explain);
    assert.deepEqual(restarted.assignment(), firstParts, 'the restarted member gets its old partitions back');
    await produceRecords(broker.bootstrap, 'grp-static', 300, 100, 4);
    await waitUntil(() => totalRecords([first, other, restarted]) >= 400, 15_000, explain);
    // A few heartbeat intervals more, so a late rebalance would show.
    await new Promise((resolve) => setTimeout(resolve, 2000));

    assert.equal(other.rebalanceCount(), otherCallbacks, `no callback on the other member:\n${other.describe()}`);
    assert.deepEqual(other.assignment(), otherParts);
    const restartedReads = restarted.records();
    for (const p of firstParts) {
      const firstOffset = restartedReads.find((r) => r.partition === p)?.offset;
      assert.equal(firstOffset, 50, `partition ${p} resumes at the static member's commit`);
    }
    assertReadExactly([first, other, restarted], range(0, 400), (i) => i % 4);
    await Promise.all([other, restarted].map((m) => m.stop()));
  });

  test('the broker logged no internal error', () => {
    assert.deepEqual(brokerErrors(broker), []);
  });
});
