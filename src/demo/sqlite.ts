// The demo's SQLite store (the embedded default; location-store.ts has the interface and the
// idempotence rules) over better-sqlite3, a CommonJS native module loaded with require and typed
// here by the few calls the demo makes. better-sqlite3 is synchronous: a batch's transaction runs
// to its end before the promise resolves.

import { createRequire } from 'node:module';
import { isSampled, type LocationStore, type LocationStoreReader, type PositionedUpdate } from './location-store.js';
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

export class SqliteLocationStore implements LocationStore {
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
        if (isSampled(offset)) history.run(partition, offset, u.partnerId, u.lat, u.lon, u.speedKmh, u.status, u.ts);
      }
    });
  }

  /** Durable (per the pragmas) when it resolves. */
  async apply(batch: readonly PositionedUpdate[]): Promise<void> {
    this.applyBatch(batch);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

export class SqliteLocationReader implements LocationStoreReader {
  private readonly db: Database;

  constructor(path: string) {
    this.db = openDatabase(path, true);
  }

  async latestRowCount(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM partner_location').get() as { n: number }).n;
  }

  async historyRowCount(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM location_history').get() as { n: number }).n;
  }

  async latestUpdates(): Promise<LocationUpdate[]> {
    const rows = this.db
      .prepare('SELECT partner_id, lat, lon, speed_kmh, heading, status, ts FROM partner_location ORDER BY partner_id')
      .all() as { partner_id: string; lat: number; lon: number; speed_kmh: number; heading: number; status: LocationUpdate['status']; ts: number }[];
    return rows.map((r) => ({ partnerId: r.partner_id, lat: r.lat, lon: r.lon, speedKmh: r.speed_kmh, heading: r.heading, status: r.status, ts: r.ts }));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
