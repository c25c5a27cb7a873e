// Node.js (V8) flags for the broker processes the CLI starts itself: each node of `tideline
// cluster` and of the demo, and the demo's single broker. Measured on a 2-core machine with three
// brokers and a producer at 50k records/s, acks=all (docs/performance.md, "Garbage collection
// settings"): V8's default pool of four GC helper threads per process oversubscribes the cores, so
// a scavenge waits for helpers that are not running; and a 4 MiB young generation keeps each
// scavenge short. Together they took p99 from 17–23 ms to 7–10 ms and cost no throughput.
//
// bin/tideline.js's shebang and `npm start` pass the semi-space flag too. The pool size depends on
// how many brokers share the machine, which only a command that starts several of them knows.
// Flags the user already gave in NODE_OPTIONS win: none is added twice.

import { availableParallelism } from 'node:os';

export const SEMI_SPACE_FLAG = '--max-semi-space-size=4';

/** The flags to start a broker with when `nodesOnMachine` brokers share this machine's cores. */
export function brokerNodeFlags(nodesOnMachine: number, nodeOptions = process.env['NODE_OPTIONS'] ?? '', cores = availableParallelism()): string[] {
  const given = nodeOptions.split(/\s+/);
  const isGiven = (name: string): boolean => given.some((o) => o === name || o.startsWith(`${name}=`));
  const flags: string[] = [];
  if (!isGiven('--max-semi-space-size')) flags.push(SEMI_SPACE_FLAG);
  if (!isGiven('--v8-pool-size')) flags.push(`--v8-pool-size=${Math.max(1, Math.floor(cores / nodesOnMachine))}`);
  return flags;
}
