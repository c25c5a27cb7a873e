// Goal: idempotent produce sequencing follows Kafka: retries of the last five batches are
// duplicates, gaps are OUT_OF_ORDER_SEQUENCE_NUMBER, old epochs are fenced, new epochs start at 0.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProducerStateTable } from '../../../src/txn/producer-state.js';
import { ErrorCode } from '../../../src/protocol/errors.js';

const batch = (baseSequence: number, producerEpoch = 0, lastOffsetDelta = 9) => ({ producerId: 7, producerEpoch, baseSequence, lastOffsetDelta });

test('in-order batches append; a retry is a duplicate with its first offsets', () => {
  const t = new ProducerStateTable();
  let offset = 0;
  for (let seq = 0; seq < 60; seq += 10) {
    assert.equal(t.check(batch(seq)).kind, 'append');
    t.update(batch(seq), offset, 0);
    offset += 10;
  }
  assert.deepEqual(t.check(batch(50)), { kind: 'duplicate', firstOffset: 50, lastOffset: 59, timestampMs: 0 });
  assert.equal(t.check(batch(10)).kind, 'duplicate'); // still among the last five
  const stale = t.check(batch(0)); // evicted: out of order
  assert.equal(stale.kind === 'error' && stale.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
});

test('gaps, old epochs and new epochs', () => {
  const t = new ProducerStateTable();
  t.update(batch(0, 1), 0, 0);
  const gap = t.check(batch(20, 1));
  assert.equal(gap.kind === 'error' && gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  const old = t.check(batch(10, 0));
  assert.equal(old.kind === 'error' && old.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  assert.equal(t.check(batch(0, 2)).kind, 'append');
  const badStart = t.check(batch(5, 2));
  assert.equal(badStart.kind === 'error' && badStart.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
});

test('an unknown producer may start anywhere; non-idempotent batches are not tracked', () => {
  const t = new ProducerStateTable();
  assert.equal(t.check(batch(500)).kind, 'append');
  t.update({ producerId: -1, producerEpoch: -1, baseSequence: -1, lastOffsetDelta: 3 }, 0, 0);
  assert.equal(t.size, 0);
});

test('sequence numbers wrap at 2^31-1', () => {
  const t = new ProducerStateTable();
  t.update(batch(2147483640, 0, 7), 0, 0); // last sequence 2147483647
  assert.equal(t.check(batch(0, 0, 3)).kind, 'append');
});

test('expiry and truncation forget producers', () => {
  const t = new ProducerStateTable();
  t.update(batch(0), 0, 1000);
  assert.equal(t.expire(2000, 5000), 0);
  assert.equal(t.expire(10_000, 5000), 1);
  t.update(batch(0), 100, 0);
  t.truncateFrom(100);
  assert.equal(t.size, 0);
});
