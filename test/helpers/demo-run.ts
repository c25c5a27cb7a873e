// Runs `tideline demo gps` as a child in its own process group and checks what a finished run
// left behind: the summary line, the database against the producers' last acknowledged updates,
// and the analytics windows against the produced ones. Shared by the demo's integration tests.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after } from 'node:test';
import { databaseTarget, openLocationReader } from '../../src/demo/database.js';
import { readAnalyticsWindows, readLastUpdates, readWindowCounts } from '../../src/demo/files.js';
import { tidelineBin } from './repo-root.js';

export interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const groups = new Set<number>();
after(() => {
  // The demo runs in its own process group: kill it whole, so no broker or service outlives a failure.
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch (err) {
      void err; // already gone
    }
  }
});

/** `onLine` sees each stdout line as it comes (for tests that act while the demo runs). */
export function runDemo(args: string[], timeoutMs: number, onLine?: (line: string) => void): Promise<DemoRun> {
  const child = spawn(process.execPath, [tidelineBin, 'demo', 'gps', ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  groups.add(child.pid!);
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (onLine === undefined) return;
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) onLine(line);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      groups.delete(child.pid!);
      resolve({ code, stdout, stderr });
    });
  });
}

export function parseSummary(stdout: string): Record<string, number> {
  const lines = stdout.split('\n').filter((l) => l.startsWith('demo summary '));
  assert.equal(lines.length, 1, `one summary line expected:\n${stdout}`);
  return Object.fromEntries(lines[0]!.slice('demo summary '.length).split(' ').map((kv) => {
    const [k, v] = kv.split('=');
    return [k!, Number(v)];
  }));
}

export function explainRun(run: DemoRun): string {
  return `stdout:\n${run.stdout}\nstderr:\n${run.stderr.slice(-4000)}`;
}

export interface CheckOptions {
  /** Compare the analytics windows with the produced ones (exact only without a broker failure). */
  hasWindows?: boolean;
  /** The run's --database-url; the SQLite file in the data dir when absent. */
  databaseUrl?: string;
}

/**
 * Exit 0 with a summary that adds up; exactly one latest row per partner, equal to the partner's
 * last acknowledged update; sampled history rows; and, unless told otherwise, the analytics
 * members' window counts equal to the producers'.
 */
export async function checkRun(run: DemoRun, dataDir: string, partners: number, options: CheckOptions = {}): Promise<void> {
  const explain = explainRun(run);
  assert.equal(run.code, 0, explain);
  const summary = parseSummary(run.stdout);
  assert.ok(summary.produced! > partners, explain);
  for (const group of ['location', 'analytics', 'db']) assert.equal(summary[group], summary.produced, `${group}: ${explain}`);
  assert.equal(summary.lag, 0);
  assert.equal(summary.db_rows, partners);

  const produced = readLastUpdates(dataDir);
  assert.equal(produced.length, partners);
  const reader = await openLocationReader(databaseTarget(dataDir, options.databaseUrl ?? null));
  try {
    assert.deepEqual(await reader.latestUpdates(), produced);
    assert.ok((await reader.historyRowCount()) > 0, 'sampled history rows');
  } finally {
    await reader.close();
  }

  // After a broker failure a consumer replays from its last commit, so the analytics counts
  // can exceed the produced ones (see analytics-service.ts); they are exact only without one.
  if (options.hasWindows === false) return;
  const producedWindows = readWindowCounts(dataDir);
  assert.deepEqual(readAnalyticsWindows(dataDir), producedWindows);
  assert.equal(Object.values(producedWindows).reduce((a, b) => a + b, 0), summary.produced);
}
