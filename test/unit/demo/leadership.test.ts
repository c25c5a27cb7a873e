// Goal: the leadership view counts the location topic's leaders per broker (a fenced broker
// listed as down with none), and --kill-broker picks the busiest leader, preferring a broker
// that is not the active controller on a tie.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterMetadata } from '../../../src/client/index.js';
import { brokerToKill, formatLeaders, leaderViewOf } from '../../../src/demo/leadership.js';
import { LOCATION_TOPIC } from '../../../src/demo/types.js';

function metadata(live: number[], leaders: number[], isrSize: number, controllerId = 1): ClusterMetadata {
  return {
    clusterId: 'c',
    controllerId,
    brokers: live.map((nodeId) => ({ nodeId, host: '127.0.0.1', port: 9000 + nodeId, rack: null })),
    topics: [
      {
        name: LOCATION_TOPIC,
        topicId: 'x',
        isInternal: false,
        errorCode: 0,
        partitions: leaders.map((leaderId, partition) => ({
          partition,
          leaderId,
          leaderEpoch: 0,
          replicaNodes: [1, 2, 3],
          isrNodes: [1, 2, 3].slice(0, isrSize),
          errorCode: 0,
        })),
      },
    ],
  };
}

test('leaders per broker, in-sync replicas against replicas', () => {
  const view = leaderViewOf(metadata([1, 2, 3], [1, 2, 3, 1, 2, 3], 3));
  assert.deepEqual([...view.leaders], [[1, 2], [2, 2], [3, 2]]);
  assert.equal(formatLeaders(view), 'leaders broker1=2 broker2=2 broker3=2 isr=18/18');
});

test('a fenced broker still holding replicas is listed as down; leaderless partitions are counted', () => {
  const view = leaderViewOf(metadata([2, 3], [2, 3, -1, 3, 2, 3], 2));
  assert.equal(formatLeaders(view), 'leaders broker1=0(down) broker2=2 broker3=3 leaderless=1 isr=12/18');
});

test('the broker to kill leads the most partitions; ties go to a non-controller, then the lowest id', () => {
  assert.equal(brokerToKill(leaderViewOf(metadata([1, 2, 3], [3, 3, 1, 2, 3, 1], 3))), 3);
  assert.equal(brokerToKill(leaderViewOf(metadata([1, 2, 3], [1, 2, 3], 3, 1))), 2);
  assert.equal(brokerToKill(leaderViewOf(metadata([1, 2, 3], [1, 2, 3], 3, 2))), 1);
  assert.equal(brokerToKill(leaderViewOf(metadata([2, 3], [], 3))), undefined);
});
