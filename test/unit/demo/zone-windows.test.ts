// Goal: tumbling zone windows count every event exactly once, emit a window only after the grace
// period, re-emit a window that late events changed, and compute distinct partners and average speed.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zoneOf } from '../../../src/demo/city.js';
import type { LocationUpdate } from '../../../src/demo/types.js';
import { ZoneWindows } from '../../../src/demo/zone-windows.js';

const at = (partnerId: string, ts: number, speedKmh: number, lat = 52.45, lon = 13.3): LocationUpdate => ({
  partnerId, lat, lon, speedKmh, heading: 0, status: 'to_pickup', ts,
});

test('a window is emitted once event time passes its end plus grace', () => {
  const w = new ZoneWindows(10_000, 2_000);
  w.add(at('a', 1_000, 10));
  w.add(at('b', 2_000, 20));
  w.add(at('a', 3_000, 30));
  assert.deepEqual(w.takeReady(), []);
  w.add(at('c', 11_999, 5));
  assert.deepEqual(w.takeReady(), []);
  w.add(at('c', 12_000, 5));
  assert.deepEqual(w.takeReady(), [
    { zone: zoneOf(52.45, 13.3), windowStartMs: 0, windowEndMs: 10_000, activePartners: 2, avgSpeedKmh: 20, events: 3 },
  ]);
  assert.deepEqual(w.takeReady(), []);
});

test('late events re-emit their window and are counted', () => {
  const w = new ZoneWindows(10_000, 0);
  w.add(at('a', 1_000, 10));
  w.add(at('a', 10_000, 10));
  assert.equal(w.takeReady().length, 1);
  w.add(at('b', 9_000, 30));
  const again = w.takeReady();
  assert.equal(again.length, 1);
  assert.equal(again[0]!.events, 2);
  assert.equal(again[0]!.activePartners, 2);
  assert.deepEqual(w.eventsPerWindow(), new Map([[0, 2], [10_000, 1]]));
  assert.equal(w.takeAll().length, 1, 'only the open window is left to emit');
});

test('zones split the city', () => {
  assert.notEqual(zoneOf(52.41, 13.26), zoneOf(52.59, 13.54));
  assert.equal(zoneOf(0, 0), 'z0-0', 'points outside clamp to the edge');
});
