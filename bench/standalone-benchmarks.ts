// The benchmarks that start their own servers, by name, for run.ts to dispatch to. Each takes
// the arguments after its name and returns the exit code.

import { runClusterBench } from './cluster.js';
import { runFootprintBench } from './footprint.js';
import { runPeersBench } from './peers.js';

export const STANDALONE_BENCHMARKS: Readonly<Record<string, (argv: string[]) => Promise<number>>> = {
  cluster: runClusterBench,
  footprint: runFootprintBench,
  peers: runPeersBench,
};
