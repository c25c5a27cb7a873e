// Starts a 3-node (or N-node) Tideline cluster for a benchmark as a user would, with
// `node bin/tideline.js cluster --nodes N --dir <scratch> --override …`, and waits for its ready
// line. The `tideline cluster` process is spawned through children.ts as the leader of its own
// process group, so stopping it (or the bench's cleanup) also reaches the broker processes it
// runs. The brokers' CPU time is the sum over those processes, found as the children of the
// cluster process in /proc.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrokerHandle } from './broker.js';
import { storedBytes } from './broker.js';
import { collectOutput, procCpu, spawnTracked, stopTracked, type CpuTimes } from './children.js';

export interface ClusterHandle extends BrokerHandle {
  /** Pids of the broker processes (one per node). */
  nodePids(): number[];
  /** Segment bytes each node holds for a topic, in node order: equal when every replica caught up. */
  storedBytesPerNode(topic: string): number[];
}

const READY_LINE = /^tideline cluster ready bootstrap=(\S+)/;
const READY_TIMEOUT_MS = 90_000;

/** Pids of a process's direct children (Linux: /proc/<pid>/task/<tid>/children). */
export function childPids(pid: number): number[] {
  const pids: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text !== '') pids.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    return pids; // The process exited while we looked.
  }
  return pids;
}

export async function startLocalCluster(opts: { repoRoot: string; dir: string; nodes: number; overrides: readonly string[] }): Promise<ClusterHandle> {
  const args = [join(opts.repoRoot, 'bin', 'tideline.js'), 'cluster', '--nodes', String(opts.nodes), '--dir', opts.dir, ...opts.overrides.flatMap((o) => ['--override', o])];
  const child = spawnTracked('tideline cluster', process.execPath, args, { cwd: opts.repoRoot });
  let resolveReady!: (bootstrap: string) => void;
  const ready = new Promise<string>((resolve) => (resolveReady = resolve));
  const stdout = collectOutput(child.proc.stdout, (line) => {
    const m = READY_LINE.exec(line);
    if (m) resolveReady(m[1]!);
  });
  const stderr = collectOutput(child.proc.stderr);
  const outcome = await Promise.race([
    ready,
    child.exited.then((e) => new Error(`tideline cluster exited before it was ready (code ${e.code}, signal ${e.signal})`)),
    new Promise<Error>((resolve) => setTimeout(() => resolve(new Error(`cluster not ready after ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS).unref()),
  ]);
  if (outcome instanceof Error) {
    await stopTracked(child, 5000);
    throw new Error(`${outcome.message}; stdout: ${stdout().trim() || '(empty)'}; stderr: ${stderr().trim().slice(-2000) || '(empty)'}; node logs in ${opts.dir}`);
  }
  const nodeDirs = Array.from({ length: opts.nodes }, (_, i) => join(opts.dir, `node-${i + 1}`));
  const nodePids = (): number[] => childPids(child.pid);
  return {
    pid: child.pid,
    bootstrap: outcome,
    logFile: join(opts.dir, 'node-<id>.log'),
    profileDir: null,
    nodePids,
    storedBytes: (topic) => nodeDirs.reduce((sum, d) => sum + storedBytes(d, topic), 0),
    storedBytesPerNode: (topic) => nodeDirs.map((d) => storedBytes(d, topic)),
    cpu(): CpuTimes | null {
      const all = nodePids().map(procCpu);
      if (all.length === 0 || all.some((c) => c === null)) return null;
      return all.reduce<CpuTimes>((sum, c) => ({ userSec: sum.userSec + c!.userSec, sysSec: sum.sysSec + c!.sysSec }), { userSec: 0, sysSec: 0 });
    },
    async stop() {
      await stopTracked(child, 30_000);
      return null;
    },
  };
}
