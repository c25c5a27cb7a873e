// The check files a demo run leaves in its data directory, so a test (or a curious user) can
// compare what was produced with what each service ended up with. Written once, at the end.

import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocationUpdate } from './types.js';

/** Window start (ms) → events in that window. */
export type WindowCounts = Record<string, number>;

export const demoFiles = {
  /** The last acknowledged update of each partner, one JSON object a line. */
  lastUpdates: (dataDir: string) => join(dataDir, 'last-updates.ndjson'),
  /** Events produced per analytics window, by event time. */
  producedWindows: (dataDir: string) => join(dataDir, 'produced-windows.json'),
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

export function readLastUpdates(path: string): LocationUpdate[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LocationUpdate);
}

export function writeWindowCounts(path: string, counts: Map<number, number>): void {
  const sorted = [...counts].sort((a, b) => a[0] - b[0]);
  writeFileSync(path, JSON.stringify(Object.fromEntries(sorted.map(([k, v]) => [String(k), v]))) + '\n');
}

export function readWindowCounts(path: string): WindowCounts {
  return JSON.parse(readFileSync(path, 'utf8')) as WindowCounts;
}

/** The analytics members' window counts added up. */
export function readAnalyticsWindows(dataDir: string): WindowCounts {
  const total: Record<string, number> = {};
  for (const path of analyticsWindowFiles(dataDir)) {
    for (const [window, events] of Object.entries(readWindowCounts(path))) total[window] = (total[window] ?? 0) + events;
  }
  return Object.fromEntries(Object.entries(total).sort((a, b) => Number(a[0]) - Number(b[0])));
}

function analyticsWindowFiles(dataDir: string): string[] {
  return readdirSync(dataDir).filter((name) => /^analytics-windows-\d+\.json$/.test(name)).map((name) => join(dataDir, name));
}

/** Removes a previous run's database and check files, so a reused --data-dir starts clean. */
export function removeRunFiles(dataDir: string): void {
  const database = demoFiles.database(dataDir);
  for (const path of [database, `${database}-wal`, `${database}-shm`, demoFiles.lastUpdates(dataDir), demoFiles.producedWindows(dataDir), demoFiles.servicesLog(dataDir), ...analyticsWindowFiles(dataDir)]) {
    rmSync(path, { force: true });
  }
}
