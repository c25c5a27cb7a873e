// Starts real `tideline start` processes for integration tests. A broker listens on 127.0.0.1 with
// a free port (unless the caller overrides `listeners`), runs no web console unless the caller
// sets `console.listeners` (e.g. http://127.0.0.1:0, so that brokers never share a port), writes into a fresh temp `log.dirs` unless
// given one, and is ready once it prints its single ready line. Every broker is registered with
// cleanup.ts, so it is SIGKILLed at the end of the test file even when a test throws.

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { makeTempDir, trackChild } from './cleanup.js';
import { tidelineBin } from './repo-root.js';

export interface StartBrokerOptions {
  /** Kafka-named config keys, passed as `--override key=value`. */
  overrides?: Record<string, string>;
  /** Reuse a data directory (restart tests); a fresh temp dir otherwise. */
  dataDir?: string;
  readyTimeoutMs?: number;
}

export interface BrokerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BrokerProcess {
  /** `127.0.0.1:PORT`, for kcat -b and bootstrap.servers. */
  bootstrap: string;
  /** `http://HOST:PORT` of the web console; null when it is off (the default here). */
  consoleUrl: string | null;
  port: number;
  nodeId: number;
  dataDir: string;
  pid: number;
  /** SIGTERM, wait up to timeoutMs, then SIGKILL; resolves with the exit code (null if killed). */
  stop(timeoutMs?: number): Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<BrokerExit>;
  /** The last `bytes` of everything the broker wrote to stderr (pino JSON logs). */
  stderrTail(bytes?: number): string;
}

const readyLinePattern = /^tideline ready listeners=(\S+) node\.id=(\d+)(?: console=(\S+))?\s*$/;
const stderrBytesMax = 4 * 1024 * 1024;

/** Keeps the newest stderr bytes, dropping the oldest chunks once over the cap. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > stderrBytesMax && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }
  tail(bytes: number): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - bytes)).toString('utf8');
  }
}

function parseListener(listeners: string): { host: string; port: number } {
  const plaintext = listeners.split(',').find((l) => l.startsWith('PLAINTEXT://')) ?? listeners.split(',')[0]!;
  const match = /^[A-Z_]+:\/\/\[?([^\]]*?)\]?:(\d+)$/.exec(plaintext);
  if (match === null) throw new Error(`cannot parse listener ${plaintext}`);
  return { host: match[1]!, port: Number(match[2]) };
}

export async function startBroker(opts: StartBrokerOptions = {}): Promise<BrokerProcess> {
  const dataDir = opts.dataDir ?? makeTempDir('tideline-data-');
  const config: Record<string, string> = {
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'console.listeners': '',
    'log.dirs': dataDir,
    ...opts.overrides,
  };
  const args = [tidelineBin, 'start'];
  for (const [key, value] of Object.entries(config)) args.push('--override', `${key}=${value}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const stderr = new TailBuffer();
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<BrokerExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const ready = await waitForReady(child, exited, opts.readyTimeoutMs ?? 20_000, (n) => stderr.tail(n));
  const { port } = parseListener(ready.listeners);
  return {
    bootstrap: `127.0.0.1:${port}`,
    consoleUrl: ready.consoleUrl,
    port,
    nodeId: ready.nodeId,
    dataDir,
    pid: child.pid!,
    exited,
    stderrTail: (bytes = 8192) => stderr.tail(bytes),
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    stop: (timeoutMs = 10_000) => stopChild(child, exited, timeoutMs),
  };
}

function waitForReady(
  child: ChildProcess,
  exited: Promise<BrokerExit>,
  timeoutMs: number,
  stderrTail: (bytes: number) => string,
): Promise<{ listeners: string; nodeId: number; consoleUrl: string | null }> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let isSettled = false;
    const fail = (why: string): void => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`broker ${why}\n--- stderr (tail) ---\n${stderrTail(4000)}`));
    };
    const timer = setTimeout(() => fail(`printed no ready line within ${timeoutMs} ms`), timeoutMs);
    lines.on('line', (line) => {
      const match = readyLinePattern.exec(line);
      if (match === null || isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      resolve({ listeners: match[1]!, nodeId: Number(match[2]), consoleUrl: match[3] ?? null });
    });
    void exited.then(({ code, signal }) => fail(`exited (${code ?? signal}) before its ready line`));
  });
}

async function stopChild(child: ChildProcess, exited: Promise<BrokerExit>, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return (await exited).code;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const first = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (first === 'timeout') {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`broker did not exit within ${timeoutMs} ms of SIGTERM; SIGKILLed`);
  }
  return first.code;
}
