// One partition replica hosted by this broker: its log, producer state, leadership (leader id
// and epoch, replicas, ISR, from the metadata image) and high watermark. Consumers read below
// the high watermark only.
//
// As leader it tracks each follower's log end offset and when it was last caught up (Kafka's
// rule: a fetch from at least the leader's end offset at the previous fetch proves the follower
// was caught up then); the high watermark is the smallest log end offset over the ISR and never
// goes backwards. Which followers should leave or join the ISR is decided here; the broker asks
// the controller (AlterPartition) and the change arrives back through the metadata image.
// While an expansion may be committed but is not yet known here, the high watermark counts the
// joining followers too (Kafka's "maximal ISR"): once committed, a joiner can be elected leader
// or be the replica a reassignment keeps, so it must already hold every acknowledged record.
// As follower it appends the leader's batches as they are and takes the leader's high watermark.
// Log changes notify waiters (delayed fetches and acks=-1 produces) so they complete at once.

import type { Logger } from '../common/logger.js';
import { ErrorCode } from '../protocol/errors.js';
import type { PartitionLog } from '../storage/index.js';
import { ProducerStateTable } from '../txn/producer-state.js';
import { BASE_SEQUENCE_OFFSET, LAST_OFFSET_DELTA_OFFSET, PRODUCER_EPOCH_OFFSET, PRODUCER_ID_OFFSET, RECORD_BATCH_OVERHEAD, batchSizeAt, readInt64 } from '../protocol/records/batch-header.js';

export interface LeaderAndIsr {
  leaderId: number;
  leaderEpoch: number;
  partitionEpoch: number;
  replicas: number[];
  isr: number[];
}

export type AppendOutcome =
  | { errorCode: 0; baseOffset: number; logAppendTimeMs: number; isDuplicate: boolean }
  | { errorCode: number; message: string };

export interface BatchForAppend {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
}

/** What the leader knows of one follower. */
interface FollowerProgress {
  logEndOffset: number;
  lastFetchMs: number;
  /** The leader's log end offset at the follower's previous fetch. */
  lastFetchLeaderLogEndOffset: number;
  lastCaughtUpMs: number;
}

export class Partition {
  readonly producers = new ProducerStateTable();
  private readonly appendWaiters = new Set<() => void>();
  private stateValue: LeaderAndIsr;
  highWatermark: number;
  private followers = new Map<number, FollowerProgress>();
  /** The log end offset when this broker became leader in the current epoch. */
  private leaderEpochStartOffset = 0;
  /** An AlterPartition for this partition is in flight: propose no other ISR change. */
  isrChangeInFlight = false;
  /**
   * Followers asked to join the ISR whose fate is unknown: the request is in flight, timed out,
   * or lost a race with another change. Cleared by the answer or by the next partition epoch.
   */
  private joining: number[] = [];

  constructor(
    readonly topic: string,
    readonly topicId: string,
    readonly index: number,
    readonly log: PartitionLog,
    state: LeaderAndIsr,
    private readonly localBrokerId: number,
    private readonly logger: Logger,
    nowMs: number,
    /** Told of each ISR change this broker sees as leader (Kafka's IsrShrinks/IsrExpands). */
    private readonly onIsrChange: (shrunk: boolean, expanded: boolean) => void = () => {},
  ) {
    this.stateValue = state;
    // The checkpointed high watermark, if any: a leader raises it again as its ISR confirms.
    this.highWatermark = Math.min(log.highWatermark ?? log.logEndOffset, log.logEndOffset);
    log.highWatermark = this.highWatermark;
    this.rebuildProducerState(nowMs);
    if (this.isLeader) {
      this.logLeadership(null);
      this.becomeLeader(nowMs);
    }
  }

  /**
   * One info line per ISR change, on the leader: its own AlterPartition (with the reason it asked)
   * or a change the controller made. The same ISR arriving again through the image logs nothing.
   */
  private logIsrChange(prev: LeaderAndIsr, reason: string): void {
    const { isr } = this.stateValue;
    const removed = prev.isr.filter((id) => !isr.includes(id));
    const added = isr.filter((id) => !prev.isr.includes(id));
    if (removed.length === 0 && added.length === 0) return;
    this.onIsrChange(removed.length > 0, added.length > 0);
    const msg = added.length === 0 ? 'ISR shrunk' : removed.length === 0 ? 'ISR expanded' : 'ISR changed';
    this.logger.info({ topic: this.topic, partition: this.index, leaderEpoch: this.stateValue.leaderEpoch, isr, previousIsr: prev.isr, reason }, msg);
  }

  /** One info line on the broker that gains or loses the leadership; a follower's new leader is debug. */
  private logLeadership(prev: LeaderAndIsr | null): void {
    const next = this.stateValue;
    const fields = { topic: this.topic, partition: this.index, leaderEpoch: next.leaderEpoch, leaderId: next.leaderId, previousLeaderId: prev?.leaderId ?? null, brokerId: this.localBrokerId };
    if (this.isLeader) this.logger.info({ ...fields, isr: next.isr }, 'became partition leader');
    else if (prev?.leaderId === this.localBrokerId) this.logger.info(fields, 'no longer partition leader');
    else this.logger.debug(fields, 'partition leader changed');
  }

  get state(): LeaderAndIsr {
    return this.stateValue;
  }

  get isLeader(): boolean {
    return this.stateValue.leaderId === this.localBrokerId;
  }

  /**
   * Adopts the partition's state from the metadata image (or an AlterPartition answer). A new
   * leader epoch led by this broker starts the leader's bookkeeping; any other new epoch drops
   * it. Waiters are woken either way: a produce waiting for acks=-1 must fail on a leader change.
   */
  setState(next: LeaderAndIsr, nowMs: number, isrChangeReason = 'metadata update'): void {
    const prev = this.stateValue;
    // An image that has not yet replayed the AlterPartition answer applied here is older.
    if (next.leaderEpoch === prev.leaderEpoch && next.partitionEpoch < prev.partitionEpoch) return;
    this.stateValue = next;
    if (next.partitionEpoch !== prev.partitionEpoch || next.leaderEpoch !== prev.leaderEpoch) this.joining = [];
    if (next.leaderEpoch !== prev.leaderEpoch || next.leaderId !== prev.leaderId) {
      this.logLeadership(prev);
      if (this.isLeader) this.becomeLeader(nowMs);
      else this.followers.clear();
      this.isrChangeInFlight = false;
    } else if (this.isLeader) {
      this.logIsrChange(prev, isrChangeReason);
      for (const id of next.replicas) if (id !== this.localBrokerId && !this.followers.has(id)) this.followers.set(id, freshFollower(nowMs));
      this.maybeAdvanceHighWatermark();
    }
    this.notifyAppend();
  }

  private becomeLeader(nowMs: number): void {
    const epoch = this.stateValue.leaderEpoch;
    if (this.log.leaderEpochs.latestEpoch() < epoch) this.log.leaderEpochs.assign(epoch, this.log.logEndOffset);
    this.leaderEpochStartOffset = this.log.logEndOffset;
    this.followers = new Map();
    // Followers in the ISR count as caught up now, so they are not dropped before they can fetch.
    for (const id of this.stateValue.replicas) if (id !== this.localBrokerId) this.followers.set(id, freshFollower(nowMs));
    this.maybeAdvanceHighWatermark();
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  /**
   * Appends one validated batch as leader: checks idempotence sequencing, assigns offsets,
   * writes, advances the high watermark and wakes delayed fetches.
   */
  appendAsLeader(batch: Buffer, info: BatchForAppend, nowMs: number, logAppendTime: boolean): AppendOutcome {
    const check = this.producers.check(info);
    if (check.kind === 'error') return { errorCode: check.errorCode, message: check.message };
    if (check.kind === 'duplicate') {
      return { errorCode: ErrorCode.NONE, baseOffset: check.firstOffset, logAppendTimeMs: -1, isDuplicate: true };
    }
    const appended = this.log.appendAsLeader(batch, this.stateValue.leaderEpoch, nowMs, { logAppendTime });
    this.producers.update(info, appended.firstOffset, nowMs);
    if (!this.maybeAdvanceHighWatermark()) this.notifyAppend(); // followers long-poll for new data
    return { errorCode: ErrorCode.NONE, baseOffset: appended.firstOffset, logAppendTimeMs: appended.logAppendTimeMs, isDuplicate: false };
  }

  /** This broker no longer hosts the replica: waiters (acks=-1 produces) fail at once. */
  relinquish(): void {
    const prev = this.stateValue;
    this.stateValue = { ...prev, leaderId: -1, leaderEpoch: prev.leaderEpoch + 1 };
    if (prev.leaderId === this.localBrokerId) {
      // The epoch above is local bookkeeping; the line gives the last one this broker led.
      const fields = { topic: this.topic, partition: this.index, leaderEpoch: prev.leaderEpoch, brokerId: this.localBrokerId, reason: 'replica removed from this broker' };
      this.logger.info(fields, 'no longer partition leader');
    }
    this.followers.clear();
    this.notifyAppend();
  }

  /**
   * Leader: a follower fetched from `fetchOffset`, so its log matches ours below it. Updates its
   * progress and the high watermark.
   */
  onFollowerFetch(brokerId: number, fetchOffset: number, nowMs: number): void {
    let f = this.followers.get(brokerId);
    if (f === undefined) this.followers.set(brokerId, (f = freshFollower(nowMs)));
    const leaderEnd = this.log.logEndOffset;
    if (fetchOffset >= leaderEnd) f.lastCaughtUpMs = nowMs;
    else if (fetchOffset >= f.lastFetchLeaderLogEndOffset) f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, f.lastFetchMs);
    f.logEndOffset = fetchOffset;
    f.lastFetchMs = nowMs;
    f.lastFetchLeaderLogEndOffset = leaderEnd;
    this.maybeAdvanceHighWatermark();
  }

  /** The ISR with the followers whose joining is not settled: what the high watermark waits for. */
  get maximalIsr(): number[] {
    return this.joining.length === 0 ? this.stateValue.isr : [...this.stateValue.isr, ...this.joining];
  }

  /** Leader: an expansion to these followers is being asked for. */
  markJoining(ids: number[]): void {
    for (const id of ids) if (!this.joining.includes(id) && !this.stateValue.isr.includes(id)) this.joining.push(id);
  }

  /** Leader: the controller answered, so the ISR it holds is the one in `state`. */
  settleJoining(): void {
    this.joining = [];
    this.maybeAdvanceHighWatermark();
  }

  /** Leader: maximal-ISR followers that have not been caught up for `lagMaxMs` (replica.lag.time.max.ms). */
  laggingIsrMembers(nowMs: number, lagMaxMs: number): number[] {
    return this.maximalIsr.filter((id) => {
      if (id === this.localBrokerId) return false;
      const f = this.followers.get(id);
      return f === undefined || nowMs - f.lastCaughtUpMs > lagMaxMs;
    });
  }

  /** Leader: followers outside the ISR that hold everything committed and this epoch's start. */
  caughtUpOutsideIsr(): number[] {
    const floor = Math.max(this.highWatermark, this.leaderEpochStartOffset);
    return this.stateValue.replicas.filter((id) => {
      if (id === this.localBrokerId || this.stateValue.isr.includes(id)) return false;
      const f = this.followers.get(id);
      return f !== undefined && f.logEndOffset >= floor;
    });
  }

  /**
   * Leader: the high watermark is the smallest log end offset over the ISR (this broker's own
   * log end included) and never goes backwards. Returns whether it moved.
   */
  private maybeAdvanceHighWatermark(): boolean {
    if (!this.isLeader) return false;
    let candidate = this.log.logEndOffset;
    for (const id of this.maximalIsr) {
      if (id === this.localBrokerId) continue;
      const f = this.followers.get(id);
      candidate = Math.min(candidate, f === undefined ? -1 : f.logEndOffset);
    }
    return this.raiseHighWatermark(candidate);
  }

  private raiseHighWatermark(candidate: number): boolean {
    if (candidate <= this.highWatermark) return false;
    this.highWatermark = candidate;
    this.log.highWatermark = candidate; // retention and DeleteRecords never pass it
    this.notifyAppend();
    return true;
  }

  /**
   * Follower: appends batches fetched from the leader (offsets and epochs as the leader wrote
   * them), learns the producers in them (a follower may become leader and must then recognise
   * an idempotent producer's retries) and takes the leader's high watermark up to its own end.
   */
  appendAsFollower(records: Buffer, leaderHighWatermark: number, nowMs: number): number {
    let appended = 0;
    if (records.length > 0) {
      const from = this.log.logEndOffset;
      const result = this.log.appendBatchesAsFollower(records, nowMs);
      if (result.lastOffset >= 0) {
        appended = result.lastOffset + 1 - from;
        // From the bytes in hand, not read back from the segment: no syscall per fetch.
        forEachBatchHeader(records, result.lastOffset, (buf, pos) => this.learnProducer(buf, pos, nowMs));
      }
    }
    const hw = Math.min(leaderHighWatermark, this.log.logEndOffset);
    if (!this.raiseHighWatermark(hw) && appended > 0) this.notifyAppend();
    return appended;
  }

  /** Follower: drops the log from `offset` (divergence after a leader change). */
  truncateTo(offset: number, nowMs: number): void {
    if (!this.log.truncateTo(offset)) return;
    if (this.highWatermark > offset) {
      this.highWatermark = offset;
      this.log.highWatermark = offset;
    }
    this.producers.clear();
    this.rebuildProducerState(nowMs);
  }

  /** Follower: the leader's log starts past our end; restart our log there, empty. */
  resetTo(offset: number, nowMs: number): void {
    this.log.truncateFullyAndStartAt(offset);
    this.highWatermark = offset;
    this.log.highWatermark = offset;
    this.producers.clear();
    this.rebuildProducerState(nowMs);
  }

  onAppend(waiter: () => void): () => void {
    this.appendWaiters.add(waiter);
    return () => this.appendWaiters.delete(waiter);
  }

  private notifyAppend(): void {
    if (this.appendWaiters.size === 0) return;
    const waiters = [...this.appendWaiters];
    this.appendWaiters.clear();
    for (const w of waiters) w();
  }

  /** DeleteRecords: moves the log start offset; never past the high watermark. */
  deleteRecordsBefore(offset: number): { errorCode: number; lowWatermark: number } {
    const target = offset === -1 ? this.highWatermark : offset;
    if (target < 0 || target > this.highWatermark) {
      return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: this.log.logStartOffset };
    }
    if (target > this.log.logStartOffset) this.log.deleteRecordsBefore(target);
    return { errorCode: ErrorCode.NONE, lowWatermark: this.log.logStartOffset };
  }

  /** Producer state is rebuilt from batch headers on start-up: no record is decoded. */
  private rebuildProducerState(nowMs: number): void {
    const batches = this.learnProducers(this.log.logStartOffset, nowMs);
    if (batches > 0) {
      this.logger.debug({ topic: this.topic, partition: this.index, producers: this.producers.size, batches }, 'producer state rebuilt');
    }
  }

  /** Feeds the producer batches from `fromOffset` on into the producer state; returns their count. */
  private learnProducers(fromOffset: number, nowMs: number): number {
    let batches = 0;
    this.log.scanBatchHeaders(fromOffset, (buf, pos) => {
      if (this.learnProducer(buf, pos, nowMs)) batches++;
    });
    return batches;
  }

  /** Feeds one batch header into the producer state; false for a batch without a producer. */
  private learnProducer(buf: Buffer, pos: number, nowMs: number): boolean {
    const producerId = readInt64(buf, pos + PRODUCER_ID_OFFSET);
    if (producerId < 0) return false;
    const info = {
      producerId,
      producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH_OFFSET),
      baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE_OFFSET),
      lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET),
    };
    this.producers.update(info, readInt64(buf, pos), nowMs);
    return true;
  }
}

/** Visits the header of each whole batch in `records` whose base offset is at most `lastOffset`. */
function forEachBatchHeader(records: Buffer, lastOffset: number, visit: (buf: Buffer, pos: number) => void): void {
  for (let pos = 0; pos + RECORD_BATCH_OVERHEAD <= records.length; ) {
    const size = batchSizeAt(records, pos);
    if (size < RECORD_BATCH_OVERHEAD || pos + size > records.length || readInt64(records, pos) > lastOffset) return;
    visit(records, pos);
    pos += size;
  }
}

function freshFollower(nowMs: number): FollowerProgress {
  return { logEndOffset: -1, lastFetchMs: nowMs, lastFetchLeaderLogEndOffset: -1, lastCaughtUpMs: nowMs };
}
