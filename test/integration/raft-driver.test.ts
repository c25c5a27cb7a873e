// Goal: three RaftNodes in one process, on loopback TCP ports with their own data directories,
// elect one leader and commit 100 proposals on all three in the same order; with the leader
// stopped the other two elect a new one and keep committing; the old leader, restarted on its
// directory, catches up until all three hold identical logs.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { RaftNode, type PeerAddress } from '../../src/raft/driver/index.js';
import { RAFT_TEST_VOTERS, freePort, raftTestConfig, waitFor } from '../helpers/raft-nodes.js';

const config = (nodeId: number) => raftTestConfig(nodeId, 64 * 1024);
const ids = RAFT_TEST_VOTERS;

describe('RaftNode cluster over TCP', () => {
  const addresses = new Map<number, PeerAddress>();
  const dirs = new Map<number, string>();
  const nodes = new Map<number, RaftNode>();
  /** Committed data entries per node, as strings, in commit order. */
  const applied = new Map<number, string[]>();
  let root = '';

  function makeNode(id: number): RaftNode {
    const peers = new Map([...addresses].filter(([peer]) => peer !== id));
    const list: string[] = [];
    applied.set(id, list);
    return new RaftNode({
      config: config(id),
      dataDir: dirs.get(id)!,
      listen: addresses.get(id)!,
      peers,
      tickMs: 50,
      onCommit: (entries) => {
        for (const e of entries) if (!e.isControl) list.push(e.data.toString());
      },
    });
  }

  function leaderAmong(live: readonly number[]): RaftNode | null {
    const leaders = live.map((id) => nodes.get(id)!).filter((n) => n.role === 'leader');
    if (leaders.length !== 1) return null;
    const leader = leaders[0]!;
    const isAgreed = live.every((id) => nodes.get(id)!.leaderId === leader.leaderId && nodes.get(id)!.epoch === leader.epoch);
    return isAgreed ? leader : null;
  }

  async function proposeAll(leader: RaftNode, values: string[]): Promise<number[]> {
    const results = await Promise.all(values.map((v) => leader.propose(Buffer.from(v))));
    return results.map((r) => {
      assert.equal(typeof r, 'number', `proposal not committed: ${JSON.stringify(r)}`);
      return r as number;
    });
  }

  after(async () => {
    for (const node of nodes.values()) await node.stop();
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  test('elects, replicates, fails over and catches up a restarted voter', { timeout: 40_000 }, async () => {
    root = await mkdtemp(join(tmpdir(), 'raft-driver-'));
    for (const id of ids) {
      addresses.set(id, { host: '127.0.0.1', port: await freePort() });
      dirs.set(id, join(root, `node-${id}`));
    }
    for (const id of ids) nodes.set(id, makeNode(id));
    for (const id of ids) await nodes.get(id)!.start();

    const first = await waitFor('a first leader', () => leaderAmong(ids));
    const follower = nodes.get(ids.find((id) => id !== first.leaderId)!)!;
    assert.deepEqual(await follower.propose(Buffer.from('x')), { kind: 'not-leader', leaderId: first.leaderId });
    const firstValues = Array.from({ length: 100 }, (_, i) => `a${i}`);
    const offsets = await proposeAll(first, firstValues);
    assert.deepEqual(offsets, [...offsets].sort((x, y) => x - y), 'offsets follow proposal order');
    await waitFor('100 entries applied everywhere', () => ids.every((id) => applied.get(id)!.length >= 100));
    for (const id of ids) assert.deepEqual(applied.get(id), firstValues, `node ${id} applied in order`);

    // Fail-over: stop the leader; the other two elect a new one in a later epoch.
    const oldId = first.leaderId;
    const oldEpoch = first.epoch;
    await first.stop();
    const live = ids.filter((id) => id !== oldId);
    const second = await waitFor('a second leader', () => leaderAmong(live));
    assert.notEqual(second.leaderId, oldId);
    assert.ok(second.epoch > oldEpoch);
    const secondValues = Array.from({ length: 50 }, (_, i) => `b${i}`);
    await proposeAll(second, secondValues);
    const expected = [...firstValues, ...secondValues];
    await waitFor('150 entries applied on the two', () => live.every((id) => applied.get(id)!.length >= 150));
    for (const id of live) assert.deepEqual(applied.get(id), expected);

    // The old leader restarts on its directory, resigns its stale leadership and catches up.
    nodes.set(oldId, makeNode(oldId));
    await nodes.get(oldId)!.start();
    await waitFor('restarted node caught up', () => applied.get(oldId)!.length >= 150);
    assert.deepEqual(applied.get(oldId), expected);
    const third = await waitFor('one leader among all three', () => leaderAmong(ids));
    await proposeAll(third, ['c0']);
    await waitFor('identical logs', () => {
      const ends = ids.map((id) => nodes.get(id)!.log.endOffset);
      const hws = ids.map((id) => nodes.get(id)!.highWatermark);
      // The core raises its high watermark before the loop hands the entries to onCommit.
      const isApplied = ids.every((id) => applied.get(id)!.length === expected.length + 1);
      return isApplied && ends.every((e) => e === ends[0]) && hws.every((h) => h === ends[0]);
    });
    const logs = ids.map((id) => {
      const log = nodes.get(id)!.log;
      return log.slice(log.startOffset, log.endOffset).map((e) => `${e.offset}/${e.epoch}/${e.isControl}/${e.data.toString()}`);
    });
    assert.deepEqual(logs[1], logs[0]);
    assert.deepEqual(logs[2], logs[0]);
    for (const id of ids) assert.deepEqual(applied.get(id), [...expected, 'c0']);
  });
});
