// Goal: what a classic group hands the coordinator shell survives it: snapshot() is the
// GroupMetadataValue of the last persisted point (never a half-done rebalance), restore() brings
// a group back Stable with fresh sessions, markDead() answers parked requests with NOT_COORDINATOR,
// and describe() shows what DescribeGroups shows.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../../src/common/logger.js';
import { ClassicGroup } from '../../../src/group/classic/index.js';
import { Harness, testConfig, type Step } from './classic-harness.js';

const stable: Step[] = [
  { t: 0, do: 'join a v=3', out: [] },
  { t: 10, do: 'join s instance=s1', out: [] },
  { t: 3000, do: 'expire', out: [] },
  { t: 6000, do: 'expire', out: ['join(a) NONE id=a-1 gen=1 range leader=a-1 members=[a-1,s1-2]', 'join(s) NONE id=s1-2 gen=1 range leader=a-1 members=[]'] },
  { t: 6010, do: 'sync s', out: [] },
  { t: 6020, do: 'sync a a=0,1 s=2', out: ['sync(a) NONE 0,1', 'sync(s) NONE 2', 'persist'], state: 'Stable gen=1' },
];

test('snapshot() is the GroupMetadataValue written when the generation became Stable', () => {
  const h = new Harness();
  assert.deepEqual(h.group.snapshot(), { protocolType: '', generation: 0, protocol: null, leader: null, currentStateTimestamp: -1, members: [] });
  h.replay(stable);
  const snap = h.group.snapshot();
  assert.equal(snap.protocolType, 'consumer');
  assert.equal(snap.generation, 1);
  assert.equal(snap.protocol, 'range');
  assert.equal(snap.leader, 'a-1');
  assert.equal(snap.currentStateTimestamp, 6020);
  assert.deepEqual(
    snap.members.map((m) => [m.memberId, m.groupInstanceId, m.clientId, m.rebalanceTimeout, m.sessionTimeout, m.subscription.toString(), m.assignment.toString()]),
    [
      ['a-1', null, 'a', 30_000, 10_000, 'a', '0,1'],
      ['s1-2', 's1', 's', 30_000, 10_000, 's', '2'],
    ],
  );
  // A rebalance in progress does not change what is persisted.
  h.replay([
    { t: 7000, do: 'join a', out: [] },
    { t: 7010, do: 'join s', out: ['join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1,s1-2]', 'join(s) NONE id=s1-2 gen=2 range leader=a-1 members=[]'] },
  ]);
  assert.equal(h.group.snapshot(), snap);
});

test('restore() brings the group back Stable; members that do not come back expire', () => {
  const h = new Harness();
  h.replay(stable);
  let ids = 100;
  const restored = ClassicGroup.restore(h.group.snapshot(), 50_000, testConfig, () => String(++ids), silentLogger, 'g');
  assert.equal(restored.groupId, 'g');
  assert.equal(restored.state, 'Stable');
  assert.equal(restored.generationId, 1);
  assert.equal(restored.leaderId, 'a-1');
  assert.equal(restored.protocolName, 'range');
  assert.deepEqual(restored.describe().members.map((m) => [m.memberId, m.assignment.toString()]), [
    ['a-1', '0,1'],
    ['s1-2', '2'],
  ]);
  assert.equal(restored.nextDeadlineMs(), 60_000); // fresh sessions from the reload

  const r = new Harness({}, restored);
  r.client('a').memberId = 'a-1';
  r.client('a').generationId = 1;
  Object.assign(r.client('s'), { memberId: 's1-2', generationId: 1, instanceId: 's1' });
  r.replay([
    { t: 51_000, do: 'heartbeat a', out: ['heartbeat(a) NONE'] },
    { t: 51_000, do: 'sync s', out: ['sync(s) NONE 2'] },
    { t: 60_999, do: 'heartbeat a', out: ['heartbeat(a) NONE'] },
    // s went silent after its sync at 51000.
    { t: 61_000, do: 'expire', out: [], state: 'PreparingRebalance gen=1' },
    { t: 61_010, do: 'join a', out: ['join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1]'] },
  ]);
});

test('restore() of an over-capacity group rebalances at once and turns away the excess', () => {
  const h = new Harness();
  h.replay(stable);
  const restored = ClassicGroup.restore(h.group.snapshot(), 10_000, { ...testConfig, maxSize: 1 }, () => 'x', silentLogger, 'g');
  assert.equal(restored.state, 'PreparingRebalance');
  const r = new Harness({}, restored);
  Object.assign(r.client('a'), { memberId: 'a-1', generationId: 1 });
  Object.assign(r.client('s'), { memberId: 's1-2', generationId: 1, instanceId: 's1' });
  r.replay([
    // The static member s is kept whether or not it rejoins, so it fills the one place: the
    // dynamic a is turned away and removed.
    { t: 10_010, do: 'join a', out: ['join(a) GROUP_MAX_SIZE_REACHED'] },
    { t: 10_020, do: 'join s', out: ['join(s) NONE id=s1-2 gen=2 range leader=s1-2 members=[s1-2]'] },
  ]);
});

test('an Empty group persists when it empties and restores Empty with its generation', () => {
  const h = new Harness();
  h.replay([...stable, { t: 7000, do: 'leave a s', out: ['leave(a-1) NONE', 'leave(s1-2) NONE', 'persist'], state: 'Empty gen=2' }]);
  const snap = h.group.snapshot();
  assert.deepEqual({ ...snap, members: snap.members.length }, { protocolType: 'consumer', generation: 2, protocol: null, leader: null, currentStateTimestamp: 7000, members: 0 });
  const restored = ClassicGroup.restore(snap, 8000, testConfig, () => 'x', silentLogger, 'g');
  assert.equal(restored.state, 'Empty');
  assert.equal(restored.generationId, 2);
  assert.equal(restored.nextDeadlineMs(), null);
});

test('markDead() answers parked JoinGroup and SyncGroup with NOT_COORDINATOR; later requests get COORDINATOR_NOT_AVAILABLE', () => {
  const h = new Harness();
  h.replay([
    ...stable,
    { t: 7000, do: 'join a', out: [] },
    { t: 7010, do: 'join s', out: ['join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1,s1-2]', 'join(s) NONE id=s1-2 gen=2 range leader=a-1 members=[]'] },
    { t: 7020, do: 'sync s', out: [] },
    { t: 7030, do: 'join b v=3', out: ['sync(s) REBALANCE_IN_PROGRESS'] },
  ]);
  assert.deepEqual(h.lines(h.group.markDead()), ['join(b) NOT_COORDINATOR id=b-3']);
  assert.equal(h.group.state, 'Dead');
  assert.equal(h.group.nextDeadlineMs(), null);
  assert.deepEqual(h.group.describe(), { state: 'Dead', protocolType: 'consumer', protocolName: '', members: [] });
  h.replay([
    { t: 8000, do: 'join a', out: ['join(a) COORDINATOR_NOT_AVAILABLE id=a-1'] },
    { t: 8000, do: 'join c', out: ['join(c) COORDINATOR_NOT_AVAILABLE'] },
    { t: 8000, do: 'sync a', out: ['sync(a) COORDINATOR_NOT_AVAILABLE'] },
    { t: 8000, do: 'heartbeat a', out: ['heartbeat(a) COORDINATOR_NOT_AVAILABLE'] },
    { t: 8000, do: 'expire', out: [] },
  ]);
  assert.equal(h.group.leave(8000, { members: [{ memberId: 'a-1', groupInstanceId: null, reason: null }] }).response.errorCode, 15);

  const parkedSync = new Harness();
  parkedSync.replay([
    { t: 0, do: 'join a v=3', out: [] },
    { t: 3000, do: 'expire', out: ['join(a) NONE id=a-1 gen=1 range leader=a-1 members=[a-1]'] },
    { t: 3000, do: 'join b v=3', out: [] },
    { t: 3010, do: 'join a', out: ['join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1,b-2]', 'join(b) NONE id=b-2 gen=2 range leader=a-1 members=[]'] },
    { t: 3020, do: 'sync b', out: [] },
  ]);
  assert.deepEqual(parkedSync.lines(parkedSync.group.markDead()), ['sync(b) NOT_COORDINATOR']);
});

test('describe() shows metadata, assignments and protocol only while Stable', () => {
  const h = new Harness();
  h.replay(stable);
  const stableView = h.group.describe();
  assert.equal(stableView.state, 'Stable');
  assert.equal(stableView.protocolType, 'consumer');
  assert.equal(stableView.protocolName, 'range');
  assert.deepEqual(
    stableView.members.map((m) => [m.memberId, m.groupInstanceId, m.clientId, m.clientHost, m.metadata.toString(), m.assignment.toString()]),
    [
      ['a-1', null, 'a', '/10.0.0.97', 'a', '0,1'],
      ['s1-2', 's1', 's', '/10.0.0.115', 's', '2'],
    ],
  );
  h.replay([{ t: 7000, do: 'join a', out: [] }]);
  const rebalancing = h.group.describe();
  assert.equal(rebalancing.state, 'PreparingRebalance');
  assert.equal(rebalancing.protocolName, '');
  assert.deepEqual(rebalancing.members.map((m) => [m.memberId, m.metadata.length, m.assignment.length]), [
    ['a-1', 0, 0],
    ['s1-2', 0, 0],
  ]);
});
