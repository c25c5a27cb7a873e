// Goal: records come out of a fetched records field exactly (keys, values, headers, offsets),
// starting at the fetch offset inside a batch, skipping control batches, and ignoring a partial
// batch at the end, which the broker's size limit may leave.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFetched } from '../../../src/client/fetch-request.js';
import { CompressionCodec, buildBatch, buildEndTxnMarkerBatch } from '../../../src/protocol/records/index.js';

test('decodes whole batches from the fetch offset on, and stops at a partial tail', () => {
  const first = buildBatch({ baseOffset: 10, compression: CompressionCodec.GZIP, records: [
    { key: 'a', value: '1', timestamp: 1000 },
    { key: null, value: '2', timestamp: 1001, headers: [{ key: 'h', value: 'x' }, { key: 'h', value: null }] },
  ] });
  const second = buildBatch({ baseOffset: 12, records: [{ key: 'c', value: null, timestamp: 1002 }] });
  const buf = Buffer.concat([first, second, second.subarray(0, 20)]);
  const { records, nextOffset } = decodeFetched('t', 3, 11, buf);
  assert.equal(nextOffset, 13);
  assert.deepEqual(records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null, r.timestamp]), [
    [11, null, '2', 1001],
    [12, 'c', null, 1002],
  ]);
  assert.deepEqual(records[0]!.headers.map((h) => [h.key, h.value?.toString() ?? null]), [['h', 'x'], ['h', null]]);
  assert.equal(records[0]!.topic, 't');
  assert.equal(records[0]!.partition, 3);
});

test('a control batch advances the position but yields no records', () => {
  const marker = buildEndTxnMarkerBatch({ baseOffset: 4, producerId: 7, producerEpoch: 0, isCommit: true, coordinatorEpoch: 0, timestamp: 1 });
  const data = buildBatch({ baseOffset: 5, records: [{ value: 'v', timestamp: 1 }] });
  const { records, nextOffset } = decodeFetched('t', 0, 4, Buffer.concat([marker, data]));
  assert.deepEqual(records.map((r) => r.offset), [5]);
  assert.equal(nextOffset, 6);
});

test('an empty records field leaves the position alone', () => {
  assert.deepEqual(decodeFetched('t', 0, 5, Buffer.alloc(0)), { records: [], nextOffset: 5 });
});
