// Goal: the simulator is deterministic for a seed, hands out updates round-robin, keeps partners
// inside the city on plausible speeds, and moves them along streets (one coordinate changes at a time).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BLOCK_DEG, CITY } from '../../../src/demo/city.js';
import { Simulator, partnerIdOf, producerRanges } from '../../../src/demo/simulator.js';
import type { LocationUpdate } from '../../../src/demo/types.js';

function run(seed: number, count: number): LocationUpdate[] {
  const simulator = new Simulator({ partners: 50, ratePerSec: 10, seed });
  return Array.from({ length: count }, () => simulator.next(1_000));
}

test('same seed, same updates; another seed, other updates', () => {
  assert.deepEqual(run(7, 2_000), run(7, 2_000));
  assert.notDeepEqual(run(7, 2_000), run(8, 2_000));
});

test('round-robin over partners with stable ids', () => {
  const updates = run(1, 120);
  assert.deepEqual(updates.slice(0, 3).map((u) => u.partnerId), [partnerIdOf(0), partnerIdOf(1), partnerIdOf(2)]);
  assert.equal(updates[50]!.partnerId, partnerIdOf(0));
  assert.equal(partnerIdOf(42), 'p000042');
});

test('partners stay in the box, drive at plausible speeds, and move along streets', () => {
  const updates = run(3, 20_000);
  const previous = new Map<string, LocationUpdate>();
  let moves = 0;
  for (const u of updates) {
    assert.ok(u.lat >= CITY.latMin - 1e-9 && u.lat <= CITY.latMax + 1e-9, `lat ${u.lat}`);
    assert.ok(u.lon >= CITY.lonMin - 1e-9 && u.lon <= CITY.lonMax + 1e-9, `lon ${u.lon}`);
    assert.ok(u.speedKmh >= 0 && u.speedKmh <= 60, `speed ${u.speedKmh}`);
    assert.ok([0, 90, 180, 270].includes(u.heading));
    assert.ok(['idle', 'to_pickup', 'to_dropoff'].includes(u.status));
    const before = previous.get(u.partnerId);
    if (before !== undefined && (before.lat !== u.lat || before.lon !== u.lon)) {
      moves++;
      // One reporting interval (5 s) at ≤ 45 km/h is well under a kilometre.
      assert.ok(Math.abs(before.lat - u.lat) + Math.abs(before.lon - u.lon) < 20 * BLOCK_DEG);
    }
    previous.set(u.partnerId, u);
  }
  assert.ok(moves > 1_000, `partners moved ${moves} times`);
  assert.ok(updates.some((u) => u.status === 'idle') && updates.some((u) => u.status === 'to_dropoff'));
});

test('producer ranges cover every partner once; range 0 replays the single simulator', () => {
  assert.deepEqual(producerRanges(10, 3), [{ from: 0, to: 3 }, { from: 3, to: 6 }, { from: 6, to: 10 }]);
  assert.deepEqual(producerRanges(5, 1), [{ from: 0, to: 5 }]);
  const whole = new Simulator({ partners: 50, ratePerSec: 10, seed: 7 });
  const first = new Simulator({ partners: 50, ratePerSec: 10, seed: 7, range: { from: 0, to: 50 } });
  for (let i = 0; i < 500; i++) assert.deepEqual(first.next(1), whole.next(1));
  const second = new Simulator({ partners: 50, ratePerSec: 10, seed: 7, range: { from: 25, to: 50 } });
  const ids = Array.from({ length: 26 }, () => second.next(1).partnerId);
  assert.deepEqual([ids[0], ids[24], ids[25]], [partnerIdOf(25), partnerIdOf(49), partnerIdOf(25)]);
});
