// Goal: members leave a classic group the ways Kafka removes them: session expiry, not rejoining
// before the rebalance timeout, not syncing in time, LeaveGroup (by member id or, v3+, by
// instance id); and KIP-345 static members restart without a rebalance, fencing their old id.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, type Step } from './classic-harness.js';

/** a and b, v3 members, Stable in generation 1 at t=6020; sessions run until 16020. */
const stable: Step[] = [
  { t: 0, do: 'join a v=3', out: [] },
  { t: 100, do: 'join b v=3', out: [] },
  { t: 3000, do: 'expire', out: [] },
  { t: 6000, do: 'expire', out: ['join(a) NONE id=a-1 gen=1 range leader=a-1 members=[a-1,b-2]', 'join(b) NONE id=b-2 gen=1 range leader=a-1 members=[]'] },
  { t: 6010, do: 'sync b', out: [] },
  { t: 6020, do: 'sync a a=0,1 b=2,3', out: ['sync(a) NONE 0,1', 'sync(b) NONE 2,3', 'persist'], state: 'Stable gen=1' },
];

test('a member whose session expires is removed and the group rebalances', () => {
  const h = new Harness();
  h.replay([
    ...stable,
    { t: 9000, do: 'heartbeat a', out: ['heartbeat(a) NONE'] },
    { t: 15_000, do: 'heartbeat a', out: ['heartbeat(a) NONE'] },
    // b last heard at its sync (6020) with a 10 s session.
    { t: 16_019, do: 'expire', out: [], state: 'Stable gen=1' },
    { t: 16_020, do: 'expire', out: [], state: 'PreparingRebalance gen=1' },
    { t: 16_030, do: 'heartbeat b', out: ['heartbeat(b) UNKNOWN_MEMBER_ID'] },
    { t: 16_040, do: 'heartbeat a', out: ['heartbeat(a) REBALANCE_IN_PROGRESS'] },
    // All remaining members are in: the join phase ends at once.
    { t: 16_050, do: 'join a', out: ['join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1]'], state: 'CompletingRebalance gen=2' },
  ]);
});

test('members that do not rejoin before the rebalance timeout are dropped; a new leader is elected', () => {
  const h = new Harness();
  h.replay([
    ...stable,
    { t: 7000, do: 'join c v=3', out: [], state: 'PreparingRebalance gen=1' },
    { t: 7100, do: 'join b', out: [] },
    // a (the leader) keeps heartbeating but never rejoins; the rebalance timeout is 30 s.
    { t: 15_000, do: 'heartbeat a', out: ['heartbeat(a) REBALANCE_IN_PROGRESS'] },
    { t: 24_000, do: 'heartbeat a', out: ['heartbeat(a) REBALANCE_IN_PROGRESS'] },
    { t: 33_000, do: 'heartbeat a', out: ['heartbeat(a) REBALANCE_IN_PROGRESS'] },
    { t: 36_999, do: 'expire', out: [] },
    {
      t: 37_000,
      do: 'expire',
      out: ['join(b) NONE id=b-2 gen=2 range leader=b-2 members=[b-2,c-3]', 'join(c) NONE id=c-3 gen=2 range leader=b-2 members=[]'],
      state: 'CompletingRebalance gen=2',
    },
    { t: 37_100, do: 'heartbeat a', out: ['heartbeat(a) UNKNOWN_MEMBER_ID'] },
  ]);
});

test('a member that never sends SyncGroup is dropped after the rebalance timeout and the group rebalances', () => {
  const h = new Harness();
  h.replay([
    { t: 0, do: 'join a v=3 rebalance=20000', out: [] },
    { t: 100, do: 'join b v=3 rebalance=20000', out: [] },
    { t: 3000, do: 'expire', out: [] },
    { t: 6000, do: 'expire', out: ['join(a) NONE id=a-1 gen=1 range leader=a-1 members=[a-1,b-2]', 'join(b) NONE id=b-2 gen=1 range leader=a-1 members=[]'] },
    { t: 6010, do: 'sync a a=0 b=1', out: ['sync(a) NONE 0', 'persist'], state: 'Stable gen=1' },
    // b heartbeats (so its session lives) but never syncs.
    { t: 12_000, do: 'heartbeat b', out: ['heartbeat(b) NONE'] },
    { t: 13_000, do: 'heartbeat a', out: ['heartbeat(a) NONE'] },
    { t: 18_000, do: 'heartbeat b', out: ['heartbeat(b) NONE'] },
    { t: 19_000, do: 'heartbeat a', out: ['heartbeat(a) NONE'] },
    { t: 26_000, do: 'expire', out: [], state: 'PreparingRebalance gen=1' },
    { t: 26_100, do: 'heartbeat b', out: ['heartbeat(b) UNKNOWN_MEMBER_ID'] },
    { t: 26_200, do: 'join a', out: ['join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1]'] },
  ]);
});

test('a parked SyncGroup waits for the leader and is released with REBALANCE_IN_PROGRESS if the leader dies', () => {
  const h = new Harness();
  h.replay([
    { t: 0, do: 'join a v=3', out: [] },
    { t: 100, do: 'join b v=3', out: [] },
    { t: 3000, do: 'expire', out: [] },
    { t: 6000, do: 'expire', out: ['join(a) NONE id=a-1 gen=1 range leader=a-1 members=[a-1,b-2]', 'join(b) NONE id=b-2 gen=1 range leader=a-1 members=[]'] },
    { t: 6010, do: 'sync b', out: [] },
    // a's session (from the join phase's end at 6000) runs out first.
    { t: 16_000, do: 'expire', out: ['sync(b) REBALANCE_IN_PROGRESS'], state: 'PreparingRebalance gen=1' },
    { t: 16_100, do: 'join b', out: ['join(b) NONE id=b-2 gen=2 range leader=b-2 members=[b-2]'] },
  ]);
  assert.equal(h.parked, 0);
});

test('LeaveGroup removes members (by member id, or by instance id from v3) and releases their parked requests', () => {
  const h = new Harness();
  h.replay([
    ...stable,
    { t: 7000, do: 'leave b', out: ['leave(b-2) NONE'], state: 'PreparingRebalance gen=1' },
    { t: 7100, do: 'join a', out: ['join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1]'] },
    { t: 7200, do: 'sync a a=0,1,2,3', out: ['sync(a) NONE 0,1,2,3', 'persist'], state: 'Stable gen=2' },
    { t: 7300, do: 'join s instance=s1', out: [], state: 'PreparingRebalance gen=2' },
  ]);
  // A batch: a stranger, a member, a static member by instance id (its parked JoinGroup is
  // answered) and an unknown instance id.
  const { response, output } = h.group.leave(7400, {
    members: [
      { memberId: 'b-2', groupInstanceId: null, reason: 'gone already' },
      { memberId: 'a-1', groupInstanceId: null, reason: null },
      { memberId: '', groupInstanceId: 's1', reason: 'operator' },
      { memberId: '', groupInstanceId: 'nobody', reason: null },
    ],
  });
  assert.deepEqual(response.members.map((m) => [m.memberId, m.groupInstanceId, m.errorCode]), [
    ['b-2', null, 25], // UNKNOWN_MEMBER_ID
    ['a-1', null, 0],
    ['', 's1', 0],
    ['', 'nobody', 25],
  ]);
  assert.deepEqual(h.lines(output), ['join(s) UNKNOWN_MEMBER_ID', 'persist']);
  // Everyone left: an Empty group keeps counting generations.
  assert.equal(h.group.state, 'Empty');
  assert.equal(h.group.generationId, 3);
  assert.equal(h.group.leaderId, null);
  assert.equal(h.parked, 0);
});

test('a static member restarting while Stable takes over its assignment without a rebalance; its old id is fenced', () => {
  const h = new Harness();
  h.replay([
    { t: 0, do: 'join s instance=s1', out: [] }, // static members skip MEMBER_ID_REQUIRED
    { t: 100, do: 'join t instance=t1', out: [] },
    { t: 3000, do: 'expire', out: [] },
    {
      t: 6000,
      do: 'expire',
      out: ['join(s) NONE id=s1-1 gen=1 range leader=s1-1 members=[s1-1,t1-2]', 'join(t) NONE id=t1-2 gen=1 range leader=s1-1 members=[]'],
    },
    { t: 6010, do: 'sync t', out: [] },
    { t: 6020, do: 'sync s s=0,1 t=2,3', out: ['sync(s) NONE 0,1', 'sync(t) NONE 2,3', 'persist'], state: 'Stable gen=1' },
    // t restarts as a new process ("t2") with the same instance id and no member id.
    { t: 8000, do: 'join t2 instance=t1 id=- meta=t', out: ['join(t2) NONE id=t1-3 gen=1 range leader=s1-1 members=[]', 'persist'], state: 'Stable gen=1' },
    { t: 8010, do: 'sync t2', out: ['sync(t2) NONE 2,3'] },
    { t: 8020, do: 'heartbeat t', out: ['heartbeat(t) FENCED_INSTANCE_ID'] },
    { t: 8030, do: 'sync t', out: ['sync(t) FENCED_INSTANCE_ID'] },
    { t: 8040, do: 'join t', out: ['join(t) FENCED_INSTANCE_ID id=t1-2'] },
    { t: 8050, do: 'heartbeat t2', out: ['heartbeat(t2) NONE'] },
  ]);
  assert.deepEqual(h.group.memberIds(), ['s1-1', 't1-3']);
  assert.equal(h.group.validateOffsetCommit('t1-2', 't1', 1), 82); // FENCED_INSTANCE_ID
  assert.equal(h.group.validateOffsetCommit('t1-3', 't1', 1), 0);
});

test('a restarted static leader is answered with the old leader id, so it does not assign', () => {
  const h = new Harness();
  h.replay([
    { t: 0, do: 'join s instance=s1', out: [] },
    { t: 3000, do: 'expire', out: ['join(s) NONE id=s1-1 gen=1 range leader=s1-1 members=[s1-1]'] },
    { t: 3010, do: 'sync s s=0', out: ['sync(s) NONE 0', 'persist'] },
    { t: 4000, do: 'join s2 instance=s1 id=- meta=s', out: ['join(s2) NONE id=s1-2 gen=1 range leader=s1-1 members=[]', 'persist'] },
  ]);
  assert.equal(h.group.leaderId, 's1-2');
  assert.deepEqual(h.group.snapshot().members.map((m) => m.memberId), ['s1-2']);
});

test('a static member restarting with changed metadata, or during a rebalance, fences the old id and rebalances', () => {
  const h = new Harness();
  h.replay([
    { t: 0, do: 'join s instance=s1', out: [] },
    { t: 100, do: 'join t instance=t1', out: [] },
    { t: 3000, do: 'expire', out: [] },
    { t: 6000, do: 'expire', out: ['join(s) NONE id=s1-1 gen=1 range leader=s1-1 members=[s1-1,t1-2]', 'join(t) NONE id=t1-2 gen=1 range leader=s1-1 members=[]'] },
    { t: 6010, do: 'sync t', out: [] },
    // t restarts before the leader's assignment arrives: its parked SyncGroup is fenced and the
    // generation must be redone, since the leader assigns to the old member id.
    { t: 6020, do: 'join t2 instance=t1 id=-', out: ['sync(t) FENCED_INSTANCE_ID'], state: 'PreparingRebalance gen=1' },
    { t: 6030, do: 'join s', out: ['join(s) NONE id=s1-1 gen=2 range leader=s1-1 members=[s1-1,t1-3]', 'join(t2) NONE id=t1-3 gen=2 range leader=s1-1 members=[]'] },
    { t: 6040, do: 'sync s s=0,1 t2=2,3', out: ['sync(s) NONE 0,1', 'persist'] },
    { t: 6050, do: 'sync t2', out: ['sync(t2) NONE 2,3'] },
    // A restart with another subscription rebalances.
    { t: 7000, do: 'join t3 instance=t1 id=- meta=other-topics', out: [], state: 'PreparingRebalance gen=2' },
    { t: 7010, do: 'heartbeat t2', out: ['heartbeat(t2) FENCED_INSTANCE_ID'] },
  ]);
});

test('static members that do not rejoin stay in the next generation until their session expires', () => {
  const h = new Harness();
  h.replay([
    { t: 0, do: 'join s instance=s1', out: [] },
    { t: 100, do: 'join d v=3', out: [] },
    { t: 3000, do: 'expire', out: [] },
    { t: 6000, do: 'expire', out: ['join(s) NONE id=s1-1 gen=1 range leader=s1-1 members=[s1-1,d-2]', 'join(d) NONE id=d-2 gen=1 range leader=s1-1 members=[]'] },
    { t: 6010, do: 'sync s s=0 d=1', out: ['sync(s) NONE 0', 'persist'] },
    { t: 6020, do: 'sync d', out: ['sync(d) NONE 1'] },
    { t: 7000, do: 'join d meta=x', out: [], state: 'PreparingRebalance gen=1' },
    // s is silent (a static member restarting slowly). Its session, restarted by its sync at
    // 6010, ends at 16010, before the 30 s rebalance timeout: it goes, and d leads alone.
    { t: 16_009, do: 'expire', out: [], state: 'PreparingRebalance gen=1' },
    { t: 16_010, do: 'expire', out: ['join(d) NONE id=d-2 gen=2 range leader=d-2 members=[d-2]'], state: 'CompletingRebalance gen=2' },
  ]);

  const h2 = new Harness();
  h2.replay([
    { t: 0, do: 'join s instance=s1 session=60000', out: [] },
    { t: 100, do: 'join d v=3', out: [] },
    { t: 3000, do: 'expire', out: [] },
    { t: 6000, do: 'expire', out: ['join(s) NONE id=s1-1 gen=1 range leader=s1-1 members=[s1-1,d-2]', 'join(d) NONE id=d-2 gen=1 range leader=s1-1 members=[]'] },
    { t: 6010, do: 'sync s s=0 d=1', out: ['sync(s) NONE 0', 'persist'] },
    { t: 7000, do: 'join d meta=x', out: [], state: 'PreparingRebalance gen=1' },
    // With a 60 s session, s outlives the 30 s rebalance timeout and is kept, but not as leader.
    { t: 37_000, do: 'expire', out: ['join(d) NONE id=d-2 gen=2 range leader=d-2 members=[s1-1,d-2]'], state: 'CompletingRebalance gen=2' },
  ]);
});

test('a new member whose first JoinGroup stays parked too long is dropped', () => {
  const h = new Harness({ newMemberJoinTimeoutMs: 20_000 });
  h.replay([
    ...stable,
    { t: 7000, do: 'join c v=3 rebalance=60000', out: [], state: 'PreparingRebalance gen=1' },
    { t: 7100, do: 'join a', out: [] },
    // b heartbeats without rejoining, which holds the join phase open (until the 60 s rebalance
    // timeout); c's parked JoinGroup is answered UNKNOWN_MEMBER_ID after 20 s.
    { t: 15_000, do: 'heartbeat b', out: ['heartbeat(b) REBALANCE_IN_PROGRESS'] },
    { t: 23_000, do: 'heartbeat b', out: ['heartbeat(b) REBALANCE_IN_PROGRESS'] },
    { t: 26_999, do: 'expire', out: [] },
    { t: 27_000, do: 'expire', out: ['join(c) UNKNOWN_MEMBER_ID'], state: 'PreparingRebalance gen=1' },
    // b's session (from 23000) ends, and with it the join phase.
    { t: 33_000, do: 'expire', out: ['join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1]'] },
  ]);
});
