// Goal: under random schedules of joins, syncs, heartbeats, offset commits, leaves, crashes,
// pauses, restarts, slow leaders, network delays and coordinator fail-overs, a classic group
// keeps its invariants (listed in classic-sim.ts): one owner per partition per generation,
// generations that only grow, one leader, members that are exactly the live joiners, and no
// request parked for good. A failure prints its seed; SIM_SEED=<n> replays that seed alone
// (SIM_TRACE=<lines> prints more of its trace) and SIM_SEEDS=<count> runs more seeds.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulation } from './classic-sim.js';

test('classic group simulation over many seeds', () => {
  const only = process.env['SIM_SEED'];
  const seeds = only !== undefined ? [Number(only)] : Array.from({ length: Number(process.env['SIM_SEEDS'] ?? 500) }, (_, i) => i + 1);
  let steps = 0;
  let generations = 0;
  const counts = new Map<string, number>();
  for (const seed of seeds) {
    const result = runSimulation(seed);
    steps += result.steps;
    generations += result.generations;
    for (const [what, n] of result.counts) counts.set(what, (counts.get(what) ?? 0) + n);
  }
  if (only !== undefined) return;
  // The schedules must reach the interesting paths, not just the happy one.
  assert.ok(steps / seeds.length > 500, `only ${steps / seeds.length} steps per seed`);
  assert.ok(generations / seeds.length > 3, `only ${generations / seeds.length} generations per seed`);
  const reached = [
    'member id required',
    'session expired',
    'pending sync expired',
    'pending member expired',
    'dropped non-rejoiners',
    'new leader',
    'static restart without rebalance',
    'fenced answer',
    'max size reached',
    'became empty',
    'failover',
    'commit accepted',
    'commit refused',
  ];
  for (const what of reached) assert.ok((counts.get(what) ?? 0) > 0, `no schedule reached "${what}": ${JSON.stringify(Object.fromEntries(counts))}`);
});
