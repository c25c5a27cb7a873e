// Goal: under seeded schedules of message loss, delay, duplication, reordering, partitions and
// crash/restart, a 3- and a 5-voter quorum keep Raft's safety properties (listed in raft-sim.ts)
// after every step, and elect a leader that commits once the network heals. Half the schedules
// add one or two observers, which must only ever commit what the voters committed and must catch
// up after healing. A failure prints
// its seed and trace; SIM_SEED=<n> replays that seed alone and SIM_SEEDS=<count> runs more.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RaftSimulation } from './raft-sim.js';

function seeds(defaultCount: number): number[] {
  const only = process.env['SIM_SEED'];
  if (only !== undefined) return [Number(only)];
  return Array.from({ length: Number(process.env['SIM_SEEDS'] ?? defaultCount) }, (_, i) => i + 1);
}

let livenessTicksMax = 0;

/** Observers per schedule, by seed: none in half of them, so voter-only runs stay as they were. */
function observersFor(seed: number): number {
  return [0, 1, 0, 2][seed % 4]!;
}

function runMany(voterCount: number, count: number): Map<string, number> {
  const totals = new Map<string, number>();
  for (const seed of seeds(count)) {
    const sim = new RaftSimulation(seed, voterCount, observersFor(seed));
    let result;
    try {
      result = sim.run();
    } catch (err) {
      // Core assertions do not know the seed: name it, with the end of the trace, and rethrow.
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${voterCount} voters, ${observersFor(seed)} observers, seed ${seed} (replay: SIM_SEED=${seed}): ${message}\n${sim.trace.slice(-40).join('\n')}`, { cause: err });
    }
    livenessTicksMax = Math.max(livenessTicksMax, result.livenessTicks);
    for (const [what, n] of result.counts) totals.set(what, (totals.get(what) ?? 0) + n);
  }
  return totals;
}

function assertReached(totals: Map<string, number>): void {
  if (process.env['SIM_SEED'] !== undefined) return;
  // The schedules must reach the interesting paths, not only the happy one.
  for (const what of ['leader elected', 'pre-vote', 'diverging', 'snapshot needed', 'snapshot installed', 'snapshot taken', 'resigned', 'snapshot fetch refused', 'crash', 'partition', 'observer found the leader', 'observer lost its leader', 'observer installed a snapshot']) {
    assert.ok((totals.get(what) ?? 0) > 0, `no schedule reached "${what}": ${JSON.stringify(Object.fromEntries(totals))}`);
  }
}

test('raft simulation, 3 voters, many seeds', () => {
  assertReached(runMany(3, 200));
});

test('raft simulation, 5 voters, many seeds', () => {
  assertReached(runMany(5, 150));
  console.log(`slowest recovery after healing: ${livenessTicksMax} ticks`);
});
