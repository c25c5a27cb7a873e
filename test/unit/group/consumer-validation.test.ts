// Goal: the consumer group's edges: KIP-848 request validation (one row per rule), group size
// limits, coordinator-generated member ids on v0, OffsetCommit/OffsetFetch epoch checks,
// ConsumerGroupDescribe output, and a snapshot that restores to the same group.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../../src/common/logger.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { ConsumerGroupHeartbeatRequest } from '../../../src/protocol/generated/consumer-group-heartbeat-request.js';
import {
  ConsumerGroup,
  validateConsumerGroupHeartbeat,
  type TopicsView,
} from '../../../src/group/consumer/index.js';
import { consumerGroupConfig, heartbeatRequest, newConsumerGroup } from './consumer-harness.js';

const topicList = new Map([
  ['foo', { topicId: 'id-foo', partitions: 4 }],
  ['bar', { topicId: 'id-bar', partitions: 2 }],
]);
const topics: TopicsView = {
  byName: (name) => topicList.get(name),
  byId: (id) => {
    for (const [name, t] of topicList) if (t.topicId === id) return { name, partitions: t.partitions };
    return undefined;
  },
  names: () => [...topicList.keys()],
};

const config = consumerGroupConfig(2);
const newGroup = (): ConsumerGroup => newConsumerGroup(2);

/** A valid first heartbeat of member 'm' subscribing to 'foo', then `fields`. */
const hb = (fields: Partial<ConsumerGroupHeartbeatRequest>): ConsumerGroupHeartbeatRequest =>
  heartbeatRequest({ memberId: 'm', rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['foo'], topicPartitions: [], ...fields });

test('request validation follows KIP-848, one rule per row', () => {
  const { INVALID_REQUEST, UNSUPPORTED_ASSIGNOR, INVALID_REGULAR_EXPRESSION } = ErrorCode;
  const rows: [string, number, Partial<ConsumerGroupHeartbeatRequest>, number | null][] = [
    ['a valid join', 1, {}, null],
    ['v1 needs a member id', 1, { memberId: '' }, INVALID_REQUEST],
    ['v0 join may leave the member id to the coordinator', 0, { memberId: '' }, null],
    ['v0 heartbeat needs a member id', 0, { memberId: '', memberEpoch: 3 }, INVALID_REQUEST],
    ['v0 leave needs a member id', 0, { memberId: '', memberEpoch: -1 }, INVALID_REQUEST],
    ['empty group id', 1, { groupId: '' }, INVALID_REQUEST],
    ['empty instance id', 1, { instanceId: '' }, INVALID_REQUEST],
    ['empty rack id', 1, { rackId: '' }, INVALID_REQUEST],
    ['join without rebalance timeout', 1, { rebalanceTimeoutMs: -1 }, INVALID_REQUEST],
    ['join with null owned partitions', 1, { topicPartitions: null }, INVALID_REQUEST],
    ['join claiming partitions', 1, { topicPartitions: [{ topicId: 'id-foo', partitions: [0] }] }, INVALID_REQUEST],
    ['join without subscription', 1, { subscribedTopicNames: null }, INVALID_REQUEST],
    ['join with only a regex', 1, { subscribedTopicNames: null, subscribedTopicRegex: 'f.*' }, null],
    ['join with an empty subscription', 1, { subscribedTopicNames: [] }, null],
    ['static leave without instance id', 1, { memberEpoch: -2 }, INVALID_REQUEST],
    ['epoch below -2', 1, { memberEpoch: -3 }, INVALID_REQUEST],
    ['regular heartbeat with only deltas', 1, { memberEpoch: 4, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: null }, null],
    ['unknown assignor', 1, { serverAssignor: 'sticky' }, UNSUPPORTED_ASSIGNOR],
    ['known assignor', 1, { serverAssignor: 'range' }, null],
    ['broken regex', 1, { subscribedTopicRegex: 'a)|(b' }, INVALID_REGULAR_EXPRESSION],
  ];
  for (const [name, apiVersion, fields, expected] of rows) {
    const rejection = validateConsumerGroupHeartbeat(apiVersion, hb(fields), config.assignors);
    assert.equal(rejection?.errorCode ?? null, expected, name);
  }
  const response = newGroup().heartbeat(0, 1, hb({ memberId: '' }), topics).response;
  assert.equal(response.errorCode, INVALID_REQUEST);
  assert.equal(response.errorMessage, "MemberId can't be empty.");
});

test('v0 joins get a coordinator-generated member id', () => {
  const g = newGroup();
  const { response } = g.heartbeat(0, 0, hb({ memberId: '' }), topics);
  assert.equal(response.errorCode, 0);
  assert.equal(response.memberId, 'generated-1');
  const next = g.heartbeat(1, 0, hb({ memberId: 'generated-1', memberEpoch: 1, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: null }), topics);
  assert.equal(next.response.errorCode, 0);
});

test('group.consumer.max.size turns newcomers away, not members', () => {
  const g = newGroup();
  g.heartbeat(0, 1, hb({ memberId: 'a' }), topics);
  g.heartbeat(0, 1, hb({ memberId: 'b' }), topics);
  assert.equal(g.heartbeat(0, 1, hb({ memberId: 'c' }), topics).response.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
  assert.equal(g.heartbeat(0, 1, hb({ memberId: 'a', memberEpoch: 1, topicPartitions: null }), topics).response.errorCode, 0);
  assert.equal(g.size, 2);
});

test('offset commits and fetches check the member epoch', () => {
  const g = newGroup();
  assert.equal(g.validateOffsetCommit('', -1), ErrorCode.NONE, 'admin commit to an empty group');
  g.heartbeat(0, 1, hb({ memberId: 'a' }), topics);
  const rows: [string, number, number][] = [
    ['a', 1, ErrorCode.NONE],
    ['a', 0, ErrorCode.STALE_MEMBER_EPOCH],
    ['a', 2, ErrorCode.STALE_MEMBER_EPOCH],
    ['x', 1, ErrorCode.UNKNOWN_MEMBER_ID],
    ['', -1, ErrorCode.UNKNOWN_MEMBER_ID],
  ];
  for (const [memberId, epoch, expected] of rows) assert.equal(g.validateOffsetCommit(memberId, epoch), expected, `commit ${memberId}@${epoch}`);
  assert.equal(g.validateOffsetFetch(null, -1), ErrorCode.NONE);
  assert.equal(g.validateOffsetFetch('a', 1), ErrorCode.NONE);
  assert.equal(g.validateOffsetFetch('a', 7), ErrorCode.STALE_MEMBER_EPOCH);
  assert.equal(g.validateOffsetFetch('x', 1), ErrorCode.UNKNOWN_MEMBER_ID);
});

test('describe reports epochs, members, current and target assignments', () => {
  const g = newGroup();
  g.heartbeat(0, 1, hb({ memberId: 'a', instanceId: 'i-a', rackId: 'r1', subscribedTopicNames: ['foo', 'bar'] }), topics, { clientId: 'app', clientHost: '/10.0.0.1' });
  g.heartbeat(0, 1, hb({ memberId: 'b', subscribedTopicNames: ['foo'] }), topics);
  const d = g.describe(topics);
  assert.equal(d.groupState, 'Reconciling');
  assert.equal(d.groupEpoch, 2);
  assert.equal(d.assignmentEpoch, 2);
  assert.equal(d.assignorName, 'uniform');
  const a = d.members.find((m) => m.memberId === 'a')!;
  assert.deepEqual(
    { instanceId: a.instanceId, rackId: a.rackId, clientId: a.clientId, clientHost: a.clientHost, memberEpoch: a.memberEpoch, subscribed: a.subscribedTopicNames },
    { instanceId: 'i-a', rackId: 'r1', clientId: 'app', clientHost: '/10.0.0.1', memberEpoch: 1, subscribed: ['bar', 'foo'] },
  );
  assert.deepEqual(a.assignment.topicPartitions, [
    { topicId: 'id-bar', topicName: 'bar', partitions: [0, 1] },
    { topicId: 'id-foo', topicName: 'foo', partitions: [0, 1, 2, 3] },
  ]);
  assert.deepEqual(a.targetAssignment.topicPartitions, [
    { topicId: 'id-bar', topicName: 'bar', partitions: [0, 1] },
    { topicId: 'id-foo', topicName: 'foo', partitions: [0] },
  ]);
  g.markDead();
  assert.equal(g.describe(topics).groupState, 'Dead');
  assert.equal(g.nextDeadlineMs(), null);
  assert.equal(g.heartbeat(1, 1, hb({ memberId: 'a', memberEpoch: 1 }), topics).response.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
});

test('a restored snapshot is the same group, and it carries on', () => {
  const g = newGroup();
  g.heartbeat(0, 1, hb({ memberId: 'a', subscribedTopicNames: ['foo', 'bar'] }), topics);
  g.heartbeat(0, 1, hb({ memberId: 'b', subscribedTopicRegex: 'f.*', subscribedTopicNames: null }), topics);
  const snapshot = JSON.parse(JSON.stringify(g.snapshot()));
  const restored = ConsumerGroup.restore(snapshot, config, () => 'unused', silentLogger, 1_000, topics);
  assert.deepEqual(restored.snapshot(), g.snapshot());
  assert.deepEqual(restored.describe(topics), g.describe(topics));
  assert.equal(restored.nextDeadlineMs(), 46_000, 'sessions restart on load');
  // a still owns foo 1-3 that b is waiting for; a's revocation lets b have them.
  const owned = [{ topicId: 'id-foo', partitions: [0] }, { topicId: 'id-bar', partitions: [0, 1] }];
  const regular = { rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: null };
  assert.equal(restored.heartbeat(1_100, 1, hb({ ...regular, memberId: 'a', memberEpoch: 1, topicPartitions: owned }), topics).response.memberEpoch, 2);
  const b = restored.heartbeat(1_200, 1, hb({ ...regular, memberId: 'b', memberEpoch: 2 }), topics).response;
  assert.deepEqual(b.assignment?.topicPartitions, [{ topicId: 'id-foo', partitions: [1, 2, 3] }]);
  assert.equal(restored.state, 'stable');
});
