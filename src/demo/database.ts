// Picks the db-writer's database: PostgreSQL when a --database-url is given, otherwise the SQLite
// file in the data dir. The parent resets it once before the services start (so members never
// race to create tables), the db-writer members open a store each, the summary a reader.

import { rmSync } from 'node:fs';
import { demoFiles } from './files.js';
import { redactedUrl, type DatabaseTarget, type LocationStore, type LocationStoreReader } from './location-store.js';
import { PostgresLocationReader, PostgresLocationStore, resetPostgresSchema } from './postgres.js';
import { SqliteLocationReader, SqliteLocationStore } from './sqlite.js';

export function databaseTarget(dataDir: string, databaseUrl: string | null): DatabaseTarget {
  return databaseUrl === null ? { kind: 'sqlite', path: demoFiles.database(dataDir) } : { kind: 'postgres', url: databaseUrl };
}

export function describeDatabase(target: DatabaseTarget): string {
  return target.kind === 'sqlite' ? `SQLite ${target.path}` : `PostgreSQL ${redactedUrl(target.url)}`;
}

/** Empties the database of a previous run: the SQLite file is removed, the PostgreSQL tables dropped; both get the schema anew. */
export async function resetDatabase(target: DatabaseTarget): Promise<void> {
  if (target.kind === 'postgres') return resetPostgresSchema(target.url);
  for (const suffix of ['', '-wal', '-shm']) rmSync(target.path + suffix, { force: true });
  await new SqliteLocationStore(target.path).close();
}

export async function openLocationStore(target: DatabaseTarget): Promise<LocationStore> {
  return target.kind === 'sqlite' ? new SqliteLocationStore(target.path) : PostgresLocationStore.open(target.url);
}

export async function openLocationReader(target: DatabaseTarget): Promise<LocationStoreReader> {
  return target.kind === 'sqlite' ? new SqliteLocationReader(target.path) : PostgresLocationReader.open(target.url);
}
