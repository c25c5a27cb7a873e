// The shell around the pure Raft core: the only code here that awaits. It loads RaftDisk, builds
// the core, ticks it on a timer, and feeds it received messages and proposals. One loop owns the
// core: it drains queued inputs into it, then takes ready(), persists and fsyncs it, and only
// then sends the messages, hands committed entries to `onCommit` and calls advance(). Inputs that
// arrive meanwhile wait in bounded queues, because the core takes no input between ready() and
// advance(). A proposal resolves when its offset commits with the epoch it was appended in, and
// with NotLeader when this node does not lead or the entry was replaced by another leader's.
// A node missing from the config's voters runs as an observer (a broker-only node in KRaft): it
// dials the voters, replicates and applies, and never votes. Raft connections reach the node
// either through its own listener (`listen`) or through adopt(), from a listener it shares with
// Kafka requests (see transport.ts for the hello frame that tells them apart).

import type { Socket } from 'node:net';
import { assert } from '../../common/assert.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import { Raft, type ReadonlyRaftLog } from '../raft.js';
import type { Entry, RaftConfig, RaftMessage, Random, Ready, Role, Snapshot } from '../types.js';
import { toQuorumInfo, type QuorumInfo } from './quorum-info.js';
import { RaftDisk } from './raft-disk.js';
import { RaftTransport, type PeerAddress } from './transport.js';

export interface NotLeader {
  readonly kind: 'not-leader';
  /** The leader this node knows of, or -1. */
  readonly leaderId: number;
}

export interface RaftNodeOptions {
  readonly config: RaftConfig;
  readonly dataDir: string;
  /** Listen here for Raft connections; omit when a shared listener hands them to adopt(). */
  readonly listen?: PeerAddress;
  /** The voters' addresses: every other voter for a voter, all of them for an observer. */
  readonly peers: ReadonlyMap<number, PeerAddress>;
  /** Wall time per core tick; the config's tick counts are multiples of it. */
  readonly tickMs?: number;
  /** Committed entries in offset order, control entries (isControl) included. */
  readonly onCommit?: (entries: readonly Entry[]) => void | Promise<void>;
  /** A snapshot from the leader replaces the state machine's state. */
  readonly onSnapshot?: (snapshot: Snapshot) => void | Promise<void>;
  /**
   * Role, leader or epoch changed (once on the first loop pass with the starting state). Called
   * after the change is durable and before the messages it causes are sent.
   */
  readonly onRoleChange?: (role: Role, leaderId: number, epoch: number) => void;
  readonly random?: Random;
  /** The node's logger (it carries nodeId); the driver adds component 'raft'. */
  readonly logger?: Logger;
}

const DEFAULT_TICK_MS = 50;
/** stop() on a leader: how long its EndQuorumEpoch notices get to leave before sockets close. */
const HANDOVER_MS_MAX = 200;
const INBOX_MAX = 10_000;
const PROPOSALS_MAX = 10_000;

interface Proposal {
  readonly data: Buffer;
  readonly resolve: (result: number | NotLeader) => void;
  readonly reject: (err: Error) => void;
}

interface SnapshotRequest {
  readonly endOffset: number;
  readonly data: Buffer;
  readonly resolve: () => void;
}

interface Waiter {
  readonly epoch: number;
  readonly resolve: (result: number | NotLeader) => void;
  readonly reject: (err: Error) => void;
}

const mathRandom: Random = { nextInt: (bound) => Math.floor(Math.random() * bound) };

export class RaftNode {
  private raft: Raft | null = null;
  private disk: RaftDisk | null = null;
  private transport: RaftTransport | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inbox: RaftMessage[] = [];
  private pendingTicks = 0;
  private proposals: Proposal[] = [];
  private snapshots: SnapshotRequest[] = [];
  /** End of what onCommit/onSnapshot has been given: a snapshot may be taken up to here. */
  private appliedEnd = 0;
  /** Appended proposals by offset, waiting for the high watermark. */
  private readonly waiters = new Map<number, Waiter>();
  private isRunning = false;
  /** stop() began: no new proposals; the loop still runs while a leader hands over. */
  private isStopping = false;
  /** The loop no longer runs. */
  private isStopped = false;
  private hasFailed = false;
  private stopped: Promise<void> | null = null;
  private isResignRequested = false;
  /** The last (role, leaderId, epoch) given to onRoleChange. */
  private reportedRole: string | null = null;
  /** Ticks the timer has produced, and when the latest one fired: maps core ticks to wall time. */
  private timerTicks = 0;
  private lastTimerTickMs = 0;
  /** The loop's current pass, so stop() can wait for its disk writes to finish. */
  private loop: Promise<void> = Promise.resolve();
  private readonly logger: Logger;

  constructor(private readonly options: RaftNodeOptions) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'raft' });
  }

  async start(): Promise<void> {
    assert(this.raft === null, 'RaftNode started twice');
    const { disk, storage } = await RaftDisk.open(this.options.dataDir);
    this.disk = disk;
    this.raft = new Raft(this.options.config, storage, this.options.random ?? mathRandom, this.logger);
    // The core re-delivers committed entries from its log start, so the state machine starts
    // from the durable snapshot.
    if (storage.snapshot !== null) await this.options.onSnapshot?.(storage.snapshot);
    this.appliedEnd = this.raft.log.startOffset;
    this.transport = new RaftTransport({
      nodeId: this.options.config.nodeId,
      listen: this.options.listen,
      peers: this.options.peers,
      onMessage: (m) => this.receive(m),
      logger: this.logger,
    });
    await this.transport.start();
    this.lastTimerTickMs = Date.now();
    this.timer = setInterval(() => {
      this.pendingTicks++;
      this.timerTicks++;
      this.lastTimerTickMs = Date.now();
      this.kick();
    }, this.tickMs);
    this.kick();
  }

  /**
   * Hands over a Raft connection accepted by a listener shared with Kafka requests; see
   * RaftTransport.adopt. Before start() or after stop() the socket is closed (the peer redials).
   */
  adopt(socket: Socket, alreadyRead: Buffer): void {
    if (this.transport === null || this.isStopped) {
      socket.destroy();
      return;
    }
    this.transport.adopt(socket, alreadyRead);
  }

  /** Graceful hand-over if this node leads: it stops leading and the voters elect another. */
  resign(): void {
    if (this.raft === null || this.isStopping) return;
    this.isResignRequested = true;
    this.kick();
  }

  /**
   * Appends `data` if this node leads; resolves with its offset once committed, or NotLeader if
   * it was not appended or another leader's entry took its offset. Rejects if the node stops
   * first (the entry may still commit) or the proposal queue is full.
   */
  propose(data: Buffer): Promise<number | NotLeader> {
    if (this.raft === null || this.isStopping) return Promise.reject(new Error('RaftNode is not running'));
    if (this.proposals.length >= PROPOSALS_MAX) return Promise.reject(new Error(`more than ${PROPOSALS_MAX} proposals queued`));
    return new Promise((resolve, reject) => {
      this.proposals.push({ data, resolve, reject });
      this.kick();
    });
  }

  /**
   * Compacts the log below `endOffset` into `data`, the state after applying every entry below
   * it; resolves once the snapshot is durable (or at once if the log already starts there).
   */
  snapshot(endOffset: number, data: Buffer): Promise<void> {
    if (this.raft === null || this.isStopping) return Promise.reject(new Error('RaftNode is not running'));
    if (endOffset > this.appliedEnd) return Promise.reject(new RangeError(`snapshot end ${endOffset} beyond applied ${this.appliedEnd}`));
    return new Promise((resolve) => {
      this.snapshots.push({ endOffset, data, resolve });
      this.kick();
    });
  }

  /**
   * Stops ticking; a leader first resigns and gives its EndQuorumEpoch notices up to 200 ms to
   * leave, so the others elect without waiting out a fetch timeout. Then stops networking, lets
   * an in-flight persist finish and closes the disk.
   */
  stop(): Promise<void> {
    this.isStopping = true;
    this.stopped ??= this.shutDown();
    return this.stopped;
  }

  private async shutDown(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    if (this.raft?.role === 'leader' && !this.hasFailed) await this.handOver();
    this.isStopped = true;
    await this.transport?.stop();
    await this.loop;
    await this.disk?.close();
    for (const p of this.proposals) p.resolve(this.notLeader());
    for (const s of this.snapshots) s.resolve();
    this.snapshots = [];
    for (const w of this.waiters.values()) w.reject(new Error('RaftNode stopped before the proposal committed; it may still commit'));
    this.proposals = [];
    this.waiters.clear();
  }

  /** Waits until the loop has fed a resign and sent what it caused, then for the sockets. */
  private async handOver(): Promise<void> {
    const deadline = Date.now() + HANDOVER_MS_MAX;
    this.isResignRequested = true;
    this.kick();
    while ((this.isResignRequested || this.isRunning) && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.loop, new Promise((resolve) => (timer = setTimeout(resolve, deadline - Date.now())))]);
      clearTimeout(timer);
    }
    await this.transport?.drain(Math.max(0, deadline - Date.now()));
  }

  /** DescribeQuorum (API 55) on the leader, times in epoch ms; null unless this node leads. */
  describeQuorum(): QuorumInfo | null {
    const d = this.core().describeQuorum();
    // Core tick n is the timer's n-th tick; its time follows from the latest one's.
    return d === null ? null : toQuorumInfo(d, (tick) => Math.round(this.lastTimerTickMs - (this.timerTicks - tick) * this.tickMs));
  }

  private get tickMs(): number {
    return this.options.tickMs ?? DEFAULT_TICK_MS;
  }

  /** Not among the configured voters: replicates, never votes. Known before start(). */
  get isObserver(): boolean {
    return !this.options.config.voters.includes(this.options.config.nodeId);
  }
  /** End offset of what onCommit/onSnapshot has been given. */
  get appliedOffset(): number {
    return this.appliedEnd;
  }
  get role(): Role {
    return this.core().role;
  }
  get epoch(): number {
    return this.core().epoch;
  }
  get leaderId(): number {
    return this.core().leaderId;
  }
  get highWatermark(): number {
    return this.core().highWatermark;
  }
  /** Read-only view of the core's log (between loop passes it matches the durable log). */
  get log(): ReadonlyRaftLog {
    return this.core().log;
  }

  private core(): Raft {
    assert(this.raft !== null, 'RaftNode not started');
    return this.raft;
  }

  private notLeader(): NotLeader {
    return { kind: 'not-leader', leaderId: this.raft?.leaderId ?? -1 };
  }

  private receive(m: RaftMessage): void {
    if (this.inbox.length >= INBOX_MAX) return; // the sender retries
    this.inbox.push(m);
    this.kick();
  }

  private kick(): void {
    if (this.isRunning || this.isStopped) return;
    this.isRunning = true;
    this.loop = this.run().then(
      () => {
        this.isRunning = false;
      },
      (err: unknown) => {
        // A failed write or a broken invariant: this voter cannot go on safely.
        this.logger.error({ err }, 'raft loop failed; stopping node');
        this.hasFailed = true;
        this.isRunning = false;
        void this.stop();
      },
    );
  }

  private async run(): Promise<void> {
    const raft = this.core();
    while (!this.isStopped) {
      const fedSnapshots = this.feed(raft);
      if (!raft.hasReady()) {
        this.reportRole(raft);
        for (const s of fedSnapshots) s.resolve();
        return;
      }
      const ready = raft.ready();
      await this.disk!.persist(ready);
      if (this.isStopped) return; // persisted but not acknowledged: a restart re-reads it.
      this.reportRole(raft);
      for (const m of ready.messages) this.transport!.send(m);
      await this.apply(ready);
      raft.advance();
      for (const s of fedSnapshots) s.resolve();
    }
  }

  private reportRole(raft: Raft): void {
    const key = `${raft.role}/${raft.leaderId}/${raft.epoch}`;
    if (key === this.reportedRole) return;
    this.reportedRole = key;
    this.options.onRoleChange?.(raft.role, raft.leaderId, raft.epoch);
  }

  /** Hands queued inputs to the core; returns the snapshot requests whose ready is next. */
  private feed(raft: Raft): SnapshotRequest[] {
    for (; this.pendingTicks > 0; this.pendingTicks--) raft.tick();
    const snapshots = this.snapshots;
    this.snapshots = [];
    for (const s of snapshots) {
      // An installed snapshot may have moved the log start past it meanwhile: nothing to do.
      if (s.endOffset > raft.log.startOffset) raft.snapshot(s.endOffset, s.data);
    }
    const inbox = this.inbox;
    this.inbox = [];
    for (const m of inbox) raft.step(m);
    if (this.isResignRequested) {
      this.isResignRequested = false;
      raft.resign();
    }
    const proposals = this.proposals;
    this.proposals = [];
    for (const p of proposals) {
      const offset = raft.propose(p.data);
      if (offset === null) p.resolve(this.notLeader());
      else this.waiters.set(offset, { epoch: raft.epoch, resolve: p.resolve, reject: p.reject });
    }
    return snapshots;
  }

  private async apply(ready: Ready): Promise<void> {
    if (ready.applySnapshot !== null) {
      await this.options.onSnapshot?.(ready.applySnapshot);
      this.appliedEnd = Math.max(this.appliedEnd, ready.applySnapshot.id.endOffset);
      // Whatever waited below the snapshot's end is decided there; we cannot tell how.
      for (const [offset, w] of this.waiters) {
        if (offset < ready.applySnapshot.id.endOffset) {
          this.waiters.delete(offset);
          w.resolve(this.notLeader());
        }
      }
    }
    if (ready.committed.length === 0) return;
    await this.options.onCommit?.(ready.committed);
    this.appliedEnd = Math.max(this.appliedEnd, ready.committed[ready.committed.length - 1]!.offset + 1);
    for (const e of ready.committed) {
      const w = this.waiters.get(e.offset);
      if (w === undefined) continue;
      this.waiters.delete(e.offset);
      w.resolve(e.epoch === w.epoch && !e.isControl ? e.offset : this.notLeader());
    }
  }
}
