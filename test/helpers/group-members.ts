// Consumer-group members for the python group tests: each member is its own python process
// (test/integration/python/group_consumer.py, librdkafka through confluent-kafka) printing one JSON
// line per event: assign/revoke/lost callbacks, records read, commits, and "closed" on exit. This
// file spawns and stops members (SIGTERM for a clean close, SIGKILL for a crash), reads what they
// printed, waits for a settled assignment, and checks what a group read. It also produces records
// and creates topics through the python scripts, so a test's clients are all librdkafka.
// Topics, group ids and timeouts are the tests' to choose.

import assert from 'node:assert/strict';
import { runPython, spawnPython, type PythonStream } from './python.js';
import { assertExactRecords, fromPython, type PythonRecord, type ReadRecord } from './verify.js';

/** One line of group_consumer.py. */
export interface MemberEvent extends Partial<PythonRecord> {
  ev: string;
  t: number;
  parts?: [string, number][];
  offsets?: [string, number, number][];
}

/** A group member in its own python process, and what it has printed so far. */
export class Member {
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
export function killRunning(members: readonly Member[]): void {
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
export async function waitUntil(isMet: () => boolean, timeoutMs: number, explain: () => string): Promise<void> {
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
export async function waitForStableAssignment(members: readonly Member[], partitionCount: number, timeoutMs: number, quietMs = 1500): Promise<void> {
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
export function assertReadExactly(members: readonly Member[], indices: number[], partitionOf: (i: number) => number): void {
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

export function totalRecords(members: readonly Member[]): number {
  return members.reduce((sum, m) => sum + m.records().length, 0);
}

/** Produces records [start, start + count) with producer.py, record i to partition i % partitions. */
export async function produceRecords(bootstrap: string, topic: string, start: number, count: number, partitions: number): Promise<void> {
  const args = { bootstrap, topic, start, count, partitions };
  const result = await runPython<{ errors: unknown[]; delivered: unknown[] }>('producer.py', args);
  assert.deepEqual(result.errors, []);
  assert.equal(result.delivered.length, count);
}

export async function createTopics(bootstrap: string, topics: { name: string; partitions: number }[]): Promise<void> {
  const created = await runPython<{ results: Record<string, unknown> }>('admin.py', { bootstrap, op: 'create_topics', topics });
  assert.deepEqual(created.results, Object.fromEntries(topics.map((t) => [t.name, null])));
}
