// The demo's PostgreSQL store (--database-url postgres://…), through the pure-JS `pg` client; the
// interface and the idempotence rules are in location-store.ts. A batch is one transaction of two
// statements, whatever its size: the latest update per partner goes in as one multi-row upsert
// and the sampled history as one multi-row insert, each row set passed as arrays and expanded by
// unnest(), so a batch of 5,000 updates costs four round trips instead of thousands.
//
// Several db-writer members may write at once. Each locks its rows in partner-id order (and
// history rows in position order), so two transactions that touch the same rows (a partition
// moving between members mid-batch) wait for each other instead of deadlocking; should the
// server still report a deadlock or a serialization failure, the batch is retried whole.
//
// Durability is PostgreSQL's: COMMIT returns once the WAL is flushed (synchronous_commit=on, the
// default), and only then does the db-writer commit the Kafka offsets.

import { Client, type ClientConfig } from 'pg';
import { isSampled, latestPerPartner, type LocationStore, type LocationStoreReader, type PositionedUpdate } from './location-store.js';
import type { LocationUpdate, PartnerStatus } from './types.js';

/** Postgres error codes worth retrying a whole transaction for. */
const RETRYABLE_SQLSTATES = new Set(['40P01' /* deadlock_detected */, '40001' /* serialization_failure */]);
const APPLY_ATTEMPTS_MAX = 5;
const CONNECT_TIMEOUT_MS = 10_000;

const SCHEMA = `
CREATE TABLE partner_location (
  partner_id TEXT PRIMARY KEY,
  lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL, speed_kmh DOUBLE PRECISION NOT NULL,
  heading INTEGER NOT NULL, status TEXT NOT NULL, ts BIGINT NOT NULL,
  kafka_partition INTEGER NOT NULL, kafka_offset BIGINT NOT NULL
);
CREATE TABLE location_history (
  kafka_partition INTEGER NOT NULL, kafka_offset BIGINT NOT NULL,
  partner_id TEXT NOT NULL, lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL,
  speed_kmh DOUBLE PRECISION NOT NULL, status TEXT NOT NULL, ts BIGINT NOT NULL,
  PRIMARY KEY (kafka_partition, kafka_offset)
);
`;

const UPSERT = `
INSERT INTO partner_location AS l (partner_id, lat, lon, speed_kmh, heading, status, ts, kafka_partition, kafka_offset)
SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[], $5::int4[], $6::text[], $7::int8[], $8::int4[], $9::int8[])
ON CONFLICT (partner_id) DO UPDATE SET
  lat = excluded.lat, lon = excluded.lon, speed_kmh = excluded.speed_kmh, heading = excluded.heading,
  status = excluded.status, ts = excluded.ts, kafka_partition = excluded.kafka_partition, kafka_offset = excluded.kafka_offset
WHERE excluded.kafka_partition <> l.kafka_partition OR excluded.kafka_offset > l.kafka_offset`;

const INSERT_HISTORY = `
INSERT INTO location_history (kafka_partition, kafka_offset, partner_id, lat, lon, speed_kmh, status, ts)
SELECT * FROM unnest($1::int4[], $2::int8[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::text[], $8::int8[])
ON CONFLICT DO NOTHING`;

async function connect(url: string): Promise<Client> {
  const config: ClientConfig = { connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'tideline-demo-gps' };
  const client = new Client(config);
  // A connection lost while idle (server restart, admin kill) is reported here; without a
  // listener it would end the process. The next query then fails, and the db-writer with it,
  // before any offset is committed.
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Drops and creates the demo's two tables, so each run starts from an empty database. */
export async function resetPostgresSchema(url: string): Promise<void> {
  const client = await connect(url);
  try {
    await client.query('DROP TABLE IF EXISTS partner_location, location_history');
    await client.query(SCHEMA);
  } finally {
    await client.end();
  }
}

export class PostgresLocationStore implements LocationStore {
  private constructor(private readonly client: Client) {}

  static async open(url: string): Promise<PostgresLocationStore> {
    return new PostgresLocationStore(await connect(url));
  }

  async apply(batch: readonly PositionedUpdate[]): Promise<void> {
    const latest = latestPerPartner(batch);
    const history = batch.filter((p) => isSampled(p.offset)).sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.transaction(latest, history);
        return;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (attempt >= APPLY_ATTEMPTS_MAX || code === undefined || !RETRYABLE_SQLSTATES.has(code)) throw err;
      }
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }

  private async transaction(latest: readonly PositionedUpdate[], history: readonly PositionedUpdate[]): Promise<void> {
    await this.client.query('BEGIN');
    try {
      await this.client.query(UPSERT, [
        latest.map((p) => p.update.partnerId),
        latest.map((p) => p.update.lat),
        latest.map((p) => p.update.lon),
        latest.map((p) => p.update.speedKmh),
        latest.map((p) => p.update.heading),
        latest.map((p) => p.update.status),
        latest.map((p) => p.update.ts),
        latest.map((p) => p.partition),
        latest.map((p) => p.offset),
      ]);
      if (history.length > 0) {
        await this.client.query(INSERT_HISTORY, [
          history.map((p) => p.partition),
          history.map((p) => p.offset),
          history.map((p) => p.update.partnerId),
          history.map((p) => p.update.lat),
          history.map((p) => p.update.lon),
          history.map((p) => p.update.speedKmh),
          history.map((p) => p.update.status),
          history.map((p) => p.update.ts),
        ]);
      }
      await this.client.query('COMMIT');
    } catch (err) {
      // The error that matters is the first; a failed ROLLBACK means the connection is gone.
      await this.client.query('ROLLBACK').catch((rollbackErr: unknown) => void rollbackErr);
      throw err;
    }
  }
}

export class PostgresLocationReader implements LocationStoreReader {
  private constructor(private readonly client: Client) {}

  static async open(url: string): Promise<PostgresLocationReader> {
    return new PostgresLocationReader(await connect(url));
  }

  async latestRowCount(): Promise<number> {
    return this.count('partner_location');
  }

  async historyRowCount(): Promise<number> {
    return this.count('location_history');
  }

  async latestUpdates(): Promise<LocationUpdate[]> {
    // BIGINT comes back as a string; ts (milliseconds) is exact as a double.
    const { rows } = await this.client.query<{ partner_id: string; lat: number; lon: number; speed_kmh: number; heading: number; status: PartnerStatus; ts: number }>(
      'SELECT partner_id, lat, lon, speed_kmh, heading, status, ts::float8 AS ts FROM partner_location ORDER BY partner_id COLLATE "C"',
    );
    return rows.map((r) => ({ partnerId: r.partner_id, lat: r.lat, lon: r.lon, speedKmh: r.speed_kmh, heading: r.heading, status: r.status, ts: r.ts }));
  }

  async close(): Promise<void> {
    await this.client.end();
  }

  private async count(table: 'partner_location' | 'location_history'): Promise<number> {
    const { rows } = await this.client.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM ${table}`);
    return rows[0]!.n;
  }
}
