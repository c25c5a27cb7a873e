// Runs an external program (kcat, python) to completion with a bounded time, optional stdin, and
// captured output. Every child is registered with cleanup.ts so a failing test cannot leak it.
// Output is kept as Buffers up to a cap, since kcat output for 100k records is tens of MB.

import { spawn } from 'node:child_process';
import { trackChild } from './cleanup.js';

export interface RunOptions {
  stdin?: string | Buffer;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Resolve even when the exit code is non-zero (the caller inspects `code`). */
  allowFailure?: boolean;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class ProcessError extends Error {
  readonly result: RunResult;
  constructor(message: string, result: RunResult) {
    super(`${message}\n--- stderr (tail) ---\n${result.stderr.slice(-4000)}`);
    this.name = 'ProcessError';
    this.result = result;
  }
}

const outputBytesMax = 512 * 1024 * 1024;

export function runProcess(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const child = spawn(file, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
  trackChild(child);
  const stdoutChunks: Buffer[] = [];
  const stderrChunks: Buffer[] = [];
  let stdoutBytes = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    stdoutBytes += chunk.length;
    if (stdoutBytes <= outputBytesMax) stdoutChunks.push(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => stderrChunks.push(chunk));
  // A child that exits before reading all stdin raises EPIPE on our side; the exit code tells more.
  child.stdin.on('error', () => {});
  child.stdin.end(opts.stdin ?? '');
  const describe = `${file} ${args.join(' ')}`.slice(0, 300);
  return new Promise<RunResult>((resolve, reject) => {
    let isTimedOut = false;
    const timer = setTimeout(() => {
      isTimedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${describe}`, { cause: err }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const result: RunResult = {
        code,
        signal,
        stdout: Buffer.concat(stdoutChunks).toString('utf8'),
        stderr: Buffer.concat(stderrChunks).toString('utf8'),
      };
      if (isTimedOut) reject(new ProcessError(`timed out after ${timeoutMs} ms: ${describe}`, result));
      else if (code !== 0 && opts.allowFailure !== true) {
        reject(new ProcessError(`exit ${code ?? signal}: ${describe}`, result));
      } else resolve(result);
    });
  });
}
