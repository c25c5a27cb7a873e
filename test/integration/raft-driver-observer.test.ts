// Goal: a RaftNode that is not a voter runs as an observer over loopback TCP: with three voters
// it finds the leader, applies the same committed entries, and keeps up when the leader stops
// (handing over gracefully) and another is elected; the leader describes voters and observer.
// Then the same quorum runs on listeners shared with Kafka traffic, the nodes adopting Raft
// connections by their hello frame; and the transport's adopt() is checked at the byte level.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { RaftNode, RaftTransport, decodeRaftMessage, encodeRaftHello, encodeRaftMessage, type PeerAddress } from '../../src/raft/driver/index.js';
import type { RaftMessage, Role } from '../../src/raft/index.js';
import { RAFT_TEST_VOTERS, frame, freePort, raftTestConfig, readFrame, startSharedListener, waitFor } from '../helpers/raft-nodes.js';

const voterIds = RAFT_TEST_VOTERS;
const OBSERVER = 4;
const allIds = [...voterIds, OBSERVER];

/** A quorum of RaftNodes in one process, each recording what it applied and its role changes. */
class Quorum {
  readonly nodes = new Map<number, RaftNode>();
  readonly applied = new Map<number, string[]>();
  readonly roles = new Map<number, string[]>();

  constructor(
    private readonly root: string,
    private readonly addresses: Map<number, PeerAddress>,
    private readonly ownListeners: boolean,
  ) {}

  make(id: number): RaftNode {
    const values: string[] = [];
    const roles: string[] = [];
    this.applied.set(id, values);
    this.roles.set(id, roles);
    const node = new RaftNode({
      config: raftTestConfig(id, 64 * 1024),
      dataDir: join(this.root, `node-${id}`),
      listen: this.ownListeners && voterIds.includes(id) ? this.addresses.get(id)! : undefined,
      peers: new Map([...this.addresses].filter(([peer]) => peer !== id)),
      tickMs: 50,
      onCommit: (entries) => {
        for (const e of entries) if (!e.isControl) values.push(e.data.toString());
      },
      onRoleChange: (role: Role, leaderId: number, epoch: number) => roles.push(`${role}/${leaderId}/${epoch}`),
    });
    this.nodes.set(id, node);
    return node;
  }

  node(id: number): RaftNode {
    return this.nodes.get(id)!;
  }

  /** The one leader every live node (observer included) agrees on, or null. */
  agreedLeader(live: readonly number[]): RaftNode | null {
    const leaders = live.map((id) => this.node(id)).filter((n) => n.role === 'leader');
    if (leaders.length !== 1) return null;
    const leader = leaders[0]!;
    return live.every((id) => this.node(id).leaderId === leader.leaderId && this.node(id).epoch === leader.epoch) ? leader : null;
  }

  async proposeAll(leader: RaftNode, values: string[]): Promise<void> {
    for (const r of await Promise.all(values.map((v) => leader.propose(Buffer.from(v))))) assert.equal(typeof r, 'number', JSON.stringify(r));
  }

  async stopAll(): Promise<void> {
    for (const node of this.nodes.values()) await node.stop();
  }
}

describe('RaftNode observer over TCP', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function tempRoot(): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), 'raft-observer-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    return root;
  }

  test('an observer catches up, is described by the leader and keeps up through a fail-over', { timeout: 40_000 }, async () => {
    const addresses = new Map<number, PeerAddress>();
    for (const id of voterIds) addresses.set(id, { host: '127.0.0.1', port: await freePort() });
    const q = new Quorum(await tempRoot(), addresses, true);
    cleanups.push(() => q.stopAll());
    for (const id of allIds) await q.make(id).start();
    const observer = q.node(OBSERVER);
    assert.equal(observer.isObserver, true);
    assert.equal(q.node(1).isObserver, false);

    const first = await waitFor('a leader the observer follows', () => q.agreedLeader(allIds));
    const firstValues = Array.from({ length: 60 }, (_, i) => `a${i}`);
    await q.proposeAll(first, firstValues);
    await waitFor('the observer applied everything', () => q.applied.get(OBSERVER)!.length >= 60);
    assert.deepEqual(q.applied.get(OBSERVER), firstValues);
    await waitFor('the observer applied up to the high watermark', () => observer.appliedOffset === first.highWatermark);
    assert.deepEqual(await observer.propose(Buffer.from('x')), { kind: 'not-leader', leaderId: first.leaderId });

    const described = await waitFor('the observer described as caught up', () => {
      const d = first.describeQuorum();
      return d !== null && d.observers.length === 1 && d.observers[0]!.logEndOffset === first.log.endOffset ? d : null;
    });
    const now = Date.now();
    assert.deepEqual([described.leaderId, described.leaderEpoch], [first.leaderId, first.epoch]);
    assert.deepEqual(described.voters.map((v) => v.replicaId), voterIds);
    assert.equal(described.observers[0]!.replicaId, OBSERVER);
    for (const r of [...described.voters, ...described.observers]) {
      assert.ok(Math.abs(r.lastFetchTimestamp - now) < 2_000, `fetch time of ${r.replicaId}: ${r.lastFetchTimestamp} vs ${now}`);
      assert.ok(r.lastCaughtUpTimestamp > 0 && r.lastCaughtUpTimestamp <= r.lastFetchTimestamp + 1, JSON.stringify(r));
    }
    assert.equal(observer.describeQuorum(), null);

    // The leader stops: it resigns first (reported before its notices go out), a new one takes over.
    const oldId = first.leaderId;
    const oldEpoch = first.epoch;
    await first.stop();
    assert.equal(q.roles.get(oldId)!.at(-1), `resigned/${oldId}/${oldEpoch}`);
    const live = allIds.filter((id) => id !== oldId);
    const second = await waitFor('a second leader the observer follows', () => q.agreedLeader(live));
    assert.ok(second.epoch > oldEpoch);
    const secondValues = Array.from({ length: 30 }, (_, i) => `b${i}`);
    await q.proposeAll(second, secondValues);
    await waitFor('the observer kept up', () => q.applied.get(OBSERVER)!.length >= 90);
    assert.deepEqual(q.applied.get(OBSERVER), [...firstValues, ...secondValues]);
    const observerRoles = q.roles.get(OBSERVER)!;
    assert.ok(observerRoles.every((r) => r.startsWith('follower/') || r.startsWith('unattached/')), observerRoles.join(' '));
    assert.ok(observerRoles.includes(`follower/${second.leaderId}/${second.epoch}`), observerRoles.join(' '));
    const observerLog = observer.log;
    const leaderLog = second.log;
    assert.deepEqual(
      observerLog.slice(observerLog.startOffset, second.highWatermark).map((e) => `${e.offset}/${e.epoch}`),
      leaderLog.slice(leaderLog.startOffset, second.highWatermark).map((e) => `${e.offset}/${e.epoch}`),
    );
  });

  test('voters and an observer on listeners shared with Kafka requests adopt Raft connections', { timeout: 40_000 }, async () => {
    const root = await tempRoot();
    const addresses = new Map<number, PeerAddress>();
    const servers: Server[] = [];
    let q: Quorum | null = null;
    let kafkaFrames = 0;
    for (const id of voterIds) {
      const { server, port } = await startSharedListener(
        (socket, alreadyRead) => q!.node(id).adopt(socket, alreadyRead),
        (socket, body) => {
          // Stands in for the broker's Kafka handling: answer with the api key it saw.
          kafkaFrames++;
          socket.end(frame(Buffer.from(`kafka api ${body.readInt16BE(0)}`)));
        },
      );
      servers.push(server);
      addresses.set(id, { host: '127.0.0.1', port });
    }
    cleanups.push(async () => {
      for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    q = new Quorum(root, addresses, false);
    cleanups.push(() => q!.stopAll());
    for (const id of allIds) q.make(id);
    for (const id of allIds) await q.node(id).start();

    const leader = await waitFor('a leader the observer follows', () => q!.agreedLeader(allIds));
    const values = Array.from({ length: 20 }, (_, i) => `s${i}`);
    await q.proposeAll(leader, values);
    await waitFor('everyone applied', () => allIds.every((id) => q!.applied.get(id)!.length >= 20));
    for (const id of allIds) assert.deepEqual(q.applied.get(id), values, `node ${id}`);

    // A Kafka client on the same port is not mistaken for Raft.
    const client = connect(addresses.get(leader.leaderId)!.port, '127.0.0.1');
    const apiVersionsHeader = Buffer.alloc(8);
    apiVersionsHeader.writeInt16BE(18, 0);
    client.write(frame(apiVersionsHeader));
    assert.equal((await readFrame(client)).toString(), 'kafka api 18');
    client.destroy();
    assert.equal(kafkaFrames, 1);
  });

  test('adopt() takes the frames read with the hello, serves a non-voter fetch, and refuses it anything else', { timeout: 20_000 }, async () => {
    const received: RaftMessage[] = [];
    const transport = new RaftTransport({ nodeId: 1, peers: new Map(), onMessage: (m) => received.push(m) });
    await transport.start();
    const { server, port } = await startSharedListener(
      (socket, alreadyRead) => transport.adopt(socket, alreadyRead),
      (socket) => socket.destroy(),
    );
    cleanups.push(async () => {
      await transport.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const fetch: RaftMessage = { type: 'FetchRequest', from: 9, to: 1, correlationId: 5, replicaId: 9, currentLeaderEpoch: 2, fetchOffset: 0, lastFetchedEpoch: 0, logStartOffset: 0, highWatermark: 0 };
    const vote: RaftMessage = { type: 'VoteRequest', from: 9, to: 1, candidateEpoch: 3, candidateId: 9, lastOffsetEpoch: 0, lastOffset: 0, preVote: false };
    const spoofed: RaftMessage = { ...fetch, from: 2, replicaId: 2, correlationId: 6 };
    const raw: Socket = connect(port, '127.0.0.1');
    // One write: the shared listener reads the hello together with the frames behind it.
    raw.write(Buffer.concat([encodeRaftHello(9), ...[fetch, vote, spoofed].map((m) => frame(encodeRaftMessage(m)))]));
    await waitFor('the fetch delivered', () => received.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(received, [fetch], 'a non-voter may fetch; its vote and a message claiming another sender are dropped');

    const answer: RaftMessage = {
      type: 'FetchResponse',
      from: 1,
      to: 9,
      correlationId: 5,
      errorCode: 0,
      highWatermark: 0,
      logStartOffset: 0,
      currentLeader: { leaderId: 1, leaderEpoch: 2 },
      divergingEpoch: null,
      snapshotId: null,
      records: [],
    };
    const reply = readFrame(raw);
    transport.send(answer);
    assert.deepEqual(decodeRaftMessage(await reply), answer, 'the answer comes back on the adopted connection');
    raw.destroy();
  });

  test('the transport\'s own listener closes a connection that does not open with a hello', { timeout: 20_000 }, async () => {
    const port = await freePort();
    const received: RaftMessage[] = [];
    const transport = new RaftTransport({ nodeId: 1, listen: { host: '127.0.0.1', port }, peers: new Map(), onMessage: (m) => received.push(m) });
    await transport.start();
    cleanups.push(() => transport.stop());
    const raw = connect(port, '127.0.0.1');
    const closed = new Promise((resolve) => raw.once('close', resolve));
    raw.on('error', () => raw.destroy()); // a reset instead of a close is as good
    raw.write(frame(encodeRaftMessage({ type: 'FetchRequest', from: 9, to: 1, correlationId: 1, replicaId: 9, currentLeaderEpoch: 0, fetchOffset: 0, lastFetchedEpoch: 0, logStartOffset: 0, highWatermark: 0 })));
    await closed;
    assert.deepEqual(received, []);
  });
});
