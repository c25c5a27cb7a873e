// Goal: pull replication works as KIP-595 describes: a lagging follower catches up through
// repeated fetches and learns the high watermark; a follower with entries from a deposed leader
// is told the diverging epoch, truncates, and converges on the leader's log; a follower behind the
// leader's log start downloads the snapshot in FetchSnapshot chunks and continues from there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FetchRequest, FetchResponse, FetchSnapshotRequest, RaftMessage } from '../../../src/raft/index.js';
import { TestCluster, storeWith } from './harness.js';

const jitters = (id: number): number => [0, 0, 3, 4, 2, 1][id]!;

function logOf(c: TestCluster, id: number): string[] {
  const log = c.node(id).log;
  return log.slice(log.startOffset, log.endOffset).map((e) => `${e.offset}@${e.epoch}:${e.data.toString()}`);
}

function ofType<K extends RaftMessage['type']>(ms: RaftMessage[], type: K): Extract<RaftMessage, { type: K }>[] {
  return ms.filter((m) => m.type === type) as Extract<RaftMessage, { type: K }>[];
}

test('a lagging follower catches up through fetches and learns the high watermark', () => {
  const c = new TestCluster([1, 2, 3], jitters);
  c.run(12);
  assert.equal(c.leaders()[0]!.nodeId, 1);
  c.isolated.add(3);
  for (let i = 0; i < 250; i++) c.propose(`v${i}`);
  c.run(2);
  assert.equal(c.node(1).highWatermark, 251);
  assert.equal(c.node(3).log.endOffset, 1);
  c.isolated.delete(3);
  c.sent.length = 0;
  c.run(10);
  const offsets = ofType(c.sent, 'FetchRequest').filter((m) => m.from === 3).map((m: FetchRequest) => m.fetchOffset);
  assert.deepEqual(offsets.slice(0, 4), [1, 101, 201, 251]);
  assert.deepEqual(logOf(c, 3), logOf(c, 1));
  assert.equal(c.node(3).highWatermark, 251);
  assert.equal(c.appliedData(3).length, 250);
});

test('a follower with a deposed leader\'s entries truncates at the diverging epoch', () => {
  // Node 1 led epoch 2 and wrote two entries nobody else got; nodes 2 and 3 moved on to epoch 3.
  const initial = new Map([
    [1, storeWith({ leaderEpoch: 2, leaderId: -1, votedId: -1 }, [1, 1, 2, 2])],
    [2, storeWith({ leaderEpoch: 3, leaderId: -1, votedId: -1 }, [1, 1, 3, 3, 3])],
    [3, storeWith({ leaderEpoch: 3, leaderId: -1, votedId: -1 }, [1, 1, 3, 3, 3])],
  ]);
  const c = new TestCluster([1, 2, 3], (id) => [0, 4, 0, 2][id]!, {}, initial);
  c.run(30);
  const [leader] = c.leaders();
  assert.equal(leader!.nodeId, 2);
  const diverging = ofType(c.sent, 'FetchResponse').filter((m: FetchResponse) => m.to === 1 && m.divergingEpoch !== null);
  assert.deepEqual(diverging.map((m) => m.divergingEpoch), [{ epoch: 1, endOffset: 2 }]);
  assert.deepEqual(logOf(c, 1), logOf(c, 2));
  assert.equal(c.node(1).log.endOffset, 6);
  assert.equal(c.node(1).highWatermark, 6);
  assert.ok(!logOf(c, 1).some((e) => e.includes('@2')), 'the deposed entries are gone');
});

test('a follower behind the log start catches up from a snapshot sent in chunks', () => {
  const c = new TestCluster([1, 2, 3], jitters);
  c.run(12);
  c.isolated.add(3);
  for (let i = 0; i < 10; i++) c.propose(`v${i}`);
  c.run(2);
  assert.equal(c.node(1).highWatermark, 11);
  c.node(1).snapshot(8, Buffer.from('state-up-to-8'));
  c.flush(1);
  assert.equal(c.stores.get(1)!.load().snapshot?.id.endOffset, 8);
  assert.equal(c.stores.get(1)!.load().entries[0]!.offset, 8);
  c.isolated.delete(3);
  c.sent.length = 0;
  c.run(10);
  const positions = ofType(c.sent, 'FetchSnapshotRequest').map((m: FetchSnapshotRequest) => m.position);
  assert.deepEqual(positions, [0, 4, 8, 12]);
  assert.deepEqual(c.appliedSnapshots.get(3)!.map((s) => s.data.toString()), ['state-up-to-8']);
  assert.equal(c.node(3).log.startOffset, 8);
  assert.deepEqual(logOf(c, 3), logOf(c, 1));
  assert.equal(c.node(3).highWatermark, 11);
  assert.deepEqual(c.appliedData(3), ['v7', 'v8', 'v9']);
  // Restart keeps the installed snapshot and the entries after it.
  c.restart(3);
  assert.equal(c.node(3).log.startOffset, 8);
  assert.equal(c.node(3).log.endOffset, 11);
});

test('a new leader counts replicas only for an entry of its own epoch (Raft\'s commit rule)', () => {
  // Offset 2 (epoch 2) is on nodes 1 and 2, a majority, but was never known to be committed.
  const initial = new Map([
    [1, storeWith({ leaderEpoch: 2, leaderId: -1, votedId: -1 }, [1, 1, 2])],
    [2, storeWith({ leaderEpoch: 2, leaderId: -1, votedId: -1 }, [1, 1, 2])],
    [3, storeWith({ leaderEpoch: 2, leaderId: -1, votedId: -1 }, [1, 1])],
  ]);
  const c = new TestCluster([1, 2, 3], (id) => [0, 0, 4, 4][id]!, {}, initial);
  c.isolated.add(3);
  c.tick([1, 2, 3], 10);
  const seen: number[] = [];
  for (let m = c.deliverOne(); m !== undefined; m = c.deliverOne()) {
    if (m.type === 'FetchRequest' && m.from === 2) seen.push(m.fetchOffset, c.node(1).highWatermark);
  }
  assert.equal(c.node(1).epoch, 3);
  // Node 2's fetch at 3 proves offset 2 is on a majority, yet the HW waits for offset 3 (epoch 3).
  assert.deepEqual(seen.slice(0, 4), [3, 0, 4, 4]);
  assert.equal(c.node(2).highWatermark, 4);
});

test('a leader cut off in a minority commits nothing, and its entries give way after healing', () => {
  const c = new TestCluster([1, 2, 3], jitters);
  c.run(12);
  c.propose('before');
  c.run(2);
  c.isolated.add(1);
  const lostOffset = c.node(1).propose(Buffer.from('lost'));
  c.flush(1);
  assert.equal(lostOffset, 2);
  c.run(45);
  const [leader] = c.leaders().filter((n) => n.nodeId !== 1);
  assert.equal(leader!.epoch, 2);
  assert.equal(c.node(1).highWatermark, 2, 'the isolated leader never committed its entry');
  c.propose('won');
  c.isolated.delete(1);
  c.run(40);
  for (const id of [1, 2, 3]) assert.deepEqual(c.appliedData(id), ['before', 'won'], `node ${id}`);
  assert.deepEqual(logOf(c, 1), logOf(c, leader!.nodeId));
});
