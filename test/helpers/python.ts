// Runs the scripts in test/integration/python/ under Debian's /usr/bin/python3, the interpreter
// that owns python3-confluent-kafka 1.7.0 (librdkafka 2.0.2); a python3 earlier on PATH (pyenv)
// would not have it. Scripts take one JSON argument and print one JSON object as their result.
// Scripts are read from the source tree (tsc does not copy .py files into dist/).

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { trackChild } from './cleanup.js';
import { repoRoot } from './repo-root.js';
import { runProcess } from './run-process.js';

export const pythonPath = '/usr/bin/python3';
export const pythonScriptsDir = join(repoRoot, 'test', 'integration', 'python');

/** An environment without the caller's PYTHON* variables, so no foreign site-packages leak in. */
function pythonEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PYTHON')) env[key] = value;
  env.PYTHONUNBUFFERED = '1';
  // records.py is imported by the scripts; keep __pycache__ out of the source tree.
  env.PYTHONDONTWRITEBYTECODE = '1';
  return env;
}

/** Runs `script` (a file name in pythonScriptsDir) and returns the JSON object it printed last. */
export async function runPython<T = unknown>(script: string, args: unknown, timeoutMs = 30_000): Promise<T> {
  const result = await runProcess(pythonPath, [join(pythonScriptsDir, script), JSON.stringify(args)], {
    timeoutMs,
    env: pythonEnv(),
  });
  const lines = result.stdout.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  try {
    return JSON.parse(last) as T;
  } catch (err) {
    throw new Error(`${script} printed no JSON result; stdout tail: ${result.stdout.slice(-2000)}`, { cause: err });
  }
}

/** A long-running script that prints one JSON object per line (e.g. each acknowledged record). */
export interface PythonStream<T> {
  child: ChildProcess;
  lines: T[];
  stderr(): string;
  /** Resolves when the script exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnPython<T = unknown>(script: string, args: unknown): PythonStream<T> {
  const child = spawn(pythonPath, [join(pythonScriptsDir, script), JSON.stringify(args)], {
    env: pythonEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  const lines: T[] = [];
  const stderrChunks: Buffer[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderrChunks.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const unparsed: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.trim() === '') return;
    try {
      lines.push(JSON.parse(line) as T);
    } catch (err) {
      // Only a line cut short by killing the script can be unparsable; keep it for diagnosis.
      unparsed.push(`${line} (${String(err)})`);
    }
  });
  const stderr = (): string => {
    const text = Buffer.concat(stderrChunks).toString('utf8').slice(-8000);
    return unparsed.length === 0 ? text : `${text}\nunparsed stdout: ${unparsed.join('\n')}`;
  };
  return { child, lines, exited, stderr };
}
