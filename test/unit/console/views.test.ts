// Goal: the console's pure pieces show what they should: payloads as JSON, text or hex; rates
// from counter samples; lag rows from a group, its commits and log ends; zone figures summed
// over analytics partitions for each zone's latest window.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { payloadBytes, viewPayload, PAYLOAD_SHOWN_BYTES_MAX } from '../../../src/console/record-view.js';
import { ThroughputHistory } from '../../../src/console/throughput.js';
import { lagRows } from '../../../src/console/groups-view.js';
import { zonesSummed } from '../../../src/console/gps-map.js';
import type { GroupDescription } from '../../../src/client/index.js';

test('payloads: json, text, binary, truncated, null', () => {
  assert.equal(viewPayload(null), null);
  assert.equal(viewPayload(Buffer.from('{"a":1}'))!.kind, 'json');
  assert.equal(viewPayload(Buffer.from('42'))!.kind, 'json');
  assert.equal(viewPayload(Buffer.from('hello world'))!.kind, 'text');
  assert.equal(viewPayload(Buffer.from('{not json'))!.kind, 'text');
  const binary = viewPayload(Buffer.from([0, 1, 2, 255]))!;
  assert.deepEqual([binary.kind, binary.text, binary.hex], ['binary', null, '000102ff']);
  const big = viewPayload(Buffer.alloc(PAYLOAD_SHOWN_BYTES_MAX + 10, 'a'))!;
  assert.deepEqual([big.isTruncated, big.size, big.text!.length], [true, PAYLOAD_SHOWN_BYTES_MAX + 10, PAYLOAD_SHOWN_BYTES_MAX]);
  assert.deepEqual(payloadBytes('de ad', 'hex'), Buffer.from([0xde, 0xad]));
  assert.throws(() => payloadBytes('xyz', 'hex'), RangeError);
  assert.equal(payloadBytes(null), null);
});

test('throughput: per-second rates between samples, the first sample only sets the base', () => {
  const h = new ThroughputHistory();
  h.sample(1000, { bytesIn: 0, messagesIn: 0, bytesOut: 0, messagesOut: 0 });
  assert.equal(h.all().length, 0);
  h.sample(3000, { bytesIn: 2000, messagesIn: 20, bytesOut: 1000, messagesOut: 10 });
  assert.deepEqual(h.latest(), { t: 3, bytesInPerSec: 1000, messagesInPerSec: 10, bytesOutPerSec: 500, messagesOutPerSec: 5 });
});

test('lag rows: assigned and committed partitions, no lag without a commit', () => {
  const group: GroupDescription = {
    groupId: 'g',
    groupState: 'Stable',
    protocolType: 'consumer',
    protocol: 'range',
    coordinator: { nodeId: 1, host: 'h', port: 1, rack: null },
    members: [{ memberId: 'm1', groupInstanceId: null, clientId: 'c1', clientHost: 'h', assignment: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }] }],
  };
  const rows = lagRows(group, [{ topic: 't', partition: 0, offset: 5, leaderEpoch: -1, metadata: null }, { topic: 'old', partition: 0, offset: 3, leaderEpoch: -1, metadata: null }],
    new Map([['t:0', 8], ['t:1', 4], ['old:0', 3]]));
  assert.deepEqual(rows.map((r) => [r.topic, r.partition, r.committedOffset, r.logEndOffset, r.lag, r.clientId]), [
    ['old', 0, 3, 3, 0, null],
    ['t', 0, 5, 8, 3, 'c1'],
    ['t', 1, null, 4, null, 'c1'],
  ]);
});

test('zones: the latest window of each zone, partitions added up, speed weighted by events', () => {
  const w = (zone: string, windowStartMs: number, activePartners: number, avgSpeedKmh: number, events: number) => ({ zone, windowStartMs, windowEndMs: windowStartMs + 10, activePartners, avgSpeedKmh, events });
  const zones = zonesSummed([w('z0-0', 0, 9, 99, 9), w('z0-0', 10, 2, 10, 10), w('z0-0', 10, 3, 20, 30), w('z1-1', 5, 1, 5, 1)]);
  assert.deepEqual(zones, [
    { zone: 'z0-0', windowStartMs: 10, activePartners: 5, avgSpeedKmh: 17.5, events: 40 },
    { zone: 'z1-1', windowStartMs: 5, activePartners: 1, avgSpeedKmh: 5, events: 1 },
  ]);
});
