// Goal: replica placement follows Kafka's assignment: round-robin spreads leaders and replicas
// evenly over brokers; the rack-aware variant (used when every broker has a rack) alternates
// racks, puts each partition on as many racks as it can, and stays balanced per broker.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeReplicas, rackAlternated, rackAware, roundRobin, type PlacementBroker } from '../../../src/controller/replica-placement.js';

const counts = (ids: number[]) => {
  const m = new Map<number, number>();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
};

test('round-robin: distinct replicas, every broker leads', () => {
  for (const n of [1, 2, 3, 5]) {
    for (let rf = 1; rf <= n; rf++) {
      const brokers = Array.from({ length: n }, (_, i) => i + 1);
      const placement = roundRobin(brokers, 12, rf, 1, 0);
      for (const replicas of placement) assert.equal(new Set(replicas).size, rf, `n=${n} rf=${rf} ${replicas}`);
      assert.equal(new Set(placement.map((r) => r[0])).size, n);
    }
  }
});

test('rack alternation takes one broker from each rack in turn', () => {
  const brokers: PlacementBroker[] = [
    { brokerId: 1, rack: 'b' },
    { brokerId: 2, rack: 'a' },
    { brokerId: 3, rack: 'a' },
    { brokerId: 4, rack: 'c' },
    { brokerId: 5, rack: 'a' },
    { brokerId: 6, rack: 'b' },
  ];
  assert.deepEqual(rackAlternated(brokers), [2, 1, 4, 3, 6, 5]);
});

const racked = (racks: string[]): PlacementBroker[] => racks.map((rack, i) => ({ brokerId: i + 1, rack }));

test('rack-aware: each partition spans as many racks as it can, balanced per broker', () => {
  const layouts = [
    racked(['a', 'a', 'b', 'b', 'c', 'c']),
    racked(['a', 'b', 'c', 'a', 'b', 'c']),
    racked(['a', 'b']),
    racked(['a', 'a', 'a', 'b']),
    racked(['x', 'y', 'z', 'x', 'y', 'z', 'x', 'y', 'z']),
  ];
  for (const brokers of layouts) {
    const rackOf = new Map(brokers.map((b) => [b.brokerId, b.rack]));
    const rackCount = new Set(rackOf.values()).size;
    for (let rf = 1; rf <= brokers.length; rf++) {
      for (const start of [0, 1, 4]) {
        const partitions = brokers.length * 4;
        const placement = rackAware(brokers, partitions, rf, start, 0);
        const label = `${brokers.map((b) => b.rack).join('')} rf=${rf} start=${start}`;
        for (const replicas of placement) {
          assert.equal(new Set(replicas).size, rf, label);
          assert.equal(new Set(replicas.map((id) => rackOf.get(id))).size, Math.min(rf, rackCount), `${label}: ${replicas}`);
        }
        assert.deepEqual(counts(placement.map((r) => r[0]!)), brokers.map(() => 4), `${label}: leaders`);
        const balancedRacks = new Set(counts(brokers.map((b) => b.rack!.charCodeAt(0)))).size === 1;
        if (balancedRacks) assert.deepEqual(counts(placement.flat()), brokers.map(() => 4 * rf), `${label}: replicas`);
      }
    }
  }
});

test('placeReplicas is rack-aware only when every broker has a rack', () => {
  const mixed: PlacementBroker[] = [
    { brokerId: 1, rack: 'a' },
    { brokerId: 2, rack: null },
    { brokerId: 3, rack: 'a' },
    { brokerId: 4, rack: 'b' },
  ];
  assert.deepEqual(placeReplicas(mixed, 8, 2, 1, 0), roundRobin([1, 2, 3, 4], 8, 2, 1, 0));
  const all = mixed.map((b) => ({ ...b, rack: b.rack ?? 'c' }));
  assert.deepEqual(placeReplicas(all, 8, 2, 1, 0), rackAware(all, 8, 2, 1, 0));
  assert.deepEqual(placeReplicas(all, 2, 2, 1, 6), rackAware(all, 8, 2, 1, 0).slice(6), 'new partitions continue the pattern');
});
