// The benchmarks that start their own servers, by name, for run.ts to dispatch to. Each takes
// the arguments after its name and returns the exit code.

import { runClusterBench } from './cluster.js';
import { runFootprintBench } from './footprint.js';
import { runGpsBench } from './gps.js';
import { runPeersBench } from './peers.js';
import { findRepoRoot } from './repo-root.js';

export const STANDALONE_BENCHMARKS: Readonly<Record<string, (argv: string[]) => Promise<number>>> = {
  cluster: runClusterBench,
  footprint: runFootprintBench,
  peers: runPeersBench,
  gps: (argv) => runGpsBench(argv, findRepoRoot()),
};
