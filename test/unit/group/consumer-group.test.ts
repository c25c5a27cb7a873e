// Goal: KIP-848 consumer group behaviour as transcripts: each step is a heartbeat (or a timeout,
// or a metadata change) and the response and group state it must produce. Covers a lone member,
// a join that needs a revocation first, leaves, session and rebalance timeouts, fencing, static
// members, regex subscriptions and growing topics.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { ConsumerGroupHeartbeatRequest } from '../../../src/protocol/generated/consumer-group-heartbeat-request.js';
import type { ConsumerGroup } from '../../../src/group/consumer/index.js';
import { FakeTopics, heartbeatRequest, newConsumerGroup } from './consumer-harness.js';

const newGroup = (): ConsumerGroup => newConsumerGroup(10);
const hb = heartbeatRequest;

const join = (memberId: string, names: string[], fields: Partial<ConsumerGroupHeartbeatRequest> = {}) =>
  hb({ memberId, memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: names, topicPartitions: [], ...fields });

/** topic name → partitions, as the wire's TopicPartitions (ids are `id-<name>`). */
const tp = (byName: Record<string, number[]>) =>
  Object.entries(byName).map(([name, partitions]) => ({ topicId: `id-${name}`, partitions }));

/** The heartbeat's answer, reduced to what the transcripts compare. */
function step(group: ConsumerGroup, nowMs: number, topics: FakeTopics, req: ConsumerGroupHeartbeatRequest, apiVersion = 1) {
  const { response } = group.heartbeat(nowMs, apiVersion, req, topics);
  return {
    error: response.errorCode ?? 0,
    epoch: response.memberEpoch,
    assignment: response.assignment == null ? null : Object.fromEntries(
      (response.assignment.topicPartitions ?? []).map((t) => [t.topicId!.slice(3), [...(t.partitions ?? [])]]),
    ),
  };
}

test('a lone member gets every partition; later heartbeats carry no assignment', () => {
  const topics = new FakeTopics().create('foo', 6);
  const g = newGroup();
  assert.equal(g.state, 'empty');
  assert.deepEqual(step(g, 0, topics, join('A', ['foo'])), { error: 0, epoch: 1, assignment: { foo: [0, 1, 2, 3, 4, 5] } });
  assert.equal(g.state, 'stable');
  assert.equal(g.groupEpoch, 1);
  const r = g.heartbeat(1000, 1, hb({ memberId: 'A', memberEpoch: 1, topicPartitions: tp({ foo: [0, 1, 2, 3, 4, 5] }) }), topics);
  assert.equal(r.response.assignment, null);
  assert.equal(r.changed, false, 'a plain heartbeat changes nothing durable');
  assert.equal(r.response.heartbeatIntervalMs, 5_000);
});

test('a second member gets partitions only after the first has revoked them', () => {
  const topics = new FakeTopics().create('foo', 6);
  const g = newGroup();
  step(g, 0, topics, join('A', ['foo']));
  step(g, 100, topics, hb({ memberId: 'A', memberEpoch: 1, topicPartitions: tp({ foo: [0, 1, 2, 3, 4, 5] }) }));

  // B joins: group epoch 2. B moves to epoch 2 but waits for partitions A still owns.
  assert.deepEqual(step(g, 200, topics, join('B', ['foo'])), { error: 0, epoch: 2, assignment: {} });
  assert.equal(g.state, 'reconciling');
  assert.deepEqual(step(g, 300, topics, hb({ memberId: 'B', memberEpoch: 2 })), { error: 0, epoch: 2, assignment: null });

  // A is told to keep half; it stays at epoch 1 until it reports the other half gone.
  assert.deepEqual(step(g, 400, topics, hb({ memberId: 'A', memberEpoch: 1 })), { error: 0, epoch: 1, assignment: { foo: [0, 1, 2] } });
  assert.equal(g.validateOffsetCommit('A', 1), ErrorCode.NONE, 'A may still commit at epoch 1 while revoking');
  assert.deepEqual(step(g, 500, topics, hb({ memberId: 'A', memberEpoch: 1, topicPartitions: tp({ foo: [0, 1, 2, 3, 4, 5] }) })), {
    error: 0,
    epoch: 1,
    assignment: null,
  });
  assert.deepEqual(step(g, 600, topics, hb({ memberId: 'B', memberEpoch: 2 })).assignment, null, 'still held by A');

  // A acknowledges: it moves to epoch 2, and B can now have 3-5.
  assert.deepEqual(step(g, 700, topics, hb({ memberId: 'A', memberEpoch: 1, topicPartitions: tp({ foo: [0, 1, 2] }) })), {
    error: 0,
    epoch: 2,
    assignment: null,
  });
  assert.equal(g.validateOffsetCommit('A', 1), ErrorCode.STALE_MEMBER_EPOCH);
  assert.deepEqual(step(g, 800, topics, hb({ memberId: 'B', memberEpoch: 2 })), { error: 0, epoch: 2, assignment: { foo: [3, 4, 5] } });
  assert.equal(g.state, 'stable');
});

/** A and B, stable at epoch 2 with foo 0-2 and 3-5. */
function twoStableMembers(topics: FakeTopics): ConsumerGroup {
  const g = newGroup();
  step(g, 0, topics, join('A', ['foo']));
  step(g, 0, topics, join('B', ['foo']));
  step(g, 0, topics, hb({ memberId: 'A', memberEpoch: 1, topicPartitions: tp({ foo: [0, 1, 2] }) }));
  step(g, 0, topics, hb({ memberId: 'B', memberEpoch: 2, topicPartitions: tp({}) }));
  assert.equal(g.state, 'stable');
  return g;
}

test('a member that leaves hands its partitions to the others', () => {
  const topics = new FakeTopics().create('foo', 6);
  const g = twoStableMembers(topics);
  const leave = g.heartbeat(1000, 1, hb({ memberId: 'B', memberEpoch: -1 }), topics);
  assert.equal(leave.response.errorCode, 0);
  assert.equal(leave.response.memberEpoch, -1);
  assert.equal(leave.changed, true);
  assert.equal(g.size, 1);
  assert.equal(g.groupEpoch, 3);
  assert.deepEqual(step(g, 1100, topics, hb({ memberId: 'A', memberEpoch: 2 })), { error: 0, epoch: 3, assignment: { foo: [0, 1, 2, 3, 4, 5] } });
  assert.deepEqual(step(g, 1200, topics, hb({ memberId: 'B', memberEpoch: 2 })).error, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('session expiry removes a silent member and bumps the group epoch', () => {
  const topics = new FakeTopics().create('foo', 6);
  const g = twoStableMembers(topics);
  assert.equal(g.nextDeadlineMs(), 45_000);
  for (let t = 5_000; t <= 45_000; t += 5_000) step(g, t, topics, hb({ memberId: 'A', memberEpoch: 2 }));
  assert.equal(g.expire(44_999).changed, false);
  assert.equal(g.expire(45_000).changed, true, "B's session ran out");
  assert.equal(g.size, 1);
  assert.equal(g.groupEpoch, 3);
  assert.equal(g.nextDeadlineMs(), 90_000);
  assert.deepEqual(step(g, 46_000, topics, hb({ memberId: 'A', memberEpoch: 2 })).assignment, { foo: [0, 1, 2, 3, 4, 5] });
});

test('a member that does not revoke within its rebalance timeout is fenced', () => {
  const topics = new FakeTopics().create('foo', 4);
  const g = newGroup();
  step(g, 0, topics, join('A', ['foo'], { rebalanceTimeoutMs: 10_000 }));
  step(g, 0, topics, join('B', ['foo']));
  assert.deepEqual(step(g, 1_000, topics, hb({ memberId: 'A', memberEpoch: 1 })).assignment, { foo: [0, 1] });
  assert.equal(g.nextDeadlineMs(), 11_000);
  step(g, 5_000, topics, hb({ memberId: 'A', memberEpoch: 1, topicPartitions: tp({ foo: [0, 1, 2, 3] }) }));
  step(g, 5_000, topics, hb({ memberId: 'B', memberEpoch: 2 }));
  assert.equal(g.expire(11_000).changed, true);
  assert.equal(g.size, 1);
  assert.deepEqual(step(g, 11_500, topics, hb({ memberId: 'B', memberEpoch: 2 })), { error: 0, epoch: 3, assignment: { foo: [0, 1, 2, 3] } });
  assert.equal(step(g, 11_600, topics, hb({ memberId: 'A', memberEpoch: 1 })).error, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('epochs from the future or the past are fenced, except a retry at the previous epoch', () => {
  const topics = new FakeTopics().create('foo', 6);
  const g = twoStableMembers(topics); // A went 1 → 2, B joined at 2
  const fenced = ErrorCode.FENCED_MEMBER_EPOCH;
  assert.equal(step(g, 1, topics, hb({ memberId: 'A', memberEpoch: 3 })).error, fenced, 'greater');
  assert.equal(step(g, 1, topics, hb({ memberId: 'B', memberEpoch: 1 })).error, fenced, 'smaller, not the previous epoch');
  assert.equal(step(g, 1, topics, hb({ memberId: 'A', memberEpoch: 1 })).error, fenced, 'previous epoch without owned partitions');
  assert.equal(step(g, 1, topics, hb({ memberId: 'A', memberEpoch: 1, topicPartitions: tp({ foo: [0, 3] }) })).error, fenced, 'owns more than it may');
  assert.deepEqual(step(g, 1, topics, hb({ memberId: 'A', memberEpoch: 1, topicPartitions: tp({ foo: [0, 1] }) })), {
    error: 0,
    epoch: 2,
    assignment: null,
  });
  assert.equal(step(g, 1, topics, hb({ memberId: 'nobody', memberEpoch: 2 })).error, ErrorCode.UNKNOWN_MEMBER_ID);
  // A fenced member abandons its partitions and rejoins at epoch 0 under the same id.
  assert.deepEqual(step(g, 2, topics, join('A', ['foo'])), { error: 0, epoch: 2, assignment: { foo: [0, 1, 2] } });
  assert.equal(g.groupEpoch, 2, 'a rejoin with the same subscription is no membership change');
});

test('a static member leaves for a while and a new process with its instance id takes over', () => {
  const topics = new FakeTopics().create('foo', 4);
  const g = newGroup();
  assert.deepEqual(step(g, 0, topics, join('S1', ['foo'], { instanceId: 'i-1' })), { error: 0, epoch: 1, assignment: { foo: [0, 1, 2, 3] } });
  step(g, 0, topics, join('D', ['foo']));
  step(g, 0, topics, hb({ memberId: 'S1', memberEpoch: 1, topicPartitions: tp({ foo: [0, 1] }) }));
  step(g, 0, topics, hb({ memberId: 'D', memberEpoch: 2 }));
  assert.equal(g.state, 'stable');

  // While S1 is alive its instance id cannot be taken.
  assert.equal(step(g, 10, topics, join('S2', ['foo'], { instanceId: 'i-1' })).error, ErrorCode.UNRELEASED_INSTANCE_ID);
  const away = g.heartbeat(20, 1, hb({ memberId: 'S1', memberEpoch: -2, instanceId: 'i-1' }), topics);
  assert.equal(away.response.memberEpoch, -2);
  assert.equal(g.groupEpoch, 2, 'a temporary leave is no membership change');
  assert.deepEqual(step(g, 30, topics, hb({ memberId: 'D', memberEpoch: 2 })).assignment, null, "D does not get S1's partitions");

  // The new process gets S1's assignment and epoch back under its own member id.
  assert.deepEqual(step(g, 40, topics, join('S2', ['foo'], { instanceId: 'i-1' })), { error: 0, epoch: 2, assignment: { foo: [0, 1] } });
  assert.equal(g.groupEpoch, 2);
  assert.equal(g.size, 2);
  assert.equal(step(g, 50, topics, hb({ memberId: 'S1', memberEpoch: 2, instanceId: 'i-1' })).error, ErrorCode.FENCED_INSTANCE_ID);
  assert.equal(step(g, 50, topics, hb({ memberId: 'S9', memberEpoch: 2, instanceId: 'i-9' })).error, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(g.state, 'stable');
});

test('a static member that never comes back expires after the session timeout', () => {
  const topics = new FakeTopics().create('foo', 2);
  const g = newGroup();
  step(g, 0, topics, join('S1', ['foo'], { instanceId: 'i-1' }));
  g.heartbeat(1_000, 1, hb({ memberId: 'S1', memberEpoch: -2, instanceId: 'i-1' }), topics);
  assert.equal(g.expire(45_999).changed, false);
  assert.equal(g.expire(46_000).changed, true);
  assert.equal(g.state, 'empty');
  assert.deepEqual(step(g, 47_000, topics, join('S2', ['foo'], { instanceId: 'i-1' })), { error: 0, epoch: 3, assignment: { foo: [0, 1] } });
});

test('a topic that gains partitions grows the assignment', () => {
  const topics = new FakeTopics().create('foo', 2);
  const g = newGroup();
  step(g, 0, topics, join('A', ['foo']));
  topics.create('foo', 4);
  assert.deepEqual(g.onTopicsChanged(10, topics), { changed: true });
  assert.equal(g.groupEpoch, 2);
  assert.deepEqual(g.onTopicsChanged(11, topics), { changed: false });
  assert.deepEqual(step(g, 20, topics, hb({ memberId: 'A', memberEpoch: 1 })), { error: 0, epoch: 2, assignment: { foo: [0, 1, 2, 3] } });
});

test('subscribing before the topic exists, then by regex', () => {
  const topics = new FakeTopics();
  const g = newGroup();
  assert.deepEqual(step(g, 0, topics, join('A', ['foo'])), { error: 0, epoch: 1, assignment: {} });
  topics.create('foo', 2);
  // Without onTopicsChanged the next heartbeat notices the new topic by itself.
  assert.deepEqual(step(g, 10, topics, hb({ memberId: 'A', memberEpoch: 1 })), { error: 0, epoch: 2, assignment: { foo: [0, 1] } });

  topics.create('bar-1', 1);
  // Switching to a regex: the free bar-1 comes at once, foo must be revoked before epoch 3.
  assert.deepEqual(step(g, 20, topics, hb({ memberId: 'A', memberEpoch: 2, subscribedTopicNames: [], subscribedTopicRegex: 'bar-.*' })), {
    error: 0,
    epoch: 2,
    assignment: { 'bar-1': [0] },
  });
  assert.deepEqual(step(g, 30, topics, hb({ memberId: 'A', memberEpoch: 2, topicPartitions: tp({ 'bar-1': [0] }) })).epoch, 3);
  assert.deepEqual(step(g, 40, topics, hb({ memberId: 'A', memberEpoch: 3 })).assignment, null);
  topics.create('bar-2', 1).create('other', 1);
  assert.deepEqual(g.onTopicsChanged(50, topics), { changed: true });
  assert.deepEqual(step(g, 60, topics, hb({ memberId: 'A', memberEpoch: 3 })), { error: 0, epoch: 4, assignment: { 'bar-1': [0], 'bar-2': [0] } });
});

test('a deleted topic is revoked', () => {
  const topics = new FakeTopics().create('foo', 2).create('bar', 1);
  const g = newGroup();
  step(g, 0, topics, join('A', ['foo', 'bar']));
  topics.delete('bar');
  g.onTopicsChanged(5, topics);
  assert.deepEqual(step(g, 10, topics, hb({ memberId: 'A', memberEpoch: 1 })), { error: 0, epoch: 1, assignment: { foo: [0, 1] } });
  assert.deepEqual(step(g, 20, topics, hb({ memberId: 'A', memberEpoch: 1, topicPartitions: tp({ foo: [0, 1] }) })).epoch, 2);
  assert.equal(g.state, 'stable');
});

test('a full request gets the assignment even when it did not change', () => {
  const topics = new FakeTopics().create('foo', 1);
  const g = newGroup();
  step(g, 0, topics, join('A', ['foo']));
  const full = hb({ memberId: 'A', memberEpoch: 1, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['foo'], topicPartitions: tp({ foo: [0] }) });
  assert.deepEqual(step(g, 1, topics, full).assignment, { foo: [0] });
});

test('the group uses the assignor most members ask for', () => {
  const topics = new FakeTopics().create('foo', 4).create('bar', 4);
  const g = newGroup();
  step(g, 0, topics, join('A', ['foo', 'bar'], { serverAssignor: 'range' }));
  step(g, 0, topics, join('B', ['foo', 'bar'], { serverAssignor: 'range' }));
  step(g, 0, topics, hb({ memberId: 'A', memberEpoch: 1, topicPartitions: tp({ foo: [0, 1], bar: [0, 1] }) }));
  assert.deepEqual(step(g, 0, topics, hb({ memberId: 'B', memberEpoch: 2 })).assignment, { bar: [2, 3], foo: [2, 3] });
  assert.equal(g.describe(topics).assignorName, 'range');
});
