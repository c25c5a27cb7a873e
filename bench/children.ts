// Every process the bench starts goes through here, so that all of them are stopped at the end,
// on failure and on Ctrl-C too. Each child is spawned as the leader of its own process group
// (`detached`), and is stopped by signalling that group: that also reaches grandchildren such as
// the program that /usr/bin/time runs. Also reads CPU time: of a running process from
// /proc/<pid>/stat, and of a finished client from /usr/bin/time's report.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface CpuTimes {
  userSec: number;
  sysSec: number;
}

export interface Tracked {
  name: string;
  pid: number;
  proc: ChildProcess;
  /** Resolves when the process has exited; never rejects. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
}

const live = new Set<Tracked>();
const OUTPUT_KEEP_BYTES = 256 * 1024;

export function spawnTracked(name: string, cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Tracked {
  const proc = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('error', () => {
      running = false;
      resolve({ code: null, signal: null });
    });
    proc.on('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });
  const tracked: Tracked = { name, pid: proc.pid ?? -1, proc, exited, isRunning: () => running };
  live.add(tracked);
  void exited.then(() => live.delete(tracked));
  return tracked;
}

function signalGroup(t: Tracked, signal: NodeJS.Signals): void {
  if (!t.isRunning() || t.pid <= 0) return;
  try {
    process.kill(-t.pid, signal);
  } catch (err) {
    // ESRCH: the group is already gone between the check and the kill; nothing to stop.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** SIGTERM, then SIGKILL after graceMs. Resolves once the process has exited. */
export async function stopTracked(t: Tracked, graceMs = 3000): Promise<void> {
  if (!t.isRunning()) return;
  signalGroup(t, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(t, 'SIGKILL'), graceMs);
  await t.exited;
  clearTimeout(timer);
}

/** Stops everything still running; the broker gets a longer grace so it can flush and write its profile. */
export async function stopAll(graceMs = 10_000): Promise<void> {
  await Promise.all([...live].map((t) => stopTracked(t, graceMs)));
}

let handlersInstalled = false;

/** Ctrl-C, SIGTERM and a crash of the bench itself still stop the children. */
export function installCleanupHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping ${live.size} child process(es)\n`);
      void stopAll(5000).finally(() => process.exit(130));
    });
  }
  // Last resort when the event loop is gone: no waiting is possible, so kill outright.
  process.on('exit', () => {
    for (const t of live) signalGroup(t, 'SIGKILL');
  });
}

/** Collects a stream's text, keeping only the last OUTPUT_KEEP_BYTES (clients can be chatty). */
export function collectOutput(stream: NodeJS.ReadableStream | null, onLine?: (line: string) => void): () => string {
  let text = '';
  let partial = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    text += chunk;
    if (text.length > 2 * OUTPUT_KEEP_BYTES) text = text.slice(-OUTPUT_KEEP_BYTES);
    if (onLine) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    }
  });
  return () => text;
}

let clockTicks: number | undefined;

function clockTicksPerSec(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100; // Linux's USER_HZ on every common architecture.
    }
  }
  return clockTicks;
}

/** CPU time used so far by a live process (all its threads), from /proc/<pid>/stat; null off Linux. */
export function procCpu(pid: number): CpuTimes | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name, which is in parentheses and may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, so 11 and 12 counted from `state`.
  const tck = clockTicksPerSec();
  return { userSec: Number(fields[11]) / tck, sysSec: Number(fields[12]) / tck };
}

export function cpuDelta(before: CpuTimes | null, after: CpuTimes | null): CpuTimes | null {
  if (!before || !after) return null;
  return { userSec: after.userSec - before.userSec, sysSec: after.sysSec - before.sysSec };
}

export const totalCpuSec = (c: CpuTimes | null): number | null => (c ? c.userSec + c.sysSec : null);

export interface TimedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  wallMs: number;
  stdout: string;
  stderr: string;
  /** From /usr/bin/time; null where it is not installed. */
  cpu: CpuTimes | null;
  maxRssKb: number | null;
}

const GNU_TIME = '/usr/bin/time';

/**
 * Runs a client to completion under /usr/bin/time (for its CPU time and peak memory), killing
 * it after timeoutMs. `scratchDir` holds time's report file.
 */
export async function runTimed(name: string, cmd: string, args: string[], opts: { timeoutMs: number; scratchDir: string; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<TimedRun> {
  const hasTime = existsSync(GNU_TIME);
  const timeFile = join(opts.scratchDir, `time-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  const [file, argv] = hasTime ? [GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, cmd, ...args]] : [cmd, args];
  const started = performance.now();
  const child = spawnTracked(name, file, argv, { cwd: opts.cwd, env: opts.env });
  const stdout = collectOutput(child.proc.stdout);
  const stderr = collectOutput(child.proc.stderr);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stopTracked(child);
  }, opts.timeoutMs);
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  const wallMs = performance.now() - started;
  let cpu: CpuTimes | null = null;
  let maxRssKb: number | null = null;
  if (hasTime && existsSync(timeFile)) {
    // time writes "Command exited with non-zero status N" before the figures when the program fails.
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const [u, s, m] = last.split(' ').map(Number);
    if (Number.isFinite(u) && Number.isFinite(s)) cpu = { userSec: u!, sysSec: s! };
    if (Number.isFinite(m)) maxRssKb = m!;
    rmSync(timeFile, { force: true });
  }
  return { code, signal, timedOut, wallMs, stdout: stdout(), stderr: stderr(), cpu, maxRssKb };
}
