// Goal: describe output matches kafka-consumer-groups: one row per assigned or committed
// partition with exact lag, "-" where a value is unknown, idle members listed, and tables whose
// columns line up.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GroupDescription } from '../../../src/client/index.js';
import { formatTable } from '../../../src/cli/format.js';
import { assignmentText, formatMemberRows, formatOffsetRows, formatStateRow, memberRows, offsetRows, stateRow } from '../../../src/cli/groups-describe.js';

const group: GroupDescription = {
  groupId: 'g',
  groupState: 'Stable',
  protocolType: 'consumer',
  protocol: 'range',
  coordinator: { nodeId: 1, host: 'localhost', port: 9092, rack: null },
  members: [
    { memberId: 'm1', groupInstanceId: null, clientId: 'c1', clientHost: '/10.0.0.1', assignment: [{ topic: 'a', partition: 0 }, { topic: 'b', partition: 1 }] },
    { memberId: 'm2', groupInstanceId: null, clientId: 'c2', clientHost: '/10.0.0.2', assignment: [] },
  ],
};
const committed = [
  { topic: 'a', partition: 0, offset: 7, leaderEpoch: -1, metadata: '' },
  { topic: 'a', partition: 1, offset: 3, leaderEpoch: -1, metadata: '' },
];
const logEnd = new Map([['a:0', 10], ['a:1', 3], ['b:1', 5]]);

test('rows cover assigned and committed partitions, then idle members', () => {
  const rows = offsetRows(group, committed, logEnd);
  assert.deepEqual(rows.map((r) => [r.topic, r.partition, r.currentOffset, r.logEndOffset, r.lag, r.consumerId]), [
    ['a', 0, 7, 10, 3, 'm1'],
    ['a', 1, 3, 3, 0, null],
    ['b', 1, null, 5, null, 'm1'],
    [null, null, null, null, null, 'm2'],
  ]);
});

test('the offsets table has Kafka\'s columns, aligned, with "-" for unknowns', () => {
  const text = formatOffsetRows(offsetRows(group, committed, logEnd));
  assert.equal(text, [
    'GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST      CLIENT-ID',
    'g     a     0         7              10             3   m1          /10.0.0.1 c1',
    'g     a     1         3              3              0   -           -         -',
    'g     b     1         -              5              -   m1          /10.0.0.1 c1',
    'g     -     -         -              -              -   m2          /10.0.0.2 c2',
    '',
  ].join('\n'));
});

test('members and state views', () => {
  assert.equal(assignmentText([{ topic: 'a', partition: 0 }, { topic: 'a', partition: 2 }, { topic: 'b', partition: 1 }]), 'a(0,2),b(1)');
  assert.equal(formatMemberRows(memberRows(group), true), [
    'GROUP CONSUMER-ID HOST      CLIENT-ID #PARTITIONS ASSIGNMENT',
    'g     m1          /10.0.0.1 c1        2           a(0),b(1)',
    'g     m2          /10.0.0.2 c2        0           -',
    '',
  ].join('\n'));
  assert.equal(formatStateRow(stateRow(group)), [
    'GROUP COORDINATOR (ID)   ASSIGNMENT-STRATEGY STATE  #MEMBERS',
    'g     localhost:9092 (1) range               Stable 2',
    '',
  ].join('\n'));
});

test('formatTable pads to the widest cell and trims line ends', () => {
  assert.equal(formatTable(['A', 'LONG-HEADER'], [['wide value', null], ['x', 0]]), 'A          LONG-HEADER\nwide value -\nx          0\n');
});
