// Goal: analytics state kept per partition adds up exactly across partitions (events and distinct
// partners sum, speeds weight by events), whichever member counted which partition, and the
// stats records are keyed per zone and partition.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zoneOf } from '../../../src/demo/city.js';
import { latestPerZone, mergeZoneStats, PartitionZoneWindows, zoneStatsKey } from '../../../src/demo/partition-windows.js';
import type { LocationUpdate } from '../../../src/demo/types.js';

const at = (partnerId: string, ts: number, speedKmh: number): LocationUpdate => ({
  partnerId, lat: 52.45, lon: 13.3, speedKmh, heading: 0, status: 'to_pickup', ts,
});
const zone = zoneOf(52.45, 13.3);

test('each partition keeps its own windows; the figures of two partitions add up', () => {
  const w = new PartitionZoneWindows(10_000, 0);
  w.add(0, at('a', 1_000, 10));
  w.add(0, at('a', 2_000, 20));
  w.add(1, at('b', 3_000, 60));
  w.add(1, at('b', 10_000, 60));
  assert.deepEqual(Object.fromEntries(w.eventsPerWindow()), { 0: 3, 10000: 1 });
  // Partition 1 has seen event time 10 s, so its first window is ready; partition 0's is not.
  const ready = w.takeReady();
  assert.deepEqual(ready, [{ zone, windowStartMs: 0, windowEndMs: 10_000, activePartners: 1, avgSpeedKmh: 60, events: 1, partition: 1 }]);
  assert.equal(zoneStatsKey(ready[0]!), `${zone}/1`);
  const all = w.takeAll();
  assert.deepEqual(all.map((s) => [s.partition, s.windowStartMs, s.events]), [[0, 0, 2], [1, 10_000, 1]]);
  const merged = mergeZoneStats([all[0]!, ready[0]!]);
  assert.deepEqual(merged, { zone, windowStartMs: 0, windowEndMs: 10_000, activePartners: 2, avgSpeedKmh: 30, events: 3 });
});

test('the latest window per zone adds up the partitions that reported it', () => {
  const s = (partition: number, windowStartMs: number, events: number) => ({
    zone, windowStartMs, windowEndMs: windowStartMs + 10, activePartners: events, avgSpeedKmh: 10, events, partition,
  });
  const latest = latestPerZone([s(0, 0, 5), s(1, 10, 2), s(2, 10, 3)]);
  assert.deepEqual(latest, [{ zone, windowStartMs: 10, windowEndMs: 20, activePartners: 5, avgSpeedKmh: 10, events: 5 }]);
  assert.throws(() => mergeZoneStats([]), RangeError);
});
