// Goal: a leader holds a fetch it has nothing for (KRaft's fetch purgatory), so an idle quorum
// exchanges one fetch per follower per wait instead of one per tick, and answers it as soon as
// there is news: a new entry, a higher high watermark, the end of its leadership, or the end of
// the wait (config.fetchWaitTicks). Followers fetch again as soon as an answer arrives.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FetchResponse, RaftMessage } from '../../../src/raft/index.js';
import { TestCluster, baseConfig } from './harness.js';

const jitters = (id: number): number => [0, 0, 3, 4][id]!;

function fetchesFrom(ms: RaftMessage[], id: number): number {
  return ms.filter((m) => m.type === 'FetchRequest' && m.from === id).length;
}

function answersTo(ms: RaftMessage[], id: number): FetchResponse[] {
  return ms.filter((m): m is FetchResponse => m.type === 'FetchResponse' && m.to === id);
}

/** A three-voter quorum led by node 1, settled: every follower has the high watermark and waits. */
function settled(): TestCluster {
  const c = new TestCluster([1, 2, 3], jitters);
  c.run(12);
  assert.equal(c.leaders()[0]!.nodeId, 1);
  c.propose('a');
  c.run(2);
  for (const id of [2, 3]) assert.equal(c.node(id).highWatermark, c.node(1).highWatermark);
  c.sent.length = 0;
  return c;
}

test('an idle leader answers each follower once per wait, not once per tick', () => {
  const c = settled();
  const epoch = c.node(1).epoch;
  // Longer than the fetch timeout plus jitter: the held answers alone keep the followers calm.
  const ticks = baseConfig.fetchTimeoutTicks + baseConfig.electionJitterTicks + 5;
  c.run(ticks);
  const perWait = ticks / baseConfig.fetchWaitTicks;
  for (const id of [2, 3]) {
    const fetches = fetchesFrom(c.sent, id);
    assert.ok(fetches >= perWait - 2 && fetches <= perWait + 2, `follower ${id} fetched ${fetches} times in ${ticks} ticks`);
    const answers = answersTo(c.sent, id);
    assert.ok(answers.length >= perWait - 2, `follower ${id} got ${answers.length} answers`);
    assert.ok(answers.every((m) => m.errorCode === 0 && m.records.length === 0));
  }
  const [leader] = c.leaders();
  assert.deepEqual([leader!.nodeId, leader!.epoch], [1, epoch], 'no election: every follower kept hearing from the leader');
});

test('a held fetch does not count as a fetch again when it is answered (check-quorum)', () => {
  const c = settled();
  // Both followers go away right after their fetches were held. Only the arrivals count: answering
  // them must not make the followers look alive to check-quorum or DescribeQuorum for longer.
  c.isolated.add(2);
  c.isolated.add(3);
  const described = (): number[] => c.node(1).describeQuorum()!.voters.filter((v) => v.replicaId !== 1).map((v) => v.lastFetchTick);
  const before = described();
  c.run(baseConfig.fetchWaitTicks + 1);
  assert.deepEqual(described(), before, 'answering the held fetches recorded no new fetch');
});

test('a held fetch is answered at once with a new entry, then with the high watermark it commits', () => {
  const c = settled();
  const offset = c.node(1).propose(Buffer.from('b'))!;
  c.flush(1);
  const [first] = c.queue.filter((m) => m.type === 'FetchResponse');
  assert.ok(first !== undefined && first.type === 'FetchResponse', 'the entry went out without a tick');
  assert.deepEqual(first.records.map((e) => e.offset), [offset]);
  // The followers append and fetch again. Node 2's fetch commits the entry; node 3's, arriving
  // next at the log end but with the old high watermark, is answered at once, not held: no tick.
  c.deliverAll();
  for (const id of [1, 2, 3]) assert.equal(c.node(id).highWatermark, offset + 1, `node ${id}`);
  for (const id of [2, 3]) assert.deepEqual(c.appliedData(id), ['a', 'b']);
});

test('a leader that resigns answers its held fetches with NOT_LEADER_OR_FOLLOWER', () => {
  const c = settled();
  c.node(1).resign();
  c.flush(1);
  const answers = c.queue.filter((m): m is FetchResponse => m.type === 'FetchResponse');
  assert.deepEqual(answers.map((m) => [m.to, m.errorCode, m.currentLeader.leaderId]).sort(), [
    [2, 6, -1],
    [3, 6, -1],
  ]);
});
