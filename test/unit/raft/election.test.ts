// Goal: elections follow KIP-595 with KIP-996 pre-vote: one voter elects itself and commits, three
// voters elect exactly one leader through pre-vote, vote and BeginQuorumEpoch, votes respect the
// epoch, the vote already cast and log freshness, a node rejoining after a partition cannot
// disrupt a healthy leader, and a leader that loses its quorum or restarts resigns.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Raft, MemoryRaftStorage, type RaftMessage, type VoteRequest, type VoteResponse } from '../../../src/raft/index.js';
import { TestCluster, baseConfig } from './harness.js';

test('a single voter elects itself at its first tick and commits its proposals', () => {
  const c = new TestCluster([1]);
  assert.equal(c.node(1).role, 'unattached');
  c.tick([1], 1);
  assert.equal(c.node(1).role, 'leader', 'nobody to wait for: no election timeout');
  assert.equal(c.node(1).epoch, 1);
  assert.deepEqual(c.stores.get(1)!.load().quorumState, { leaderEpoch: 1, leaderId: 1, votedId: 1 });
  c.propose('a');
  c.propose('b');
  assert.equal(c.node(1).highWatermark, 3); // leader-change entry + two proposals
  assert.deepEqual(c.appliedData(1), ['a', 'b']);
});

test('three voters elect one leader: pre-vote, vote, BeginQuorumEpoch, first fetches', () => {
  const c = new TestCluster([1, 2, 3], (id) => (id === 1 ? 0 : 4));
  c.tick([1, 2, 3], 10);
  const types = (ms: RaftMessage[]): string[] => ms.map((m) => `${m.type}${'preVote' in m && m.preVote ? '(pre)' : ''} ${m.from}->${m.to}`);
  assert.deepEqual(types(c.queue), ['VoteRequest(pre) 1->2', 'VoteRequest(pre) 1->3']);
  assert.equal(c.node(1).role, 'prospective');
  assert.equal(c.node(1).epoch, 0, 'a pre-vote does not bump the epoch');
  c.sent.length = 0;
  c.deliverAll();
  assert.deepEqual(types(c.sent).slice(0, 8), [
    'VoteResponse(pre) 2->1',
    'VoteResponse(pre) 3->1',
    'VoteRequest 1->2',
    'VoteRequest 1->3',
    'VoteResponse 2->1',
    'VoteResponse 3->1',
    'BeginQuorumEpochRequest 1->2',
    'BeginQuorumEpochRequest 1->3',
  ]);
  assert.deepEqual(c.leaders().map((n) => n.nodeId), [1]);
  assert.equal(c.node(1).epoch, 1);
  for (const id of [2, 3]) {
    assert.equal(c.node(id).role, 'follower');
    assert.equal(c.node(id).leaderId, 1);
    assert.deepEqual(c.stores.get(id)!.load().quorumState, { leaderEpoch: 1, leaderId: 1, votedId: 1 });
  }
  c.propose('x');
  c.run(2);
  for (const id of [1, 2, 3]) assert.deepEqual(c.appliedData(id), ['x']);
});

function voter(id: number, opts: { epoch?: number; votedId?: number; logEpoch?: number; logLength?: number } = {}): Raft {
  const store = new MemoryRaftStorage();
  const entries = Array.from({ length: opts.logLength ?? 0 }, (_, i) => ({ offset: i, epoch: opts.logEpoch ?? 1, data: Buffer.alloc(0), isControl: false }));
  const quorumState = { leaderEpoch: opts.epoch ?? 0, leaderId: -1, votedId: opts.votedId ?? -1 };
  store.persist({ snapshot: null, logFromOffset: 0, entries, quorumState, messages: [], applySnapshot: null, committed: [] });
  return new Raft({ ...baseConfig, nodeId: id, voters: [1, 2, 3] }, store.load(), { nextInt: () => 0 });
}

function ask(raft: Raft, request: Partial<VoteRequest>): VoteResponse {
  raft.step({ type: 'VoteRequest', from: 2, to: raft.nodeId, candidateEpoch: 5, candidateId: 2, lastOffsetEpoch: 1, lastOffset: 3, preVote: false, ...request });
  const ready = raft.ready();
  raft.advance();
  return ready.messages.find((m) => m.type === 'VoteResponse') as VoteResponse;
}

test('vote granting rules', () => {
  const cases: { name: string; node: Parameters<typeof voter>[1]; request: Partial<VoteRequest>; granted: boolean }[] = [
    { name: 'higher epoch, same log', node: { epoch: 4, logLength: 3 }, request: {}, granted: true },
    { name: 'stale epoch', node: { epoch: 6, logLength: 3 }, request: {}, granted: false },
    { name: 'shorter log', node: { epoch: 4, logLength: 4 }, request: {}, granted: false },
    { name: 'older last epoch, longer log', node: { epoch: 4, logLength: 2, logEpoch: 2 }, request: { lastOffset: 9 }, granted: false },
    { name: 'newer last epoch, shorter log', node: { epoch: 4, logLength: 9, logEpoch: 1 }, request: { lastOffsetEpoch: 2, lastOffset: 1 }, granted: true },
    { name: 'already voted for another', node: { epoch: 5, votedId: 3 }, request: {}, granted: false },
    { name: 'repeat of our vote', node: { epoch: 5, votedId: 2 }, request: {}, granted: true },
    { name: 'pre-vote, up to date', node: { epoch: 4, logLength: 3 }, request: { preVote: true }, granted: true },
    { name: 'pre-vote, stale log', node: { epoch: 4, logLength: 5 }, request: { preVote: true }, granted: false },
  ];
  for (const { name, node, request, granted } of cases) {
    const raft = voter(1, node);
    const epochBefore = raft.epoch;
    const response = ask(raft, request);
    assert.equal(response.voteGranted, granted, name);
    if (request.preVote) assert.equal(raft.epoch, epochBefore, `${name}: pre-vote changed the epoch`);
    if (granted && !request.preVote) assert.equal(raft.votedId, 2, name);
  }
});

test('pre-vote keeps a rejoining partitioned node from disrupting a stable leader', () => {
  const c = new TestCluster([1, 2, 3], (id) => (id === 1 ? 0 : 4));
  c.run(12);
  assert.deepEqual(c.leaders().map((n) => n.nodeId), [1]);
  c.isolated.add(3);
  // Long enough for node 3 to time out and retry its pre-vote many times.
  c.run(100);
  assert.equal(c.node(3).epoch, 1, 'the isolated node never bumped its epoch');
  assert.equal(c.node(3).role, 'prospective');
  c.isolated.delete(3);
  c.run(30);
  assert.deepEqual(c.leaders().map((n) => [n.nodeId, n.epoch]), [[1, 1]]);
  assert.equal(c.node(3).role, 'follower');
  assert.equal(c.node(3).leaderId, 1);
});

test('check-quorum: a leader that hears no fetches from a majority resigns', () => {
  const c = new TestCluster([1, 2, 3], (id) => [0, 0, 4, 1][id]!);
  c.run(12);
  c.isolated.add(1);
  c.run(2 * baseConfig.fetchTimeoutTicks + 1);
  assert.equal(c.node(1).role === 'leader', false);
  assert.equal(c.node(1).epoch, 1);
  const leaders = c.leaders();
  assert.equal(leaders.length, 1);
  assert.equal(leaders[0]!.epoch, 2);
});

test('a restarted leader comes back resigned and a new leader takes over', () => {
  const c = new TestCluster([1, 2, 3], (id) => (id === 1 ? 0 : 4));
  c.run(12);
  c.propose('before');
  c.run(2);
  c.restart(1);
  assert.equal(c.node(1).role, 'resigned');
  c.deliverAll();
  c.run(40);
  const leaders = c.leaders();
  assert.equal(leaders.length, 1);
  assert.ok(leaders[0]!.epoch >= 2);
  c.propose('after');
  c.run(3);
  for (const id of [2, 3]) assert.deepEqual(c.appliedData(id), ['before', 'after']);
});

test('a leader that resigns gracefully is replaced before any fetch timeout', () => {
  const c = new TestCluster([1, 2, 3], (id) => [0, 0, 3, 4][id]!);
  c.run(12);
  c.propose('kept');
  c.run(2);
  c.node(1).resign();
  c.flush(1);
  assert.equal(c.node(1).role, 'resigned');
  const notices = c.queue.filter((m) => m.type === 'EndQuorumEpochRequest');
  assert.deepEqual(notices.map((m) => m.to), [2, 3]);
  assert.equal(c.node(1).propose(Buffer.from('refused')), null);
  c.deliverAll();
  c.run(baseConfig.electionJitterTicks + 2);
  const leaders = c.leaders();
  assert.equal(leaders.length, 1);
  assert.notEqual(leaders[0]!.nodeId, 1);
  assert.equal(leaders[0]!.epoch, 2);
  c.propose('next');
  c.run(2);
  for (const id of [1, 2, 3]) assert.deepEqual(c.appliedData(id), ['kept', 'next']);
});

test('a late duplicate of the winning VoteRequest does not unsettle its followers', () => {
  const c = new TestCluster([1, 2, 3], (id) => [0, 0, 3, 4][id]!);
  c.run(12);
  const request = c.sent.find((m) => m.type === 'VoteRequest' && !m.preVote && m.to === 2)!;
  c.node(2).step(request);
  c.flush(2);
  assert.equal(c.node(2).role, 'follower');
  assert.equal(c.node(2).leaderId, 1);
  const answer = c.sent.at(-1)!;
  assert.ok(answer.type === 'VoteResponse' && answer.voteGranted);
});
