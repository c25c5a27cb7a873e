// Node.js (V8) flags for the broker processes the CLI starts itself: each node of `tideline
// cluster` and of the demo, and the demo's single broker. Measured on a 2-core machine with three
// brokers and a producer at 50k records/s, acks=all (docs/performance.md, "Tail latency on
// three brokers"): V8's default pool of four GC helper threads per process oversubscribes the
// cores, so a scavenge waits for helpers that are not running; and a 4 MiB young generation
// keeps each scavenge short. Together they took p99 from 17–23 ms to 7–10 ms and cost no throughput.
//
// A broker started by hand (`tideline start`) gets neither: Node cannot change them once running,
// and a `#!/usr/bin/env -S node …` line would break `env` implementations without -S (BusyBox).
// docs/operations.md says how to pass them. A flag the user already gave in NODE_OPTIONS (either
// spelling, dashes or underscores) is not added, since the command line would override it.

import { availableParallelism } from 'node:os';

export const SEMI_SPACE_FLAG = '--max-semi-space-size=4';

/** The flags to start a broker with when `nodesOnMachine` brokers share this machine's cores. */
export function brokerNodeFlags(nodesOnMachine: number, nodeOptions = process.env['NODE_OPTIONS'] ?? '', cores = availableParallelism()): string[] {
  const given = nodeOptions.split(/\s+/).map((o) => o.replace(/_/g, '-'));
  const isGiven = (name: string): boolean => given.some((o) => o === name || o.startsWith(`${name}=`));
  const flags: string[] = [];
  if (!isGiven('--max-semi-space-size')) flags.push(SEMI_SPACE_FLAG);
  if (!isGiven('--v8-pool-size')) flags.push(`--v8-pool-size=${Math.max(1, Math.floor(cores / nodesOnMachine))}`);
  return flags;
}
