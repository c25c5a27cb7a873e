// The check files a demo run leaves in its data directory, so a test (or a curious user) can
// compare what was produced with what each service ended up with. Written once, at the end.

import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocationUpdate } from './types.js';

/** Window start (ms) → events in that window. */
export type WindowCounts = Record<string, number>;

export const demoFiles = {
  /** The last acknowledged update of each partner of producer n, one JSON object a line. */
  lastUpdates: (dataDir: string, producer: number) => join(dataDir, `last-updates-${producer}.ndjson`),
  /** Events producer n produced per analytics window, by event time. */
  producedWindows: (dataDir: string, producer: number) => join(dataDir, `produced-windows-${producer}.json`),
  /** Events an analytics member counted per window when it stopped. */
  analyticsWindows: (dataDir: string, member: number) => join(dataDir, `analytics-windows-${member}.json`),
  database: (dataDir: string) => join(dataDir, 'demo-gps.sqlite'),
  /** The producer's and services' stderr: warnings and crashes. */
  servicesLog: (dataDir: string) => join(dataDir, 'services.log'),
  /** The single broker's log dir (--nodes 1). */
  brokerData: (dataDir: string) => join(dataDir, 'broker'),
  /** The local cluster's node data and logs (--nodes 2 or more). */
  clusterDir: (dataDir: string) => join(dataDir, 'cluster'),
};

export function writeLastUpdates(path: string, updates: Iterable<LocationUpdate>): void {
  const lines: string[] = [];
  for (const update of updates) lines.push(JSON.stringify(update));
  writeFileSync(path, lines.length === 0 ? '' : lines.join('\n') + '\n');
}

/** Every producer's last updates together (each partner belongs to one producer), by partner id. */
export function readLastUpdates(dataDir: string): LocationUpdate[] {
  return filesOf(dataDir, LAST_UPDATES)
    .flatMap((path) => readFileSync(path, 'utf8').split('\n'))
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LocationUpdate)
    .sort((a, b) => (a.partnerId < b.partnerId ? -1 : 1));
}

export function writeWindowCounts(path: string, counts: Map<number, number>): void {
  const sorted = [...counts].sort((a, b) => a[0] - b[0]);
  writeFileSync(path, JSON.stringify(Object.fromEntries(sorted.map(([k, v]) => [String(k), v]))) + '\n');
}

/** The producers' window counts added up. */
export function readWindowCounts(dataDir: string): WindowCounts {
  return sumWindowCounts(filesOf(dataDir, PRODUCED_WINDOWS));
}

/** The analytics members' window counts added up. */
export function readAnalyticsWindows(dataDir: string): WindowCounts {
  return sumWindowCounts(filesOf(dataDir, ANALYTICS_WINDOWS));
}

const LAST_UPDATES = /^last-updates-\d+\.ndjson$/;
const PRODUCED_WINDOWS = /^produced-windows-\d+\.json$/;
const ANALYTICS_WINDOWS = /^analytics-windows-\d+\.json$/;

function sumWindowCounts(paths: readonly string[]): WindowCounts {
  const total: Record<string, number> = {};
  for (const path of paths) {
    for (const [window, events] of Object.entries(JSON.parse(readFileSync(path, 'utf8')) as WindowCounts)) total[window] = (total[window] ?? 0) + events;
  }
  return Object.fromEntries(Object.entries(total).sort((a, b) => Number(a[0]) - Number(b[0])));
}

function filesOf(dataDir: string, pattern: RegExp): string[] {
  return readdirSync(dataDir).filter((name) => pattern.test(name)).map((name) => join(dataDir, name));
}

/** Removes a previous run's check files, so a reused --data-dir starts clean (database.ts resets the database). */
export function removeRunFiles(dataDir: string): void {
  const checkFiles = [LAST_UPDATES, PRODUCED_WINDOWS, ANALYTICS_WINDOWS].flatMap((pattern) => filesOf(dataDir, pattern));
  for (const path of [demoFiles.servicesLog(dataDir), ...checkFiles]) rmSync(path, { force: true });
}
