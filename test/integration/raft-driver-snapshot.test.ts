// Goal: a voter that was down while the leader compacted its log past the voter's end catches up
// over TCP through FetchSnapshot: it installs the leader's snapshot (onSnapshot gets its bytes),
// applies the entries after it, and after its own restart starts from the durable snapshot.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { RaftNode, type PeerAddress } from '../../src/raft/driver/index.js';
import { RAFT_TEST_VOTERS, freePort, raftTestConfig, waitFor } from '../helpers/raft-nodes.js';

// Small chunks, so the download takes several FetchSnapshot round trips.
const config = (nodeId: number) => raftTestConfig(nodeId, 100);
const ids = RAFT_TEST_VOTERS;

/** A toy state machine: the list of applied values, snapshotted as JSON. */
interface Machine {
  values: string[];
  appliedEnd: number;
  snapshotsLoaded: number;
}

describe('RaftNode snapshot catch-up over TCP', () => {
  const addresses = new Map<number, PeerAddress>();
  const dirs = new Map<number, string>();
  const nodes = new Map<number, RaftNode>();
  const machines = new Map<number, Machine>();
  let root = '';

  function makeNode(id: number): RaftNode {
    const machine: Machine = { values: [], appliedEnd: 0, snapshotsLoaded: 0 };
    machines.set(id, machine);
    return new RaftNode({
      config: config(id),
      dataDir: dirs.get(id)!,
      listen: addresses.get(id)!,
      peers: new Map([...addresses].filter(([peer]) => peer !== id)),
      tickMs: 50,
      onCommit: (entries) => {
        for (const e of entries) if (!e.isControl) machine.values.push(e.data.toString());
        machine.appliedEnd = entries[entries.length - 1]!.offset + 1;
      },
      onSnapshot: (snapshot) => {
        machine.values = JSON.parse(snapshot.data.toString()) as string[];
        machine.appliedEnd = snapshot.id.endOffset;
        machine.snapshotsLoaded++;
      },
    });
  }

  function leaderAmong(live: readonly number[]): RaftNode | null {
    const leaders = live.map((id) => nodes.get(id)!).filter((n) => n.role === 'leader');
    return leaders.length === 1 && live.every((id) => nodes.get(id)!.leaderId === leaders[0]!.leaderId) ? leaders[0]! : null;
  }

  async function proposeAll(leader: RaftNode, values: string[]): Promise<void> {
    for (const r of await Promise.all(values.map((v) => leader.propose(Buffer.from(v))))) assert.equal(typeof r, 'number');
  }

  after(async () => {
    for (const node of nodes.values()) await node.stop();
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  test('a lagging voter installs the leader snapshot, then restarts from it', { timeout: 40_000 }, async () => {
    root = await mkdtemp(join(tmpdir(), 'raft-driver-snap-'));
    for (const id of ids) {
      addresses.set(id, { host: '127.0.0.1', port: await freePort() });
      dirs.set(id, join(root, `node-${id}`));
    }
    for (const id of ids) nodes.set(id, makeNode(id));
    for (const id of ids) await nodes.get(id)!.start();
    const leader = await waitFor('a leader', () => leaderAmong(ids));
    const leaderId = leader.leaderId;
    const laggard = ids.find((id) => id !== leaderId)!;

    const early = Array.from({ length: 20 }, (_, i) => `a${i}`);
    await proposeAll(leader, early);
    await waitFor('laggard applied the early entries', () => machines.get(laggard)!.values.length === 20);
    await nodes.get(laggard)!.stop();

    const late = Array.from({ length: 30 }, (_, i) => `b${i}`);
    await proposeAll(leader, late);
    const leaderMachine = machines.get(leaderId)!;
    await waitFor('leader applied everything', () => leaderMachine.values.length === 50);
    const snapshotData = Buffer.from(JSON.stringify(leaderMachine.values));
    const snapshotEnd = leaderMachine.appliedEnd;
    await leader.snapshot(snapshotEnd, snapshotData);
    assert.equal(leader.log.startOffset, snapshotEnd);
    const tail = ['c0', 'c1', 'c2'];
    await proposeAll(leader, tail);

    nodes.set(laggard, makeNode(laggard));
    await nodes.get(laggard)!.start();
    const expected = [...early, ...late, ...tail];
    await waitFor('laggard caught up via the snapshot', () => machines.get(laggard)!.values.length === expected.length);
    assert.deepEqual(machines.get(laggard)!.values, expected);
    assert.equal(machines.get(laggard)!.snapshotsLoaded, 1);
    assert.equal(nodes.get(laggard)!.log.startOffset, snapshotEnd);

    // Restarted once more, the laggard loads its durable snapshot and replays only the tail.
    await nodes.get(laggard)!.stop();
    nodes.set(laggard, makeNode(laggard));
    await nodes.get(laggard)!.start();
    assert.equal(machines.get(laggard)!.snapshotsLoaded, 1);
    await waitFor('laggard re-applied the tail', () => machines.get(laggard)!.values.length === expected.length);
    assert.deepEqual(machines.get(laggard)!.values, expected);
  });
});
