// Goal: classic groups hand partitions over without loss or duplicates, with real librdkafka
// members (python confluent-kafka, one process each): two groups on one topic each read every
// record exactly once; on a one-partition topic one of three members reads everything in order
// while two stay idle, and when it closes (LeaveGroup) another takes over from its committed offset
// at once, long before the session timeout would have expired it.

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

describe('python consumer groups hand over partitions', { timeout: 58_000 }, () => {
  let broker: BrokerProcess;
  const sharedTopic = 'grp-shared';
  const singleTopic = 'grp-single';
  /** Long enough that a takeover within it can only come from LeaveGroup, not from expiry. */
  const sessionTimeoutMs = 30_000;

  before(async () => {
    broker = await startBroker({
      overrides: { 'group.initial.rebalance.delay.ms': '300', 'auto.create.topics.enable': 'false' },
    });
    await createTopics(broker.bootstrap, [
      { name: sharedTopic, partitions: 4 },
      { name: singleTopic, partitions: 1 },
    ]);
  });
  after(async () => {
    assert.equal(await broker.stop(), 0, broker.stderrTail(4000));
  });

  test('two groups (5 members and 1) on one topic each read every record once', async () => {
    const args = { bootstrap: broker.bootstrap, topics: [sharedTopic], sessionTimeoutMs };
    const big = range(0, 5).map((k) => new Member(`big-m${k}`, { ...args, groupId: 'grp-big', assignor: 'roundrobin' }));
    const solo = [new Member('solo', { ...args, groupId: 'grp-solo' })];
    const everyone = [...big, ...solo];
    try {
      await Promise.all([waitForStableAssignment(big, 4, 25_000), waitForStableAssignment(solo, 4, 25_000)]);
      assert.deepEqual(big.map((m) => m.assignment()!.length).sort(), [0, 1, 1, 1, 1]);
      assert.deepEqual(solo[0]!.assignment(), [0, 1, 2, 3]);
      await produceRecords(broker.bootstrap, sharedTopic, 0, 400, 4);
      const explain = (): string => everyone.map((m) => m.describe()).join('\n');
      await waitUntil(() => totalRecords(big) >= 400 && totalRecords(solo) >= 400, 15_000, explain);
      assertReadExactly(big, range(0, 400), (i) => i % 4);
      assertReadExactly(solo, range(0, 400), (i) => i % 4);
      await Promise.all(everyone.map((m) => m.stop()));
    } finally {
      killRunning(everyone);
    }
  });

  test('one partition, three members: one reads in order, two idle; on LeaveGroup another resumes at the commit', async () => {
    const args = { bootstrap: broker.bootstrap, topics: [singleTopic], groupId: 'grp-single', sessionTimeoutMs };
    const members = range(0, 3).map((k) => new Member(`single-m${k}`, args));
    const explain = (): string => members.map((m) => m.describe()).join('\n');
    try {
      await waitForStableAssignment(members, 1, 25_000);
      const active = members.find((m) => m.assignment()!.length === 1)!;
      const idle = members.filter((m) => m !== active);
      for (const m of idle) assert.deepEqual(m.assignment(), []);

      await produceRecords(broker.bootstrap, singleTopic, 0, 150, 1);
      await waitUntil(() => active.records().length >= 150 && lastCommitted(active, 0) === 150, 15_000, explain);
      assertExactRecords(active.records(), { indices: range(0, 150), partitionOf: () => 0 });
      for (const m of idle) assert.equal(m.records().length, 0, `${m.name} is idle`);

      const closedAt = Date.now();
      await active.stop();
      await waitUntil(() => idle.some((m) => m.assignment()?.length === 1), 15_000, explain);
      const tookOverMs = Date.now() - closedAt;
      assert.ok(tookOverMs < sessionTimeoutMs / 2, `takeover after ${tookOverMs} ms: LeaveGroup should trigger it`);
      const successor = idle.find((m) => m.assignment()?.length === 1)!;
      const bystander = idle.find((m) => m !== successor)!;

      await produceRecords(broker.bootstrap, singleTopic, 150, 150, 1);
      await waitUntil(() => successor.records().length >= 150, 15_000, explain);
      // The successor starts exactly at the committed offset 150: nothing lost, nothing re-read.
      assertExactRecords(successor.records(), { indices: range(150, 300), partitionOf: () => 0, firstOffsetOf: () => 150 });
      assert.equal(bystander.records().length, 0);
      assert.deepEqual(bystander.assignment(), []);
      await Promise.all(idle.map((m) => m.stop()));
    } finally {
      killRunning(members);
    }
  });

  test('the broker logged no internal error', () => {
    assert.deepEqual(brokerErrors(broker), []);
  });
});

/** The offset `member` last committed successfully for `partition`, or -1. */
function lastCommitted(member: Member, partition: number): number {
  let offset = -1;
  for (const e of member.stream.lines) {
    if (e.ev !== 'commit') continue;
    for (const [, p, o] of e.offsets!) if (p === partition) offset = o;
  }
  return offset;
}
