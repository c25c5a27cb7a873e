// Goal: observers (non-voters, KIP-595) find the leader by asking the voters in turn, follow it,
// replicate, commit and apply like a voter follower (snapshots included), go back to searching
// when their leader goes quiet or resigns, and never vote or campaign; the leader answers their
// fetches and describes them (forgetting idle ones), but never counts them towards the high
// watermark or check-quorum.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Raft, MemoryRaftStorage, type FetchRequest, type FetchResponse, type RaftMessage } from '../../../src/raft/index.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { TestCluster, baseConfig } from './harness.js';

// Node 1 times out first and leads; observer 5 starts asking at voters[5 % 3] = voter 3.
const jitters = (id: number): number => [0, 0, 3, 4, 2, 5][id]!;
const OBSERVER = 5;

function observerCluster(): TestCluster {
  return new TestCluster([1, 2, 3], jitters, {}, new Map(), [OBSERVER]);
}

function fetchesFrom(ms: RaftMessage[], id: number): FetchRequest[] {
  return ms.filter((m): m is FetchRequest => m.type === 'FetchRequest' && m.from === id);
}

test('an observer asks the voters in turn until one names the leader, then follows it', () => {
  const c = observerCluster();
  assert.equal(c.node(OBSERVER).isObserver, true);
  assert.equal(c.node(1).isObserver, false);
  // No leader yet: one fetch per request timeout, rotating 3, 1, 2, 3.
  c.tick([OBSERVER], 3 * baseConfig.requestTimeoutTicks);
  c.deliverAll();
  assert.deepEqual(fetchesFrom(c.sent, OBSERVER).map((m) => [m.to, m.currentLeaderEpoch]), [[3, 0], [1, 0], [2, 0], [3, 0]]);
  const answers = c.sent.filter((m): m is FetchResponse => m.type === 'FetchResponse' && m.to === OBSERVER);
  assert.ok(answers.every((m) => m.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER && m.currentLeader.leaderId === -1));
  assert.equal(c.node(OBSERVER).role, 'unattached');

  c.run(12);
  assert.deepEqual(c.leaders().map((n) => n.nodeId), [1]);
  c.run(baseConfig.requestTimeoutTicks);
  assert.equal(c.node(OBSERVER).role, 'follower');
  assert.equal(c.node(OBSERVER).leaderId, 1);
  assert.equal(c.node(OBSERVER).epoch, 1);
  assert.deepEqual(c.stores.get(OBSERVER)!.load().quorumState, { leaderEpoch: 1, leaderId: 1, votedId: -1 });
  c.propose('a');
  c.propose('b');
  c.run(2);
  assert.deepEqual(c.appliedData(OBSERVER), ['a', 'b']);
  assert.equal(c.node(OBSERVER).highWatermark, c.node(1).highWatermark);
  assert.ok(!c.sent.some((m) => m.from === OBSERVER && m.type !== 'FetchRequest'), 'an observer only fetches');
  assert.ok(!c.sent.some((m) => m.to === OBSERVER && m.type !== 'FetchResponse'), 'voters only answer an observer');
});

test('voters answer an observer with any epoch in a way it can learn the leader from', () => {
  // Node 2 follows leader 1 in epoch 3; node 1 leads it.
  const follower = new Raft({ ...baseConfig, nodeId: 2, voters: [1, 2, 3] }, withQuorumState(3, 1), { nextInt: () => 0 });
  const leader = leaderInEpoch3();
  const cases = [
    { node: follower, epoch: 1, errorCode: ErrorCode.FENCED_LEADER_EPOCH },
    { node: follower, epoch: 3, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER },
    { node: follower, epoch: 5, errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH },
    { node: leader, epoch: 1, errorCode: ErrorCode.FENCED_LEADER_EPOCH },
    { node: leader, epoch: 3, errorCode: 0 },
  ];
  for (const { node, epoch, errorCode } of cases) {
    flushed(node);
    node.step({ type: 'FetchRequest', from: 9, to: node.nodeId, correlationId: 7, replicaId: 9, currentLeaderEpoch: epoch, fetchOffset: 0, lastFetchedEpoch: 0, logStartOffset: 0, highWatermark: 0 });
    const [answer] = flushed(node) as FetchResponse[];
    const name = `node ${node.nodeId} asked in epoch ${epoch}`;
    assert.equal(answer?.type, 'FetchResponse', name);
    assert.equal(answer.errorCode, errorCode, name);
    assert.equal(answer.correlationId, 7, name);
    assert.deepEqual(answer.currentLeader, { leaderId: 1, leaderEpoch: 3 }, name);
  }
});

test('an observer follows only a named leader of an epoch at least its own', () => {
  const cases = [
    { name: 'leader named in a later epoch', leader: { leaderId: 2, leaderEpoch: 4 }, role: 'follower', leaderId: 2, epoch: 4 },
    { name: 'leader named in its epoch', leader: { leaderId: 3, leaderEpoch: 2 }, role: 'follower', leaderId: 3, epoch: 2 },
    { name: 'later epoch without a leader', leader: { leaderId: -1, leaderEpoch: 6 }, role: 'unattached', leaderId: -1, epoch: 2 },
    { name: 'older epoch', leader: { leaderId: 1, leaderEpoch: 1 }, role: 'unattached', leaderId: -1, epoch: 2 },
    { name: 'itself', leader: { leaderId: OBSERVER, leaderEpoch: 3 }, role: 'unattached', leaderId: -1, epoch: 2 },
  ] as const;
  for (const c of cases) {
    const observer = new Raft({ ...baseConfig, nodeId: OBSERVER, voters: [1, 2, 3] }, withQuorumState(2, -1), { nextInt: () => 0 });
    const [question] = flushed(observer) as FetchRequest[];
    assert.equal(question?.to, 1, c.name);
    assert.equal(question.currentLeaderEpoch, 2, c.name);
    observer.step(answerTo(question, ErrorCode.FENCED_LEADER_EPOCH, c.leader));
    const after = flushed(observer);
    assert.deepEqual([observer.role, observer.leaderId, observer.epoch], [c.role, c.leaderId, c.epoch], c.name);
    if (c.role === 'follower') assert.deepEqual(after.map((m) => `${m.type}->${m.to}`), [`FetchRequest->${c.leaderId}`], c.name);
  }
});

test('an observer never votes, campaigns or takes part in elections', () => {
  const observer = new Raft({ ...baseConfig, nodeId: OBSERVER, voters: [1, 2, 3] }, withQuorumState(2, -1), { nextInt: () => 0 });
  flushed(observer);
  observer.step({ type: 'VoteRequest', from: 2, to: OBSERVER, candidateEpoch: 3, candidateId: 2, lastOffsetEpoch: 0, lastOffset: 0, preVote: false });
  observer.step({ type: 'BeginQuorumEpochRequest', from: 2, to: OBSERVER, leaderId: 2, leaderEpoch: 3 });
  assert.deepEqual(flushed(observer), []);
  assert.deepEqual([observer.epoch, observer.votedId, observer.role], [2, -1, 'unattached']);
  for (let i = 0; i < 10 * baseConfig.fetchTimeoutTicks; i++) {
    observer.tick();
    assert.ok(flushed(observer).every((m) => m.type === 'FetchRequest'));
    assert.equal(observer.role, 'unattached');
  }
  observer.resign();
  assert.equal(observer.describeQuorum(), null);
});

test('the leader serves observers but counts neither their fetches nor their logs', () => {
  const c = observerCluster();
  c.run(12 + baseConfig.requestTimeoutTicks);
  assert.equal(c.node(OBSERVER).leaderId, 1);
  c.isolated.add(2);
  c.isolated.add(3);
  c.node(1).propose(Buffer.from('x'));
  c.flush(1);
  c.run(3);
  assert.equal(c.node(OBSERVER).log.endOffset, 2, 'the observer replicated the entry');
  assert.equal(c.node(1).highWatermark, 1, 'yet the entry is not committed');
  assert.equal(c.node(OBSERVER).highWatermark, 1);
  assert.deepEqual(c.appliedData(OBSERVER), []);
  // The observer keeps fetching, yet without voter fetches check-quorum deposes the leader.
  c.run(2 * baseConfig.fetchTimeoutTicks);
  assert.notEqual(c.node(1).role, 'leader');
  assert.ok(c.sent.some((m) => m.type === 'EndQuorumEpochRequest' && m.from === 1), 'the leader resigned');
  assert.equal(c.node(OBSERVER).highWatermark, 1);
});

test('describeQuorum on the leader lists voters and observers with their progress', () => {
  const c = observerCluster();
  c.run(12 + baseConfig.requestTimeoutTicks);
  c.propose('a');
  c.run(2);
  const leader = c.node(1);
  assert.equal(c.node(2).describeQuorum(), null);
  assert.equal(c.node(OBSERVER).describeQuorum(), null);
  const d = leader.describeQuorum()!;
  assert.deepEqual([d.leaderId, d.leaderEpoch, d.highWatermark], [1, 1, 2]);
  assert.deepEqual(d.voters.map((v) => [v.replicaId, v.logEndOffset]), [[1, 2], [2, 2], [3, 2]]);
  assert.deepEqual(d.observers.map((v) => [v.replicaId, v.logEndOffset]), [[OBSERVER, 2]]);
  for (const r of [...d.voters, ...d.observers]) {
    assert.ok(r.lastFetchTick > 0 && r.lastCaughtUpTick > 0 && r.lastCaughtUpTick <= r.lastFetchTick, JSON.stringify(r));
  }
  // A voter cut off stops fetching and falls behind; its times stay where they were.
  c.isolated.add(3);
  c.propose('b');
  c.run(4);
  const later = leader.describeQuorum()!;
  const three = later.voters.find((v) => v.replicaId === 3)!;
  const two = later.voters.find((v) => v.replicaId === 2)!;
  assert.equal(three.logEndOffset, 2);
  assert.equal(two.logEndOffset, 3);
  assert.ok(three.lastCaughtUpTick < two.lastCaughtUpTick);
  assert.deepEqual(later.voters.find((v) => v.replicaId === 1), { replicaId: 1, logEndOffset: 3, lastFetchTick: later.voters[0]!.lastFetchTick, lastCaughtUpTick: later.voters[0]!.lastFetchTick });
  // An observer that stops fetching is forgotten after 30 fetch timeouts.
  c.isolated.delete(3);
  c.isolated.add(OBSERVER);
  c.run(29 * baseConfig.fetchTimeoutTicks);
  assert.deepEqual(leader.describeQuorum()!.observers.map((o) => o.replicaId), [OBSERVER]);
  c.run(2 * baseConfig.fetchTimeoutTicks);
  assert.equal(leader.role, 'leader');
  assert.deepEqual(leader.describeQuorum()!.observers, []);
});

test('an observer whose leader goes quiet searches again and follows the next leader', () => {
  const c = observerCluster();
  c.run(12 + baseConfig.requestTimeoutTicks);
  c.propose('before');
  c.run(2);
  c.isolated.add(1);
  let sawUnattached = false;
  for (let i = 0; i < 60; i++) {
    c.run(1);
    const o = c.node(OBSERVER);
    assert.ok(o.role === 'follower' || o.role === 'unattached', `observer became ${o.role}`);
    if (o.role === 'unattached') {
      sawUnattached = true;
      assert.deepEqual(c.stores.get(OBSERVER)!.load().quorumState, { leaderEpoch: o.epoch, leaderId: -1, votedId: -1 });
    }
  }
  assert.ok(sawUnattached, 'the observer gave up on its leader');
  const [leader] = c.leaders().filter((n) => n.nodeId !== 1);
  assert.equal(leader!.epoch, 2);
  assert.deepEqual([c.node(OBSERVER).role, c.node(OBSERVER).leaderId, c.node(OBSERVER).epoch], ['follower', leader!.nodeId, 2]);
  c.propose('after');
  c.run(2);
  assert.deepEqual(c.appliedData(OBSERVER), ['before', 'after']);
  assert.ok(!c.sent.some((m) => m.from === OBSERVER && m.type !== 'FetchRequest'));
});

test('an observer of a leader that resigns searches at once instead of waiting out the timeout', () => {
  const c = observerCluster();
  c.run(12 + baseConfig.requestTimeoutTicks);
  c.node(1).resign();
  c.flush(1);
  c.deliverAll();
  // The resigned leader names no leader: the observer's next answer sends it searching.
  c.tick([OBSERVER], baseConfig.requestTimeoutTicks);
  c.deliverAll();
  assert.equal(c.node(OBSERVER).role, 'unattached');
  c.run(baseConfig.electionJitterTicks + baseConfig.requestTimeoutTicks + 2);
  const [leader] = c.leaders();
  assert.equal(leader!.epoch, 2);
  assert.deepEqual([c.node(OBSERVER).role, c.node(OBSERVER).leaderId], ['follower', leader!.nodeId]);
});

test('an observer behind the log start installs the snapshot, and restarts following its leader', () => {
  const c = observerCluster();
  c.isolated.add(OBSERVER);
  c.run(12);
  for (let i = 0; i < 10; i++) c.propose(`v${i}`);
  c.run(2);
  c.node(1).snapshot(8, Buffer.from('state-up-to-8'));
  c.flush(1);
  c.isolated.delete(OBSERVER);
  c.run(12);
  assert.deepEqual(c.appliedSnapshots.get(OBSERVER)!.map((s) => s.data.toString()), ['state-up-to-8']);
  assert.deepEqual(c.appliedData(OBSERVER), ['v7', 'v8', 'v9']);
  assert.equal(c.node(OBSERVER).highWatermark, 11);
  c.restart(OBSERVER);
  assert.deepEqual([c.node(OBSERVER).role, c.node(OBSERVER).leaderId, c.node(OBSERVER).log.startOffset], ['follower', 1, 8]);
  c.propose('v10');
  c.run(2);
  assert.deepEqual(c.appliedData(OBSERVER), ['v7', 'v8', 'v9', 'v10']);
});

// ---- helpers ----------------------------------------------------------------------------------

function withQuorumState(leaderEpoch: number, leaderId: number): ReturnType<MemoryRaftStorage['load']> {
  const store = new MemoryRaftStorage();
  store.persist({ snapshot: null, logFromOffset: null, entries: [], quorumState: { leaderEpoch, leaderId, votedId: -1 }, messages: [], applySnapshot: null, committed: [] });
  return store.load();
}

/** Node 1 leading epoch 3 of voters 1-3, elected by hand. */
function leaderInEpoch3(): Raft {
  const raft = new Raft({ ...baseConfig, nodeId: 1, voters: [1, 2, 3] }, withQuorumState(2, -1), { nextInt: () => 0 });
  for (let i = 0; i < baseConfig.electionTimeoutTicks; i++) raft.tick();
  flushed(raft);
  raft.step({ type: 'VoteResponse', from: 2, to: 1, errorCode: 0, leaderId: -1, leaderEpoch: 2, voteGranted: true, preVote: true });
  flushed(raft);
  raft.step({ type: 'VoteResponse', from: 2, to: 1, errorCode: 0, leaderId: -1, leaderEpoch: 3, voteGranted: true, preVote: false });
  flushed(raft);
  assert.deepEqual([raft.role, raft.epoch], ['leader', 3]);
  return raft;
}

function flushed(raft: Raft): RaftMessage[] {
  if (!raft.hasReady()) return [];
  const ready = raft.ready();
  raft.advance();
  return [...ready.messages];
}

function answerTo(q: FetchRequest, errorCode: number, currentLeader: { leaderId: number; leaderEpoch: number }): FetchResponse {
  return { type: 'FetchResponse', from: q.to, to: q.from, correlationId: q.correlationId, errorCode, highWatermark: -1, logStartOffset: 0, currentLeader, divergingEpoch: null, snapshotId: null, records: [] };
}
