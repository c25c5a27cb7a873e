// Goal: classic consumer groups of 1 to 5 real librdkafka members (python confluent-kafka,
// subscribe(), range and roundrobin assignors) on a 4-partition topic settle on an assignment in
// which every partition has exactly one owner, with the sizes the assignor implies, and then each
// member reads exactly the records of the partitions it was given: all of them, once, in order.
// Each member is its own python process printing JSON lines (test/integration/python/group_consumer.py).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { runPython, spawnPython, type PythonStream } from '../helpers/python.js';
import { assertExactRecords, fromPython, range, type PythonRecord, type ReadRecord } from '../helpers/verify.js';

const partitionCount = 4;
const recordCount = 200;

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

describe('python consumer groups of 1 to 5 members on 4 partitions', { timeout: 58_000 }, () => {
  let broker: BrokerProcess;
  let produced = 0;
  const topic = 'grp-assign';
  const produce = async (count: number): Promise<void> => {
    await produceRecords(broker.bootstrap, topic, produced, count, partitionCount);
    produced += count;
  };

  before(async () => {
    broker = await startBroker({
      overrides: { 'group.initial.rebalance.delay.ms': '300', 'auto.create.topics.enable': 'false' },
    });
    await createTopics(broker.bootstrap, [{ name: topic, partitions: partitionCount }]);
  });
  after(async () => {
    assert.equal(await broker.stop(), 0, broker.stderrTail(4000));
  });

  const cases = [
    { size: 1, assignor: 'range', sizes: [4] },
    { size: 2, assignor: 'roundrobin', sizes: [2, 2] },
    { size: 3, assignor: 'range', sizes: [1, 1, 2] },
    { size: 4, assignor: 'roundrobin', sizes: [1, 1, 1, 1] },
    { size: 5, assignor: 'range', sizes: [0, 1, 1, 1, 1] },
  ];
  for (const { size, assignor, sizes } of cases) {
    test(`${size} member(s), ${assignor}: assignment sizes ${JSON.stringify(sizes)}, every record read once`, async () => {
      // Each group starts from earliest, so it reads what earlier cases produced as well: the
      // first half of its records exists before it joins, the rest arrives once it is stable.
      const groupId = `grp-assign-${size}`;
      const members = range(0, size).map(
        (k) => new Member(`${groupId}-m${k}`, { bootstrap: broker.bootstrap, topics: [topic], groupId, assignor }),
      );
      try {
        await produce(recordCount / 2);
        await waitForStableAssignment(members, partitionCount, 25_000);
        const rebalancesBefore = members.map((m) => m.rebalanceCount());
        assert.deepEqual(members.map((m) => m.assignment()!.length).sort(), sizes);
        await produce(recordCount / 2);
        await waitUntil(() => totalRecords(members) >= produced, 15_000, () => members.map((m) => m.describe()).join('\n'));
        assertReadExactly(members, range(0, produced), (i) => i % partitionCount);
        assert.deepEqual(members.map((m) => m.rebalanceCount()), rebalancesBefore, 'no rebalance while reading');
        await Promise.all(members.map((m) => m.stop()));
      } finally {
        killRunning(members);
      }
    });
  }

  test('the broker logged no internal error', () => {
    assert.deepEqual(brokerErrors(broker), []);
  });
});
