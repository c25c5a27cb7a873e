// Goal: the location service's index keeps the newest update per partner, answers radius queries
// exactly as a brute-force scan would, and its HTTP routes return positions, neighbours and errors.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distanceKm } from '../../../src/demo/city.js';
import { startJsonServer } from '../../../src/demo/http.js';
import { locationRoutes } from '../../../src/demo/location-service.js';
import { SeededRandom } from '../../../src/common/random.js';
import { SpatialIndex } from '../../../src/demo/spatial-index.js';
import type { LocationUpdate } from '../../../src/demo/types.js';

const update = (partnerId: string, lat: number, lon: number, ts: number): LocationUpdate => ({
  partnerId, lat, lon, speedKmh: 20, heading: 90, status: 'to_pickup', ts,
});

test('an older update never replaces a newer one', () => {
  const index = new SpatialIndex();
  index.upsert(update('a', 52.5, 13.4, 2));
  index.upsert(update('a', 52.4, 13.3, 1));
  assert.equal(index.get('a')!.lat, 52.5);
  index.upsert(update('a', 52.45, 13.35, 3));
  assert.equal(index.get('a')!.lat, 52.45);
  assert.deepEqual(index.nearby(52.5, 13.4, 0.5, 10), []);
  assert.equal(index.size, 1);
});

test('radius queries agree with a brute-force scan', () => {
  const random = new SeededRandom(5);
  const index = new SpatialIndex();
  const all: LocationUpdate[] = [];
  for (let i = 0; i < 5_000; i++) {
    const u = update(`p${i}`, 52.4 + random.next() * 0.2, 13.25 + random.next() * 0.3, i);
    all.push(u);
    index.upsert(u);
  }
  for (const radiusKm of [0.3, 1, 3]) {
    const expected = all.filter((u) => distanceKm(52.5, 13.4, u.lat, u.lon) <= radiusKm).map((u) => u.partnerId).sort();
    const found = index.nearby(52.5, 13.4, radiusKm, 10_000).map((n) => n.update.partnerId).sort();
    assert.deepEqual(found, expected);
  }
  const nearest = index.nearby(52.5, 13.4, 3, 5);
  assert.equal(nearest.length, 5);
  assert.ok(nearest.every((n, i) => i === 0 || nearest[i - 1]!.distanceKm <= n.distanceKm));
});

test('GET /partners/:id and /nearby over HTTP', async () => {
  const index = new SpatialIndex();
  index.upsert(update('p000001', 52.5, 13.4, 1));
  index.upsert(update('p000002', 52.501, 13.401, 1));
  const server = await startJsonServer(locationRoutes(index));
  const get = async (path: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return { status: res.status, body: await res.json() };
  };
  try {
    assert.deepEqual(await get('/partners/p000001'), { status: 200, body: update('p000001', 52.5, 13.4, 1) });
    assert.equal((await get('/partners/nobody')).status, 404);
    const nearby = await get('/nearby?lat=52.5&lon=13.4&radiusKm=1');
    assert.equal(nearby.status, 200);
    assert.equal((nearby.body as { count: number }).count, 2);
    assert.equal((await get('/nearby?lat=52.5')).status, 400);
    assert.equal((await get('/nearby?lat=52.5&lon=13.4&radiusKm=500')).status, 400);
    assert.equal((await get('/elsewhere')).status, 404);
  } finally {
    await server.close();
  }
});
