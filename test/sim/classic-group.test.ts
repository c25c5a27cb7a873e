// Goal: under random schedules of joins, syncs, heartbeats, leaves, crashes, pauses, restarts,
// network delays and coordinator fail-overs, a classic group keeps its invariants (see
// classic-sim.ts): one owner per partition per generation, generations that only grow, one
// leader, members that are exactly the live joiners, and no request parked for good.
// SIM_SEED=<n> replays one seed; SIM_SEEDS=<count> changes how many seeds run (default 500).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulation } from './classic-sim.js';

test('classic group simulation over many seeds', () => {
  const only = process.env['SIM_SEED'];
  const seeds = only !== undefined ? [Number(only)] : Array.from({ length: Number(process.env['SIM_SEEDS'] ?? 500) }, (_, i) => i + 1);
  let steps = 0;
  let generations = 0;
  for (const seed of seeds) {
    const result = runSimulation(seed);
    steps += result.steps;
    generations += result.generations;
  }
  // The schedules must actually exercise the group: many steps and many rebalances per seed.
  assert.ok(steps / seeds.length > 200, `only ${steps / seeds.length} steps per seed`);
  assert.ok(generations / seeds.length > 3, `only ${generations / seeds.length} generations per seed`);
});
