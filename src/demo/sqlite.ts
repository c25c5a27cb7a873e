// The demo's SQLite store over better-sqlite3 (a CommonJS native module, loaded with require and
// typed here by the few calls the demo makes). Two tables: partner_location holds the latest
// update per partner together with the Kafka position it came from, and location_history a
// sample of updates keyed by that position. Both writes are idempotent, which is what lets the
// db-writer replay a batch after a crash without double-applying it:
// - the upsert only replaces a row with an update from a later offset, so a replay never moves a
//   partner back in time;
// - history rows are keyed by (partition, offset) and inserted with OR IGNORE, and the sample is
//   chosen by offset, so a replay picks the same rows.

import { createRequire } from 'node:module';
import type { LocationUpdate } from './types.js';

interface Statement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

interface Database {
  pragma(source: string): unknown;
  exec(source: string): void;
  prepare(source: string): Statement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): void;
}

type DatabaseConstructor = new (path: string, options?: { readonly?: boolean; fileMustExist?: boolean }) => Database;

const require = createRequire(import.meta.url);

function openDatabase(path: string, isReadonly: boolean): Database {
  const Constructor = require('better-sqlite3') as DatabaseConstructor;
  return new Constructor(path, isReadonly ? { readonly: true, fileMustExist: true } : {});
}

/** One update with the Kafka position it was read from. */
export interface PositionedUpdate {
  partition: number;
  offset: number;
  update: LocationUpdate;
}

/** Every HISTORY_SAMPLE_EVERY-th offset of a partition is kept in location_history. */
export const HISTORY_SAMPLE_EVERY = 10;
const BUSY_TIMEOUT_MS = 30_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS partner_location (
  partner_id TEXT PRIMARY KEY,
  lat REAL NOT NULL, lon REAL NOT NULL, speed_kmh REAL NOT NULL, heading INTEGER NOT NULL,
  status TEXT NOT NULL, ts INTEGER NOT NULL,
  kafka_partition INTEGER NOT NULL, kafka_offset INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS location_history (
  kafka_partition INTEGER NOT NULL, kafka_offset INTEGER NOT NULL,
  partner_id TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL, speed_kmh REAL NOT NULL,
  status TEXT NOT NULL, ts INTEGER NOT NULL,
  PRIMARY KEY (kafka_partition, kafka_offset)
) WITHOUT ROWID;
`;

export class LocationStore {
  private readonly db: Database;
  private readonly applyBatch: (batch: readonly PositionedUpdate[]) => void;

  constructor(path: string) {
    this.db = openDatabase(path, false);
    // Several db-writer members may share the file; SQLite lets one write at a time, so a member
    // waits for the others' transactions instead of failing with SQLITE_BUSY.
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // WAL with synchronous=NORMAL survives a process crash (the case the demo exercises); a
    // power loss may drop the last transactions, which the uncommitted Kafka offsets replay.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    const upsert = this.db.prepare(`
      INSERT INTO partner_location VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (partner_id) DO UPDATE SET
        lat = excluded.lat, lon = excluded.lon, speed_kmh = excluded.speed_kmh, heading = excluded.heading,
        status = excluded.status, ts = excluded.ts,
        kafka_partition = excluded.kafka_partition, kafka_offset = excluded.kafka_offset
      WHERE excluded.kafka_partition <> partner_location.kafka_partition
         OR excluded.kafka_offset > partner_location.kafka_offset`);
    const history = this.db.prepare('INSERT OR IGNORE INTO location_history VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.applyBatch = this.db.transaction((batch: readonly PositionedUpdate[]) => {
      for (const { partition, offset, update: u } of batch) {
        upsert.run(u.partnerId, u.lat, u.lon, u.speedKmh, u.heading, u.status, u.ts, partition, offset);
        if (offset % HISTORY_SAMPLE_EVERY === 0) history.run(partition, offset, u.partnerId, u.lat, u.lon, u.speedKmh, u.status, u.ts);
      }
    });
  }

  /** Applies the batch in one transaction; it is durable (per the pragmas) when this returns. */
  apply(batch: readonly PositionedUpdate[]): void {
    this.applyBatch(batch);
  }

  close(): void {
    this.db.close();
  }
}

/** Read-only access for the demo's summary and tests. */
export class LocationStoreReader {
  private readonly db: Database;

  constructor(path: string) {
    this.db = openDatabase(path, true);
  }

  latestRowCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM partner_location').get() as { n: number }).n;
  }

  historyRowCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM location_history').get() as { n: number }).n;
  }

  latestUpdates(): LocationUpdate[] {
    const rows = this.db
      .prepare('SELECT partner_id, lat, lon, speed_kmh, heading, status, ts FROM partner_location ORDER BY partner_id')
      .all() as { partner_id: string; lat: number; lon: number; speed_kmh: number; heading: number; status: LocationUpdate['status']; ts: number }[];
    return rows.map((r) => ({ partnerId: r.partner_id, lat: r.lat, lon: r.lon, speedKmh: r.speed_kmh, heading: r.heading, status: r.status, ts: r.ts }));
  }

  close(): void {
    this.db.close();
  }
}
