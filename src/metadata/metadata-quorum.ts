// The cluster metadata log on Raft (KRaft's __cluster_metadata-0): every node runs a RaftNode,
// as a voter (controllers) or an observer (broker-only nodes), replays the committed entries into
// its MetadataImage and tells listeners. Only the active controller writes, through commit().
//
// An entry is one Kafka record batch whose record values are metadata records (metadata-codec),
// so one controller operation commits atomically. Snapshots are the image's records in the same
// form, taken every `metadata.log.max.record.bytes.between.snapshots` applied bytes; after one
// the log below it is dropped. The single-node default is a one-voter quorum of the same code.

import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import { buildBatch, decodeRecords } from '../protocol/records/index.js';
import { RaftNode } from '../raft/driver/raft-node.js';
import type { PeerAddress } from '../raft/driver/transport.js';
import type { Entry, RaftConfig, Role, Snapshot } from '../raft/types.js';
import { METADATA_LOG_DIR } from '../storage/log-manager.js';
import { MetadataImage } from './image.js';
import { decodeMetadataRecord, encodeMetadataRecord } from './metadata-codec.js';
import type { MetadataRecord } from './records.js';

export const METADATA_TOPIC = '__cluster_metadata';

/** What brokers read: the image, kept current by replaying committed metadata. */
export interface MetadataView {
  readonly image: MetadataImage;
  /** The offset after the last applied entry (Kafka's current metadata offset + 1). */
  readonly appliedOffset: number;
  /** The metadata quorum's leader (the active controller) as this node knows it, or -1. */
  readonly leaderId: number;
  /** Called after committed records were applied, in commit order; a snapshot passes all its records. */
  onCommit(listener: (records: MetadataRecord[]) => void): void;
  /** Resolves true once everything below `offset` is applied, false after `timeoutMs`. */
  waitForApplied(offset: number, timeoutMs: number): Promise<boolean>;
}

/** Thrown by commit() when this node is not the active controller (Kafka's NOT_CONTROLLER). */
export class NotControllerError extends Error {
  constructor(readonly leaderId: number) {
    super(`this node is not the active controller (leader ${leaderId})`);
    this.name = 'NotControllerError';
  }
}

export interface MetadataQuorumOptions {
  readonly nodeId: number;
  readonly clusterId: string;
  /** The metadata log's directory (inside the first log dir). */
  readonly logDir: string;
  readonly voters: ReadonlyMap<number, PeerAddress | null>;
  /** This voter's controller listener address when the quorum is networked. */
  readonly listen: PeerAddress | null;
  readonly electionTimeoutMs: number;
  readonly electionBackoffMaxMs: number;
  readonly fetchTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly snapshotBytes: number;
  /** The node's logger: the quorum adds component 'metadata', its Raft node component 'raft'. */
  readonly logger: Logger;
  /** Role, leader or epoch changed. */
  readonly onRoleChange?: (role: Role, leaderId: number, epoch: number) => void;
}

const TICK_MS = 50;
const LEADER_HANDOVER_WAIT_MS = 1000;
const FETCH_ENTRIES_MAX = 500;
/** The longest a leader holds a fetch it has nothing for (KRaft's fetch max wait, 500 ms). */
const FETCH_WAIT_MS = 500;
const SNAPSHOT_CHUNK_BYTES = 1 << 20;

export class RaftMetadataQuorum implements MetadataView {
  private imageValue: MetadataImage;
  private readonly raft: RaftNode;
  private readonly listeners: ((records: MetadataRecord[]) => void)[] = [];
  private readonly appliedWaiters = new Set<{ offset: number; resolve: (ok: boolean) => void }>();
  private appliedOffsetValue = 0;
  private bytesSinceSnapshot = 0;
  private isSnapshotting = false;
  /** Offset of each broker's latest RegisterBroker record (a snapshot's end stands in for older ones). */
  private readonly registrationOffsets = new Map<number, number>();
  /** The first offset of the current leader epoch once this node leads; see isActive. */
  private leaderEpochStart = -1;

  private readonly log: Logger;

  constructor(private readonly options: MetadataQuorumOptions) {
    this.log = options.logger.child({ component: 'metadata' });
    this.imageValue = new MetadataImage(options.clusterId);
    const ticks = (ms: number): number => Math.max(1, Math.round(ms / TICK_MS));
    const fetchTimeoutTicks = ticks(options.fetchTimeoutMs);
    const requestTimeoutTicks = Math.max(2, ticks(options.requestTimeoutMs));
    const config: RaftConfig = {
      nodeId: options.nodeId,
      voters: [...options.voters.keys()],
      electionTimeoutTicks: ticks(options.electionTimeoutMs),
      electionJitterTicks: ticks(options.electionBackoffMaxMs),
      fetchTimeoutTicks,
      requestTimeoutTicks,
      // Answered before the follower would resend it, and often enough to keep its fetch timeout fresh.
      fetchWaitTicks: Math.max(1, Math.min(ticks(FETCH_WAIT_MS), requestTimeoutTicks - 1, Math.floor(fetchTimeoutTicks / 2))),
      fetchEntriesMax: FETCH_ENTRIES_MAX,
      snapshotChunkBytesMax: SNAPSHOT_CHUNK_BYTES,
    };
    const peers = new Map<number, PeerAddress>();
    for (const [id, address] of options.voters) if (id !== options.nodeId && address !== null) peers.set(id, address);
    this.raft = new RaftNode({
      config,
      dataDir: options.logDir,
      listen: options.listen ?? undefined,
      peers,
      tickMs: TICK_MS,
      onCommit: (entries) => this.applyEntries(entries),
      onSnapshot: (snapshot) => this.loadSnapshot(snapshot),
      onRoleChange: (role, leaderId, epoch) => {
        if (role === 'leader') this.leaderEpochStart = this.raft.log.endOffset - 1;
        options.onRoleChange?.(role, leaderId, epoch);
      },
      logger: options.logger,
    });
  }

  static logDirIn(firstLogDir: string): string {
    return join(firstLogDir, METADATA_LOG_DIR);
  }

  async start(): Promise<void> {
    await this.raft.start();
  }

  async stop(): Promise<void> {
    await this.letFollowersLearnCommits(LEADER_HANDOVER_WAIT_MS);
    await this.raft.stop();
    for (const w of this.appliedWaiters) w.resolve(false);
    this.appliedWaiters.clear();
  }

  /**
   * A stopping leader waits (bounded) until every voter that is fetching has fetched past the
   * high watermark: the answer to that fetch tells it the entries are committed. Otherwise what
   * this leader committed last (say, the controlled shutdown of its own broker) would show on the
   * others only after they elect a new leader.
   */
  private async letFollowersLearnCommits(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const d = this.raft.describeQuorum();
      if (d === null) return;
      const lagging = d.voters.filter((v) => v.replicaId !== this.options.nodeId && v.logEndOffset < d.highWatermark && Date.now() - v.lastFetchTimestamp < 1000);
      if (lagging.length === 0) break;
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    await new Promise((r) => setTimeout(r, TICK_MS)); // the answers to those fetches leave
  }

  get image(): MetadataImage {
    return this.imageValue;
  }
  get appliedOffset(): number {
    return this.appliedOffsetValue;
  }
  get leaderId(): number {
    return this.raft.leaderId;
  }
  get epoch(): number {
    return this.raft.epoch;
  }
  get raftNode(): RaftNode {
    return this.raft;
  }
  get voterAddresses(): ReadonlyMap<number, PeerAddress | null> {
    return this.options.voters;
  }

  /**
   * Leading, and the image holds everything committed before this epoch: the controller may
   * decide from it. A new leader's earlier entries commit only with its own first entry.
   */
  get isActive(): boolean {
    return this.raft.role === 'leader' && this.leaderEpochStart >= 0 && this.appliedOffsetValue > this.leaderEpochStart;
  }

  /** Where broker `brokerId` last registered: it is caught up once it has applied this offset. */
  registrationOffset(brokerId: number): number {
    return this.registrationOffsets.get(brokerId) ?? 0;
  }

  onCommit(listener: (records: MetadataRecord[]) => void): void {
    this.listeners.push(listener);
  }

  /** Appends records as one entry; resolves with its offset once committed and applied here. */
  async commit(records: MetadataRecord[]): Promise<number> {
    if (!this.isActive) throw new NotControllerError(this.raft.leaderId);
    const batch = buildBatch({ records: records.map((r) => ({ value: encodeMetadataRecord(r), timestamp: Date.now() })) });
    const result = await this.raft.propose(batch);
    if (typeof result !== 'number') throw new NotControllerError(result.leaderId);
    return result;
  }

  waitForApplied(offset: number, timeoutMs: number): Promise<boolean> {
    if (this.appliedOffsetValue >= offset) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        offset,
        resolve: (ok: boolean) => {
          clearTimeout(timer);
          this.appliedWaiters.delete(waiter);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
      this.appliedWaiters.add(waiter);
    });
  }

  private applyEntries(entries: readonly Entry[]): void {
    const applied: MetadataRecord[] = [];
    for (const entry of entries) {
      if (!entry.isControl && entry.data.length > 0) {
        for (const rec of decodeRecords(entry.data).records) {
          const m = rec.value ? decodeMetadataRecord(rec.value) : null;
          if (m === null) continue;
          this.imageValue.apply(m);
          if (m.type === 'RegisterBroker') this.registrationOffsets.set(m.brokerId, entry.offset);
          applied.push(m);
        }
        this.bytesSinceSnapshot += entry.data.length;
      }
      this.appliedOffsetValue = entry.offset + 1;
    }
    this.notify(applied);
    this.maybeSnapshot();
  }

  private loadSnapshot(snapshot: Snapshot): void {
    const image = new MetadataImage(this.options.clusterId);
    const records = snapshot.data.length === 0 ? [] : decodeSnapshot(snapshot.data);
    for (const r of records) image.apply(r);
    this.imageValue = image;
    this.registrationOffsets.clear();
    for (const id of image.brokers.keys()) this.registrationOffsets.set(id, snapshot.id.endOffset - 1);
    this.appliedOffsetValue = snapshot.id.endOffset;
    this.bytesSinceSnapshot = 0;
    this.log.info({ endOffset: snapshot.id.endOffset, records: records.length }, 'metadata snapshot loaded');
    this.notify(records);
  }

  private notify(records: MetadataRecord[]): void {
    for (const w of [...this.appliedWaiters]) if (this.appliedOffsetValue >= w.offset) w.resolve(true);
    if (records.length === 0) return;
    for (const l of this.listeners) l(records);
  }

  private maybeSnapshot(): void {
    if (this.isSnapshotting || this.bytesSinceSnapshot < this.options.snapshotBytes) return;
    this.isSnapshotting = true;
    const endOffset = this.appliedOffsetValue;
    const data = buildBatch({ records: this.imageValue.toRecords().map((r) => ({ value: encodeMetadataRecord(r), timestamp: Date.now() })) });
    this.bytesSinceSnapshot = 0;
    // After this onCommit call returns: the driver counts the entries as applied only then, and
    // takes the snapshot between loop passes.
    setImmediate(() => this.writeSnapshot(endOffset, data));
  }

  private writeSnapshot(endOffset: number, data: Buffer): void {
    this.raft.snapshot(endOffset, data).then(
      () => {
        this.isSnapshotting = false;
        this.log.info({ endOffset, bytes: data.length }, 'metadata snapshot written');
      },
      (err: unknown) => {
        this.isSnapshotting = false;
        this.log.warn({ err }, 'metadata snapshot failed');
      },
    );
  }
}

function decodeSnapshot(data: Buffer): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  for (const rec of decodeRecords(data).records) {
    const m = rec.value ? decodeMetadataRecord(rec.value) : null;
    if (m !== null) out.push(m);
  }
  return out;
}
