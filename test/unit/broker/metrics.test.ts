// Goal: the broker's counters bucket request latency as Prometheus expects (le is inclusive),
// count records from batch headers alone, and sum topic traffic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiStats, BrokerMetrics, LATENCY_BUCKETS_MS, recordsInBatches } from '../../../src/broker/metrics.js';
import { buildBatch } from '../../../src/protocol/records/index.js';

test('latency buckets: upper bounds inclusive, beyond the last goes to +Inf', () => {
  const s = new ApiStats();
  for (const ms of [0.1, 0.5, 0.6, 10_000, 20_000]) s.observe(ms, false);
  s.observe(1, true);
  assert.equal(s.count, 6);
  assert.equal(s.errors, 1);
  assert.equal(s.latencyBuckets[0], 2); // 0.1 and 0.5 are <= 0.5
  assert.equal(s.latencyBuckets[1], 2); // 0.6 and 1
  assert.equal(s.latencyBuckets[LATENCY_BUCKETS_MS.length - 1], 1); // 10 000 <= 10 000
  assert.equal(s.latencyBuckets[LATENCY_BUCKETS_MS.length], 1); // +Inf
});

test('records in batches come from lastOffsetDelta of each header', () => {
  const one = buildBatch({ records: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
  const two = buildBatch({ records: [{ value: 'd' }] });
  assert.equal(recordsInBatches(Buffer.concat([one, two])), 4);
  assert.equal(recordsInBatches(Buffer.alloc(0)), 0);
  assert.equal(recordsInBatches(one.subarray(0, 30)), 0); // a partial header counts nothing
});

test('totals add every topic; a forgotten topic stops counting', () => {
  const m = new BrokerMetrics();
  m.topic('a').bytesIn += 10;
  m.topic('b').messagesOut += 2;
  m.requestDone(0, 1, false);
  assert.deepEqual(m.totals(), { bytesIn: 10, messagesIn: 0, bytesOut: 0, messagesOut: 2 });
  m.forgetTopic('a');
  assert.equal(m.totals().bytesIn, 0);
  assert.equal(m.apis[0]!.count, 1);
});
