// Goal: the rules both db-writer stores share. A batch collapses to one update per partner the way
// the row-by-row upsert would leave it (a later offset wins within a partition, and an update
// from another partition replaces it), ordered by partner id so concurrent writers lock rows in
// the same order; the history sample is chosen by offset; passwords never reach messages.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPostgresUrl, isSampled, latestPerPartner, redactedUrl, type PositionedUpdate } from '../../../src/demo/location-store.js';

function at(partnerId: string, partition: number, offset: number): PositionedUpdate {
  return { partition, offset, update: { partnerId, lat: 52.5, lon: 13.4, speedKmh: 10, heading: 0, status: 'idle', ts: offset } };
}

test('one update per partner, as the row-by-row upsert leaves it, in partner-id order', () => {
  const cases: { batch: PositionedUpdate[]; expected: [string, number, number][] }[] = [
    { batch: [], expected: [] },
    { batch: [at('b', 1, 5), at('a', 0, 3), at('b', 1, 7)], expected: [['a', 0, 3], ['b', 1, 7]] },
    // A replayed, older offset of the same partition does not win.
    { batch: [at('a', 0, 9), at('a', 0, 4)], expected: [['a', 0, 9]] },
    // Another partition (the topic was recreated with other partitions) replaces it.
    { batch: [at('a', 0, 9), at('a', 2, 1)], expected: [['a', 2, 1]] },
  ];
  for (const { batch, expected } of cases) {
    assert.deepEqual(latestPerPartner(batch).map((p) => [p.update.partnerId, p.partition, p.offset]), expected);
  }
});

test('history sample by offset; URLs recognised and redacted', () => {
  assert.deepEqual([0, 1, 9, 10, 20, 25].filter(isSampled), [0, 10, 20]);
  assert.ok(isPostgresUrl('postgres://u@h:5432/db'));
  assert.ok(isPostgresUrl('postgresql://u@h/db'));
  assert.ok(!isPostgresUrl('mysql://u@h/db'));
  assert.equal(redactedUrl('postgres://user:secret@127.0.0.1:5432/db'), 'postgres://user:***@127.0.0.1:5432/db');
  assert.equal(redactedUrl('postgres://user@127.0.0.1/db'), 'postgres://user@127.0.0.1/db');
  assert.equal(redactedUrl('mysql://a:b@c/d'), 'mysql://a:***@c/d');
});
