// Checks records read back from the broker against the deterministic content of records.ts:
// every expected record exactly once, in its expected partition, with contiguous offsets and
// producer order kept within each partition, and key, value and headers byte-for-byte. Reports the
// first mismatch only, since a 100k-element deepEqual diff is unreadable.

import assert from 'node:assert/strict';
import { headersOf, indexOfKey, kcatHeaderPairs, keyOf, valueOf } from './records.js';
import type { KcatMessage } from './kcat.js';

/** A record as read by either client, reduced to what the checks compare. */
export interface ReadRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: [string, string][];
  timestamp: number;
}

export function fromKcat(m: KcatMessage): ReadRecord {
  return {
    partition: m.partition,
    offset: m.offset,
    key: m.key,
    value: m.payload,
    headers: kcatHeaderPairs(m.headers),
    timestamp: m.ts,
  };
}

/** The record shape consumer.py prints. */
export interface PythonRecord {
  p: number;
  o: number;
  k: string | null;
  v: string | null;
  h: [string, string | null][];
  ts: number;
  tsType: number;
}

export function fromPython(r: PythonRecord): ReadRecord {
  return {
    partition: r.p,
    offset: r.o,
    key: r.k,
    value: r.v,
    headers: r.h.map(([name, value]) => [name, value ?? '']),
    timestamp: r.ts,
  };
}

export interface Expectation {
  /** The record indices that must be present, each exactly once. */
  indices: Iterable<number>;
  /** Where record i must be; undefined skips the check. */
  partitionOf?: (i: number) => number;
  /** Headers record i must carry; defaults to records.ts headersOf. */
  headersOf?: (i: number) => [string, string][];
  /** First offset expected in each partition (default 0). */
  firstOffsetOf?: (partition: number) => number;
}

export function assertExactRecords(records: readonly ReadRecord[], expected: Expectation): void {
  const wanted = new Set(expected.indices);
  const seen = new Set<number>();
  const lastByPartition = new Map<number, { offset: number; index: number }>();
  const expectHeaders = expected.headersOf ?? headersOf;
  for (const r of records) {
    const i = indexOfKey(r.key);
    const where = `record ${i} at ${r.partition}/${r.offset}`;
    assert.ok(wanted.has(i), `${where} was not expected`);
    assert.ok(!seen.has(i), `${where} is a duplicate`);
    seen.add(i);
    assert.equal(r.key, keyOf(i), `${where}: key`);
    assert.equal(r.value, valueOf(i), `${where}: value`);
    assert.deepEqual(r.headers, expectHeaders(i), `${where}: headers`);
    if (expected.partitionOf !== undefined) assert.equal(r.partition, expected.partitionOf(i), `${where}: partition`);
    const last = lastByPartition.get(r.partition);
    const nextOffset = last === undefined ? (expected.firstOffsetOf?.(r.partition) ?? 0) : last.offset + 1;
    assert.equal(r.offset, nextOffset, `${where}: offsets in partition ${r.partition} must be contiguous`);
    if (last !== undefined) assert.ok(i > last.index, `${where}: comes after record ${last.index}, out of order`);
    lastByPartition.set(r.partition, { offset: r.offset, index: i });
  }
  const missing = [...wanted].filter((i) => !seen.has(i));
  assert.equal(missing.length, 0, `${missing.length} records missing, first ${missing.slice(0, 10).join(',')}`);
}

/** Inclusive-exclusive integer range, for Expectation.indices. */
export function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, k) => start + k);
}
