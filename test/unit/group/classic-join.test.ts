// Goal: the join and sync phases of a classic group follow Kafka: the initial rebalance delay and
// its extension, leader and member lists, parked SyncGroups released by the leader's assignment,
// rebalances when members join, KIP-394's MEMBER_ID_REQUIRED, protocol checks and group.max.size.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, type Step } from './classic-harness.js';

/** Two v3 members (no MEMBER_ID_REQUIRED round trip) that reach Stable generation 1. */
const twoMembersStable: Step[] = [
  { t: 0, do: 'join a v=3', out: [], state: 'PreparingRebalance gen=0' },
  { t: 100, do: 'join b v=3', out: [] },
  // a's initial delay ends at 3000; b arrived meanwhile, so it is extended once (to 6000).
  { t: 3000, do: 'expire', out: [] },
  {
    t: 6000,
    do: 'expire',
    out: ['join(a) NONE id=a-1 gen=1 range leader=a-1 members=[a-1,b-2]', 'join(b) NONE id=b-2 gen=1 range leader=a-1 members=[]'],
    state: 'CompletingRebalance gen=1',
  },
  { t: 6010, do: 'sync b', out: [] },
  { t: 6020, do: 'sync a a=0,1 b=2,3', out: ['sync(a) NONE 0,1', 'sync(b) NONE 2,3', 'persist'], state: 'Stable gen=1' },
];

test('first join waits for the initial rebalance delay', () => {
  const h = new Harness();
  h.replay([
    { t: 0, do: 'join a v=3', out: [], state: 'PreparingRebalance gen=0' },
    { t: 2999, do: 'expire', out: [] },
    { t: 3000, do: 'expire', out: ['join(a) NONE id=a-1 gen=1 range leader=a-1 members=[a-1]'], state: 'CompletingRebalance gen=1' },
    { t: 3010, do: 'sync a a=0,1,2', out: ['sync(a) NONE 0,1,2', 'persist'], state: 'Stable gen=1' },
  ]);
  assert.equal(h.group.nextDeadlineMs(), 13_010); // a's session, restarted by its sync
});

test('each new joiner extends the initial delay, up to the rebalance timeout', () => {
  const h = new Harness();
  // delay 3000, rebalance timeout 10000: stages end at 3000, 6000, 9000 and finally 10000.
  h.replay([
    { t: 0, do: 'join a v=3 rebalance=10000', out: [] },
    { t: 1000, do: 'join b v=3 rebalance=10000', out: [] },
    { t: 3000, do: 'expire', out: [] },
    { t: 4000, do: 'join c v=3 rebalance=10000', out: [] },
    { t: 6000, do: 'expire', out: [] },
    { t: 7000, do: 'join d v=3 rebalance=10000', out: [] },
    { t: 9000, do: 'expire', out: [] },
    { t: 9500, do: 'join e v=3 rebalance=10000', out: [] },
  ]);
  assert.equal(h.group.nextDeadlineMs(), 10_000);
  const out = h.run(10_000, 'expire');
  assert.equal(out.length, 5);
  assert.equal(out[0], 'join(a) NONE id=a-1 gen=1 range leader=a-1 members=[a-1,b-2,c-3,d-4,e-5]');
});

test('two members: the leader gets the member list, the follower an empty one; the leader sync releases both', () => {
  const h = new Harness();
  h.replay(twoMembersStable);
  assert.deepEqual(h.group.describe().members.map((m) => [m.memberId, m.assignment.toString()]), [
    ['a-1', '0,1'],
    ['b-2', '2,3'],
  ]);
});

test('a third member starts a rebalance; heartbeats answer REBALANCE_IN_PROGRESS until all rejoin', () => {
  const h = new Harness();
  h.replay([
    ...twoMembersStable,
    { t: 7000, do: 'heartbeat b', out: ['heartbeat(b) NONE'] },
    { t: 7100, do: 'join c v=3', out: [], state: 'PreparingRebalance gen=1' },
    { t: 7200, do: 'heartbeat b', out: ['heartbeat(b) REBALANCE_IN_PROGRESS'] },
    { t: 7300, do: 'sync b', out: ['sync(b) REBALANCE_IN_PROGRESS'] },
    { t: 7400, do: 'join b', out: [] },
    { t: 7500, do: 'heartbeat a', out: ['heartbeat(a) REBALANCE_IN_PROGRESS'] },
    {
      t: 7600,
      do: 'join a',
      out: [
        'join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1,b-2,c-3]',
        'join(b) NONE id=b-2 gen=2 range leader=a-1 members=[]',
        'join(c) NONE id=c-3 gen=2 range leader=a-1 members=[]',
      ],
      state: 'CompletingRebalance gen=2',
    },
    { t: 7700, do: 'heartbeat b gen=1', out: ['heartbeat(b) ILLEGAL_GENERATION'] },
    { t: 7700, do: 'heartbeat b', out: ['heartbeat(b) NONE'] },
    { t: 7800, do: 'sync c', out: [] },
    { t: 7900, do: 'sync b', out: [] },
    { t: 8000, do: 'sync a a=0 b=1 c=2,3', out: ['sync(a) NONE 0', 'sync(b) NONE 1', 'sync(c) NONE 2,3', 'persist'], state: 'Stable gen=2' },
    // A follower that syncs after the group is Stable gets its assignment at once.
    { t: 8100, do: 'sync b', out: ['sync(b) NONE 1'] },
  ]);
});

test('a follower rejoining with unchanged metadata while Stable gets the current generation; the leader rejoining forces a rebalance', () => {
  const h = new Harness();
  h.replay([
    ...twoMembersStable,
    { t: 7000, do: 'join b', out: ['join(b) NONE id=b-2 gen=1 range leader=a-1 members=[]'], state: 'Stable gen=1' },
    { t: 7100, do: 'join b meta=more-topics', out: [], state: 'PreparingRebalance gen=1' },
    { t: 7200, do: 'join a', out: ['join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1,b-2]', 'join(b) NONE id=b-2 gen=2 range leader=a-1 members=[]'] },
    // In CompletingRebalance the same metadata gets the same answer again (a lost response).
    { t: 7300, do: 'join a', out: ['join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1,b-2]'], state: 'CompletingRebalance gen=2' },
    { t: 7400, do: 'sync a a=0 b=1', out: ['sync(a) NONE 0', 'persist'], state: 'Stable gen=2' },
    { t: 7500, do: 'join a', out: [], state: 'PreparingRebalance gen=2' },
  ]);
});

test('MEMBER_ID_REQUIRED: a v4+ dynamic member gets an id, then joins with it; the pending id holds the join phase open', () => {
  const h = new Harness();
  h.replay([
    { t: 0, do: 'join a', out: ['join(a) MEMBER_ID_REQUIRED id=a-1'], state: 'Empty gen=0' },
    { t: 10, do: 'join a', out: [], state: 'PreparingRebalance gen=0' },
    { t: 3010, do: 'expire', out: ['join(a) NONE id=a-1 gen=1 range leader=a-1 members=[a-1]'] },
    { t: 3020, do: 'sync a a=0', out: ['sync(a) NONE 0', 'persist'], state: 'Stable gen=1' },
    // b only gets an id; the group does not rebalance for a pending member.
    { t: 4000, do: 'join b', out: ['join(b) MEMBER_ID_REQUIRED id=b-2'], state: 'Stable gen=1' },
    { t: 4100, do: 'heartbeat b gen=-1', out: ['heartbeat(b) UNKNOWN_MEMBER_ID'] },
    // The leader rejoins; the join phase waits for the pending b as well.
    { t: 4200, do: 'join a', out: [], state: 'PreparingRebalance gen=1' },
    { t: 4300, do: 'join b', out: ['join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1,b-2]', 'join(b) NONE id=b-2 gen=2 range leader=a-1 members=[]'] },
  ]);
});

test('a pending member that never rejoins stops holding the join phase after its session timeout', () => {
  const h = new Harness();
  h.replay([
    { t: 0, do: 'join a v=3', out: [] },
    { t: 3000, do: 'expire', out: ['join(a) NONE id=a-1 gen=1 range leader=a-1 members=[a-1]'] },
    { t: 3010, do: 'sync a a=0', out: ['sync(a) NONE 0', 'persist'] },
    { t: 4000, do: 'join b session=7000', out: ['join(b) MEMBER_ID_REQUIRED id=b-2'] },
    { t: 4100, do: 'join a', out: [], state: 'PreparingRebalance gen=1' },
    { t: 10_999, do: 'expire', out: [] },
    { t: 11_000, do: 'expire', out: ['join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1]'] },
    { t: 11_100, do: 'join b', out: ['join(b) UNKNOWN_MEMBER_ID id=b-2'] },
  ]);
});

test('JoinGroup v0-3 with an empty member id joins at once', () => {
  const h = new Harness();
  h.replay([{ t: 0, do: 'join a v=0 rebalance=-1', out: [], state: 'PreparingRebalance gen=0' }]);
  assert.equal(h.group.size, 1);
});

test('session timeouts outside the broker limits are refused', () => {
  const h = new Harness();
  h.replay([
    { t: 0, do: 'join a session=5999', out: ['join(a) INVALID_SESSION_TIMEOUT'] },
    { t: 0, do: 'join a session=1800001', out: ['join(a) INVALID_SESSION_TIMEOUT'] },
  ]);
});

test('protocol type and protocols must fit the group', () => {
  const h = new Harness();
  h.replay([
    { t: 0, do: 'join x v=3 protocols=', out: ['join(x) INCONSISTENT_GROUP_PROTOCOL'], state: 'Empty gen=0' },
    { t: 0, do: 'join x v=3 type=', out: ['join(x) INCONSISTENT_GROUP_PROTOCOL'] },
    ...twoMembersStable.map((s) => ({ ...s, t: s.t + 10 })),
    { t: 7000, do: 'join c v=3 type=connect', out: ['join(c) INCONSISTENT_GROUP_PROTOCOL'] },
    { t: 7000, do: 'join c v=3 protocols=roundrobin', out: ['join(c) INCONSISTENT_GROUP_PROTOCOL'] },
    // A member may drop to a protocol every member offers, but not to one only it offers.
    { t: 7100, do: 'join b protocols=sticky', out: ['join(b) INCONSISTENT_GROUP_PROTOCOL id=b-2'] },
    { t: 7200, do: 'sync b name=roundrobin', out: ['sync(b) INCONSISTENT_GROUP_PROTOCOL'] },
    { t: 7300, do: 'sync b name=range', out: ['sync(b) NONE 2,3'] },
  ]);
});

test('protocol selection: the candidate all members offer with the most first-choice votes', () => {
  const h = new Harness();
  h.replay([
    { t: 0, do: 'join a v=3 protocols=roundrobin,range', out: [] },
    { t: 1, do: 'join b v=3 protocols=range,roundrobin', out: [] },
    { t: 2, do: 'join c v=3 protocols=roundrobin,range,sticky', out: [] },
    { t: 3000, do: 'expire', out: [] },
  ]);
  const out = h.run(6000, 'expire');
  assert.match(out[0]!, / gen=1 roundrobin /); // roundrobin 2 votes, range 1; sticky not offered by all

  const h2 = new Harness();
  h2.replay([
    { t: 0, do: 'join a v=3 protocols=sticky,range', out: [] },
    { t: 1, do: 'join b v=3 protocols=range', out: [] },
    { t: 3000, do: 'expire', out: [] },
  ]);
  assert.match(h2.run(6000, 'expire')[0]!, / gen=1 range /); // sticky is not a candidate
});

test('group.max.size turns away new members but keeps known ones', () => {
  const h = new Harness({ maxSize: 2 });
  h.replay([
    ...twoMembersStable,
    { t: 7000, do: 'join c v=3', out: ['join(c) GROUP_MAX_SIZE_REACHED'], state: 'Stable gen=1' },
    { t: 7100, do: 'join c', out: ['join(c) GROUP_MAX_SIZE_REACHED'] },
    { t: 7200, do: 'join b', out: ['join(b) NONE id=b-2 gen=1 range leader=a-1 members=[]'] },
    // While rebalancing, the limit counts members that have rejoined.
    { t: 7300, do: 'join a', out: [], state: 'PreparingRebalance gen=1' },
    { t: 7400, do: 'join c v=3', out: [] },
    // b is removed, which completes the join phase, and is then told why.
    { t: 7500, do: 'join b', out: ['join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1,c-3]', 'join(c) NONE id=c-3 gen=2 range leader=a-1 members=[]', 'join(b) GROUP_MAX_SIZE_REACHED'] },
  ]);
  assert.deepEqual(h.group.memberIds(), ['a-1', 'c-3']);
});

test('group.max.size while rebalancing counts static members that have not rejoined, since they stay', () => {
  const h = new Harness({ maxSize: 2 });
  h.replay([
    { t: 0, do: 'join a v=3', out: [] },
    { t: 100, do: 'join s instance=s1 session=60000', out: [] },
    { t: 3000, do: 'expire', out: [] },
    { t: 6000, do: 'expire', out: ['join(a) NONE id=a-1 gen=1 range leader=a-1 members=[a-1,s1-2]', 'join(s) NONE id=s1-2 gen=1 range leader=a-1 members=[]'] },
    { t: 6010, do: 'sync a a=0 s=1', out: ['sync(a) NONE 0', 'persist'] },
    { t: 7000, do: 'join a', out: [], state: 'PreparingRebalance gen=1' },
    // Kafka would take c (one member has rejoined, below 2) and end with three members.
    { t: 7100, do: 'join c v=3', out: ['join(c) GROUP_MAX_SIZE_REACHED'] },
    { t: 7200, do: 'heartbeat s', out: ['heartbeat(s) REBALANCE_IN_PROGRESS'] },
    { t: 37_000, do: 'expire', out: ['join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1,s1-2]'] },
  ]);
  assert.equal(h.group.size, 2);
});

test('a member that sends JoinGroup twice gets an answer to both', () => {
  const h = new Harness();
  h.replay([
    ...twoMembersStable,
    { t: 7000, do: 'join a', out: [], state: 'PreparingRebalance gen=1' },
    { t: 7100, do: 'join a', out: ['join(a) REBALANCE_IN_PROGRESS id=a-1'] },
    { t: 7200, do: 'join b', out: ['join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1,b-2]', 'join(b) NONE id=b-2 gen=2 range leader=a-1 members=[]'] },
  ]);
  assert.equal(h.parked, 0);
});
