// The shell around the pure Raft core: the only code here that awaits. It loads RaftDisk, builds
// the core, ticks it on a timer, and feeds it received messages and proposals. One loop owns the
// core: it drains queued inputs into it, then takes ready(), persists and fsyncs it, and only
// then sends the messages, hands committed entries to `onCommit` and calls advance(). Inputs that
// arrive meanwhile wait in bounded queues, because the core takes no input between ready() and
// advance(). A proposal resolves when its offset commits with the epoch it was appended in, and
// with NotLeader when this node does not lead or the entry was replaced by another leader's.

import { assert } from '../../common/assert.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import { Raft, type ReadonlyRaftLog } from '../raft.js';
import type { Entry, RaftConfig, RaftMessage, Random, Ready, Role, Snapshot } from '../types.js';
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
  readonly listen: PeerAddress;
  /** Every other voter's address. */
  readonly peers: ReadonlyMap<number, PeerAddress>;
  /** Wall time per core tick; the config's tick counts are multiples of it. */
  readonly tickMs?: number;
  /** Committed entries in offset order, control entries (isControl) included. */
  readonly onCommit?: (entries: readonly Entry[]) => void | Promise<void>;
  /** A snapshot from the leader replaces the state machine's state. */
  readonly onSnapshot?: (snapshot: Snapshot) => void | Promise<void>;
  readonly random?: Random;
  readonly logger?: Logger;
}

const DEFAULT_TICK_MS = 50;
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
  private isStopped = false;
  /** The loop's current pass, so stop() can wait for its disk writes to finish. */
  private loop: Promise<void> = Promise.resolve();
  private readonly logger: Logger;

  constructor(private readonly options: RaftNodeOptions) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'raft', nodeId: options.config.nodeId });
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
    this.timer = setInterval(() => {
      this.pendingTicks++;
      this.kick();
    }, this.options.tickMs ?? DEFAULT_TICK_MS);
    this.kick();
  }

  /**
   * Appends `data` if this node leads; resolves with its offset once committed, or NotLeader if
   * it was not appended or another leader's entry took its offset. Rejects if the node stops
   * first (the entry may still commit) or the proposal queue is full.
   */
  propose(data: Buffer): Promise<number | NotLeader> {
    if (this.raft === null || this.isStopped) return Promise.reject(new Error('RaftNode is not running'));
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
    if (this.raft === null || this.isStopped) return Promise.reject(new Error('RaftNode is not running'));
    if (endOffset > this.appliedEnd) return Promise.reject(new RangeError(`snapshot end ${endOffset} beyond applied ${this.appliedEnd}`));
    return new Promise((resolve) => {
      this.snapshots.push({ endOffset, data, resolve });
      this.kick();
    });
  }

  /** Stops ticking and networking, lets an in-flight persist finish, closes the disk. */
  async stop(): Promise<void> {
    if (this.isStopped) return;
    this.isStopped = true;
    if (this.timer !== null) clearInterval(this.timer);
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
        for (const s of fedSnapshots) s.resolve();
        return;
      }
      const ready = raft.ready();
      await this.disk!.persist(ready);
      if (this.isStopped) return; // persisted but not acknowledged: a restart re-reads it.
      for (const m of ready.messages) this.transport!.send(m);
      await this.apply(ready);
      raft.advance();
      for (const s of fedSnapshots) s.resolve();
    }
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
