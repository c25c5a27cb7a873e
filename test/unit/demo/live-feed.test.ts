// Goal: the live feed hands each subscriber every partner that reported since its last event, once,
// with the latest update, inside its bounding box only; a backed-up subscriber keeps merging
// (bounded by partners, newest wins) and gets it all once unblocked; nothing is kept while nobody
// listens; the subscriber limit and malformed bboxes are refused.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveFeed, parseBbox } from '../../../src/demo/live-feed.js';
import type { LocationUpdate } from '../../../src/demo/types.js';

function update(partnerId: string, lat: number, lon: number, ts: number): LocationUpdate {
  return { partnerId, lat, lon, speedKmh: 20, heading: 90, status: 'to_pickup', ts };
}

const ids = (updates: LocationUpdate[]): string[] => updates.map((u) => `${u.partnerId}@${u.ts}`);

test('changed partners once per flush, latest wins, bbox filters', () => {
  const feed = new LiveFeed(4);
  feed.record(update('p1', 52.5, 13.4, 1)); // nobody listens: dropped
  const all = feed.subscribe(null)!;
  const bbox = parseBbox('13.3,52.4,13.45,52.55');
  assert.ok(bbox !== null && typeof bbox === 'object');
  const box = feed.subscribe(bbox)!;
  feed.record(update('p2', 52.5, 13.4, 2));
  feed.record(update('p3', 52.6, 13.5, 3));
  feed.record(update('p2', 52.51, 13.41, 4));
  const first = new Map(feed.flush().map((o) => [o.subscriber, ids(o.updates)]));
  assert.deepEqual(first.get(all), ['p2@4', 'p3@3']);
  assert.deepEqual(first.get(box), ['p2@4']);
  assert.deepEqual(feed.flush(), [], 'nothing changed since');

  all.isBlocked = true;
  feed.record(update('p1', 52.5, 13.4, 5));
  assert.deepEqual(feed.flush().map((o) => [o.subscriber === box, ids(o.updates)]), [[true, ['p1@5']]]);
  feed.record(update('p1', 52.5, 13.4, 6));
  feed.record(update('p4', 52.5, 13.4, 7));
  feed.flush();
  assert.equal(all.pending.size, 2, 'merged per partner while blocked');
  all.isBlocked = false;
  assert.deepEqual(feed.flush().map((o) => ids(o.updates)), [['p1@6', 'p4@7']]);

  feed.unsubscribe(all);
  feed.unsubscribe(box);
  assert.equal(feed.subscriberCount, 0);
});

test('subscriber limit and bbox parsing', () => {
  const feed = new LiveFeed(1);
  assert.ok(feed.subscribe(null) !== undefined);
  assert.equal(feed.subscribe(null), undefined);
  assert.equal(parseBbox(null), null);
  assert.deepEqual(parseBbox('1,2,3,4'), { minLon: 1, minLat: 2, maxLon: 3, maxLat: 4 });
  for (const bad of ['1,2,3', '1,2,3,x', '3,2,1,4', '1,4,3,2', ',,,']) assert.equal(typeof parseBbox(bad), 'string', bad);
});
