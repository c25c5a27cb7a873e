// The db-writer's database, behind one interface with two implementations: SQLite (sqlite.ts, the
// embedded default, a file in the data dir) and PostgreSQL (postgres.ts, when --database-url
// postgres://… is given). Both hold the same two tables: partner_location, the latest update per
// partner with the Kafka position it came from, and location_history, a sample of updates keyed
// by that position. Both make every write idempotent, which is what lets the db-writer replay a
// batch after a crash without double-applying it:
// - the upsert only replaces a row with an update from a later offset (or another partition), so
//   a replay never moves a partner back in time;
// - history rows are keyed by (partition, offset) and a duplicate is ignored, and the sample is
//   chosen by offset, so a replay picks the same rows.
// The pure helpers here (the sample rule, one update per partner in a batch) are shared by both.

import type { LocationUpdate } from './types.js';

/** One update with the Kafka position it was read from. */
export interface PositionedUpdate {
  partition: number;
  offset: number;
  update: LocationUpdate;
}

/** Every HISTORY_SAMPLE_EVERY-th offset of a partition is kept in location_history. */
export const HISTORY_SAMPLE_EVERY = 10;

export function isSampled(offset: number): boolean {
  return offset % HISTORY_SAMPLE_EVERY === 0;
}

export interface LocationStore {
  /** Applies the batch in one transaction; it is durable when the promise resolves. */
  apply(batch: readonly PositionedUpdate[]): Promise<void>;
  close(): Promise<void>;
}

/** Read access for the demo's summary, the tests and the benchmark. */
export interface LocationStoreReader {
  latestRowCount(): Promise<number>;
  historyRowCount(): Promise<number>;
  /** Every partner's latest update, ordered by partner id. */
  latestUpdates(): Promise<LocationUpdate[]>;
  close(): Promise<void>;
}

/** Where the db-writer writes: the SQLite file in the data dir, or a PostgreSQL database. */
export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** The URL with any password replaced, for messages. */
export function redactedUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]+:)[^@]*@/i, '$1***@');
}

/**
 * The last update of each partner in `batch`, in the order the database should lock rows
 * (partner id), as the upsert applied row by row would leave it: a later update replaces an
 * earlier one unless both come from the same partition and the later has a lower offset. A
 * single multi-row upsert may touch each row only once, hence this step.
 */
export function latestPerPartner(batch: readonly PositionedUpdate[]): PositionedUpdate[] {
  const latest = new Map<string, PositionedUpdate>();
  for (const item of batch) {
    const previous = latest.get(item.update.partnerId);
    if (previous === undefined || previous.partition !== item.partition || item.offset > previous.offset) latest.set(item.update.partnerId, item);
  }
  return [...latest.values()].sort((a, b) => (a.update.partnerId < b.update.partnerId ? -1 : a.update.partnerId > b.update.partnerId ? 1 : 0));
}
