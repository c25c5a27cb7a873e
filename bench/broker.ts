// Starts one Tideline broker for a benchmark, exactly as a user would (`node bin/tideline.js
// start` with --override flags), on 127.0.0.1 with an OS-chosen port and a fresh log dir, and
// waits for its `tideline ready` line. Optionally under `node --cpu-prof`, in which case the
// profile is written when the broker exits cleanly after SIGTERM.

import { createWriteStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SEMI_SPACE_FLAG } from '../src/cli/broker-node-flags.js';
import { collectOutput, procCpu, spawnTracked, stopTracked, type CpuTimes, type Tracked } from './children.js';

export interface BrokerOptions {
  repoRoot: string;
  /** Scratch dir for this bench run; the broker gets data/ and broker.log inside it. */
  runDir: string;
  partitions: number;
  profile: boolean;
  readyTimeoutMs?: number;
}

export interface BrokerHandle {
  pid: number;
  /** host:port for clients. */
  bootstrap: string;
  logFile: string;
  profileDir: string | null;
  /** Bytes of .log segment files the broker holds for a topic (all partitions). */
  storedBytes(topic: string): number;
  /** CPU used by the broker process so far (all threads). */
  cpu(): CpuTimes | null;
  /** SIGTERM and wait (SIGKILL after a grace period); returns the .cpuprofile path if one was written. */
  stop(): Promise<string | null>;
}

const READY_LINE = /^tideline ready listeners=PLAINTEXT:\/\/([^\s,]+)/;
// Shutdown flushes logs and, with --cpu-prof, serializes the profile: give it time.
const STOP_GRACE_MS = 30_000;

export async function startBroker(opts: BrokerOptions): Promise<BrokerHandle> {
  const dataDir = join(opts.runDir, 'broker-data');
  const logFile = join(opts.runDir, 'broker.log');
  const profileDir = opts.profile ? join(opts.runDir, 'cpu-profile') : null;
  mkdirSync(dataDir, { recursive: true });
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  // The young-generation size docs/operations.md recommends for brokers (and tideline cluster uses).
  const nodeFlags = [SEMI_SPACE_FLAG, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
  const args = [
    ...nodeFlags,
    join(opts.repoRoot, 'bin', 'tideline.js'),
    'start',
    '--override', 'listeners=PLAINTEXT://127.0.0.1:0',
    '--override', 'console.listeners=',
    '--override', `log.dirs=${dataDir}`,
    '--override', `num.partitions=${opts.partitions}`,
  ];
  const child = spawnTracked('broker', process.execPath, args, { cwd: opts.repoRoot });
  const log = createWriteStream(logFile);
  child.proc.stderr?.pipe(log);
  let resolveReady!: (bootstrap: string) => void;
  const ready = new Promise<string>((resolve) => (resolveReady = resolve));
  const stdout = collectOutput(child.proc.stdout, (line) => {
    const m = READY_LINE.exec(line);
    if (m) resolveReady(m[1]!);
  });
  const timeoutMs = opts.readyTimeoutMs ?? 30_000;
  const outcome = await Promise.race([
    ready,
    child.exited.then((e) => new Error(`broker exited before it was ready (code ${e.code}, signal ${e.signal})`)),
    new Promise<Error>((resolve) => setTimeout(() => resolve(new Error(`broker not ready after ${timeoutMs} ms`)), timeoutMs).unref()),
  ]);
  if (outcome instanceof Error) {
    await stopTracked(child, 2000);
    throw new Error(`${outcome.message}; stdout: ${stdout().trim() || '(empty)'}; see ${logFile}`);
  }
  return makeHandle(child, outcome, dataDir, logFile, profileDir);
}

/** Sums segment sizes from Kafka's on-disk layout: <log.dirs>/<topic>-<partition>/<offset>.log. */
export function storedBytes(dataDir: string, topic: string): number {
  let total = 0;
  for (const dir of readdirSync(dataDir)) {
    if (!dir.startsWith(`${topic}-`) || !/^\d+$/.test(dir.slice(topic.length + 1))) continue;
    for (const file of readdirSync(join(dataDir, dir))) {
      if (file.endsWith('.log')) total += statSync(join(dataDir, dir, file)).size;
    }
  }
  return total;
}

function makeHandle(child: Tracked, bootstrap: string, dataDir: string, logFile: string, profileDir: string | null): BrokerHandle {
  return {
    pid: child.pid,
    storedBytes: (topic) => storedBytes(dataDir, topic),
    bootstrap,
    logFile,
    profileDir,
    cpu: () => procCpu(child.pid),
    async stop() {
      await stopTracked(child, STOP_GRACE_MS);
      if (!profileDir || !existsSync(profileDir)) return null;
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      return file ? join(profileDir, file) : null;
    },
  };
}
