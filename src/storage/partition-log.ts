// The log of one partition replica (Kafka's UnifiedLog/LocalLog): an ordered list of segments, the
// log start and end offsets, the recovery point, the leader epoch cache, and the policies that act
// on segments (roll, retention, DeleteRecords, truncation, flush).
//
// Batches stay bytes: appends patch the header in place and write it; reads return whole batches
// copied from the file. Invariants: segments are sorted and non-empty as a list, the last one is
// active and takes every append; logStartOffset ≤ logEndOffset; recoveryPoint ≤ logEndOffset and
// everything below it has been fdatasynced. Time enters as `nowMs` arguments; there are no timers.
// An I/O error thrown from here leaves the log unusable, as in Kafka, where the log dir goes offline.

import { assert } from '../common/assert.js';
import type { Logger } from '../common/logger.js';
import {
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA_OFFSET,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  RECORD_BATCH_OVERHEAD,
  batchSizeAt,
  baseOffsetOf,
  lastOffsetOf,
  readInt64,
  writeInt64,
} from '../protocol/records/batch-header.js';
import { setLogAppendTime } from '../protocol/records/patch.js';
import { INT32_MAX, checkFollowerBatches } from './batch-scan.js';
import type { EpochEntry } from './checkpoint.js';
import type { LogConfig } from './config.js';
import { OffsetOutOfRangeError, RecordBatchTooLargeError } from './errors.js';
import { nodeStorageFs, type StorageFs } from './file.js';
import { LEADER_EPOCH_CHECKPOINT_FILE, LeaderEpochCache, type EpochEndOffset } from './leader-epoch-cache.js';
import { loadLog, type LoadOptions } from './log-loader.js';
import { EMPTY_READ, readFrom, type ReadResult } from './log-read.js';
import * as search from './log-search.js';
import { partitionDirName } from './partition-dir.js';
import { LogSegment } from './segment.js';

export interface AppendResult {
  firstOffset: number;
  lastOffset: number;
}

export interface LeaderAppendResult extends AppendResult {
  /** The timestamp given to the batch under LogAppendTime, else -1. */
  logAppendTimeMs: number;
}

export interface RetentionResult {
  deletedSegments: number;
  newLogStartOffset: number;
}

/** The leader epoch cache as the replication layer sees it (KIP-101). */
export interface LeaderEpochs {
  assign(epoch: number, startOffset: number): void;
  latestEpoch(): number;
  /** OffsetForLeaderEpoch: where `epoch` ended, by this log (see LeaderEpochCache.endOffsetFor). */
  endOffsetFor(epoch: number): EpochEndOffset;
  /** The epoch whose range holds `offset`, or -1 when unknown (ListOffsets EARLIEST's leaderEpoch). */
  epochForOffset(offset: number): number;
  entries(): readonly EpochEntry[];
}

export interface PartitionLogOptions extends LoadOptions {
  fs?: StorageFs;
}

export class PartitionLog {
  #logStartOffset: number;
  #recoveryPoint: number;
  /** Set by replication; retention never deletes past it. null: not tracked, the log end counts. */
  highWatermark: number | null = null;
  readonly leaderEpochs: LeaderEpochs;
  private segments: LogSegment[];
  private readonly epochCache: LeaderEpochCache;
  private pendingDeletes: { paths: string[]; dueMs: number | null }[] = [];
  private lastFlushMs: number | null = null;
  private flushInFlight: Promise<void> | null = null;
  private flushQueued: Promise<void> | null = null;
  /** Bumped by every truncation: a flush that began before one must not advance the recovery point. */
  private truncations = 0;
  private isDirDirty = false;
  /** A segment rolled since the last flush: flush it, as Kafka does after a roll, so recovery stays short. */
  private hasRolledSinceFlush = false;

  private constructor(
    readonly dir: string,
    readonly topic: string,
    readonly partition: number,
    private config: LogConfig,
    private readonly logger: Logger,
    private readonly fs: StorageFs,
    opts: LoadOptions,
  ) {
    this.epochCache = new LeaderEpochCache(fs, `${dir}/${LEADER_EPOCH_CHECKPOINT_FILE}`);
    const loaded = loadLog({ fs, dir, config, logger, leaderEpochs: this.epochCache }, opts);
    this.segments = loaded.segments;
    this.#logStartOffset = loaded.logStartOffset;
    this.#recoveryPoint = loaded.recoveryPoint;
    this.leaderEpochs = {
      assign: (epoch, startOffset) => void this.epochCache.assign(epoch, startOffset),
      latestEpoch: () => this.epochCache.latestEpoch(),
      endOffsetFor: (epoch) => this.epochCache.endOffsetFor(epoch, this.logEndOffset),
      epochForOffset: (offset) => this.epochCache.epochForOffset(offset),
      entries: () => this.epochCache.all,
    };
  }

  /** Opens (creating if needed) `<logDir>/<topic>-<partition>` and loads or recovers it. */
  static open(
    logDir: string,
    topic: string,
    partition: number,
    config: LogConfig,
    logger: Logger,
    opts: PartitionLogOptions,
  ): PartitionLog {
    const dir = `${logDir}/${partitionDirName(topic, partition)}`;
    const log = new PartitionLog(dir, topic, partition, config, logger.child({ topic, partition }), opts.fs ?? nodeStorageFs, opts);
    log.logger.debug({ logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset, segments: log.segmentCount }, 'loaded log');
    return log;
  }

  /** The first offset a fetch may ask for (DeleteRecords and retention move it up). */
  get logStartOffset(): number {
    return this.#logStartOffset;
  }

  /** Everything below this offset has been fdatasynced. */
  get recoveryPoint(): number {
    return this.#recoveryPoint;
  }

  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  get size(): number {
    let total = 0;
    for (const segment of this.segments) total += segment.size;
    return total;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Base offsets of the segments, oldest first (for tests and tools). */
  get segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  get unflushedMessages(): number {
    return this.logEndOffset - this.#recoveryPoint;
  }

  updateConfig(config: LogConfig): void {
    this.config = config;
  }

  /**
   * Appends one validated batch as leader: sets its base offset to the log end offset and its
   * partition leader epoch in place (both outside the CRC), and under LogAppendTime its timestamp
   * type and maxTimestamp (recomputing the CRC, as Kafka's setMaxTimestamp does). Rolls first when
   * the active segment is full; one write call.
   */
  appendAsLeader(batch: Buffer, leaderEpoch: number, nowMs: number, opts?: { logAppendTime?: boolean }): LeaderAppendResult {
    assert(batch.length >= RECORD_BATCH_OVERHEAD && batchSizeAt(batch, 0) === batch.length, 'appendAsLeader takes exactly one batch');
    assert(batch[MAGIC_OFFSET] === CURRENT_MAGIC, 'appendAsLeader takes a v2 batch');
    assert(batch.readInt32BE(LAST_OFFSET_DELTA_OFFSET) >= 0, 'appendAsLeader takes a batch with records');
    if (batch.length > this.config.segmentBytes) throw new RecordBatchTooLargeError(batch.length, this.config.segmentBytes);
    const firstOffset = this.logEndOffset;
    writeInt64(batch, 0, firstOffset);
    batch.writeInt32BE(leaderEpoch, PARTITION_LEADER_EPOCH_OFFSET);
    let logAppendTimeMs = -1;
    if (opts?.logAppendTime) {
      setLogAppendTime(batch, 0, nowMs);
      logAppendTimeMs = nowMs;
    }
    const lastOffset = lastOffsetOf(batch, 0);
    const maxTimestamp = readInt64(batch, MAX_TIMESTAMP_OFFSET);
    let segment = this.active;
    const rollReason = this.rollReason(segment, batch.length, maxTimestamp, lastOffset, nowMs);
    if (rollReason !== null) segment = this.roll(nowMs, firstOffset, rollReason);
    const position = segment.size;
    segment.file.append(batch);
    segment.noteBatch(position, batch.length, firstOffset, lastOffset, maxTimestamp, this.config.indexIntervalBytes);
    segment.lastModifiedMs = nowMs;
    if (leaderEpoch >= 0) this.epochCache.assign(leaderEpoch, firstOffset);
    return { firstOffset, lastOffset, logAppendTimeMs };
  }

  /**
   * Appends batches fetched from the leader, offsets already assigned. Every batch is checked
   * (length, magic, CRC, growing offsets) before anything is written; a trailing partial batch is
   * ignored, as Kafka's fetch response may end with one. Batches between rolls go out in one write.
   */
  appendBatchesAsFollower(records: Buffer, nowMs: number): AppendResult {
    const end = checkFollowerBatches(records, this.logEndOffset, this.config.segmentBytes);
    if (end === 0) return { firstOffset: -1, lastOffset: -1 };
    let segment = this.active;
    let groupStart = 0;
    let lastOffset = -1;
    for (let pos = 0; pos < end; ) {
      const size = batchSizeAt(records, pos);
      const baseOffset = baseOffsetOf(records, pos);
      lastOffset = lastOffsetOf(records, pos);
      const maxTimestamp = readInt64(records, pos + MAX_TIMESTAMP_OFFSET);
      const rollReason = this.rollReason(segment, size, maxTimestamp, lastOffset, nowMs);
      if (rollReason !== null) {
        writeGroup(segment, records.subarray(groupStart, pos), nowMs);
        segment = this.roll(nowMs, baseOffset, rollReason);
        groupStart = pos;
      }
      segment.noteBatch(segment.size, size, baseOffset, lastOffset, maxTimestamp, this.config.indexIntervalBytes);
      const epoch = records.readInt32BE(pos + PARTITION_LEADER_EPOCH_OFFSET);
      if (epoch >= 0) this.epochCache.assign(epoch, baseOffset);
      pos += size;
    }
    writeGroup(segment, records.subarray(groupStart, end), nowMs);
    return { firstOffset: baseOffsetOf(records, 0), lastOffset };
  }

  /**
   * Reads whole batches from the one holding `fetchOffset` (Kafka's LocalLog.read): from one
   * segment, none ending at or past `maxOffsetExclusive` (the high watermark or last stable
   * offset), at most `maxBytes` unless `minOneBatch` and the first batch is larger, in which case
   * that batch alone (KIP-74).
   */
  read(fetchOffset: number, maxBytes: number, maxOffsetExclusive: number, minOneBatch: boolean): ReadResult {
    if (fetchOffset < this.#logStartOffset || fetchOffset > this.logEndOffset) {
      throw new OffsetOutOfRangeError(fetchOffset, this.#logStartOffset, this.logEndOffset);
    }
    if (fetchOffset >= maxOffsetExclusive || fetchOffset === this.logEndOffset) return EMPTY_READ;
    for (let i = search.segmentIndexFor(this.segments, fetchOffset); i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      const from = segment.translateOffset(fetchOffset);
      if (from !== null) return readFrom(segment, from, maxBytes, maxOffsetExclusive, minOneBatch);
    }
    return EMPTY_READ;
  }

  findBatchByTimestamp(timestamp: number): search.FoundBatch | null {
    return search.findBatchByTimestamp(this.segments, this.#logStartOffset, timestamp);
  }

  maxTimestampBatch(): search.FoundBatch | null {
    return search.maxTimestampBatch(this.segments, this.#logStartOffset);
  }

  scanBatchHeaders(fromOffset: number, visit: (buf: Buffer, pos: number) => void): void {
    search.scanBatchHeaders(this.segments, fromOffset, visit);
  }

  /** Rolls the active segment if it is older than segment.ms (the tick's time-based roll). */
  maybeRoll(nowMs: number): boolean {
    const active = this.active;
    if (active.size === 0 || this.timeWaitedForRoll(active, nowMs, nowMs) <= this.config.segmentMs) return false;
    this.roll(nowMs, this.logEndOffset, 'segment.ms');
    return true;
  }

  /** Drops every offset ≥ `offset` (follower truncation). Returns whether anything was dropped. */
  truncateTo(offset: number): boolean {
    assert(offset >= 0, `truncateTo(${offset})`);
    if (offset >= this.logEndOffset) {
      // Nothing to drop from the log, but an epoch this broker opened as leader without writing
      // to it may sit at the log end; kept, the follower would report it as its last fetched
      // epoch forever and be told to truncate again at every fetch (Kafka truncates it too).
      this.epochCache.truncateFromEnd(this.logEndOffset);
      return false;
    }
    if (offset < this.segments[0]!.baseOffset) {
      this.truncateFullyAndStartAt(offset);
      return true;
    }
    const keep = this.segments.filter((s) => s.baseOffset <= offset);
    this.deleteSegmentFiles(this.segments.slice(keep.length));
    this.segments = keep;
    const active = this.active;
    const dropped = active.truncateTo(offset);
    active.nextOffset = offset;
    if (dropped !== null && dropped.baseOffset < offset) {
      this.logger.warn({ offset, batchBaseOffset: dropped.baseOffset }, 'truncated inside a batch; its earlier offsets are gone too');
    }
    this.afterTruncation(offset);
    this.#logStartOffset = Math.min(this.#logStartOffset, offset);
    this.logger.info({ offset }, 'truncated log');
    return true;
  }

  /** Deletes every segment and restarts the log, empty, at `offset`. */
  truncateFullyAndStartAt(offset: number): void {
    assert(offset >= 0, `truncateFullyAndStartAt(${offset})`);
    this.deleteSegmentFiles(this.segments);
    this.segments = [LogSegment.create(this.fs, this.dir, offset, this.config.segmentIndexBytes, null)];
    this.epochCache.clear();
    this.afterTruncation(offset);
    this.#logStartOffset = offset;
    this.logger.info({ offset }, 'truncated log fully');
  }

  /**
   * DeleteRecords: moves the log start offset up to `offset` and deletes segments wholly below it.
   * Returns the new log start offset (the partition's low watermark). The caller keeps `offset` at or
   * below the high watermark; above the log end it is out of range.
   */
  deleteRecordsBefore(offset: number): number {
    if (offset < 0 || offset > this.logEndOffset) throw new OffsetOutOfRangeError(offset, this.#logStartOffset, this.logEndOffset);
    if (offset > this.#logStartOffset) {
      this.#logStartOffset = offset;
      this.epochCache.truncateFromStart(offset);
      this.deleteSegments((_, next) => next !== undefined && next.baseOffset <= offset, 'DeleteRecords', null);
    }
    return this.#logStartOffset;
  }

  /**
   * Kafka's deleteOldSegments for cleanup.policy=delete: segments whose largest timestamp is older
   * than retention.ms, then the oldest segments while the log exceeds retention.bytes, then those
   * wholly below the log start offset. Only a prefix of segments below the high watermark goes; if
   * that is all of them the log rolls first, so the active segment can expire too.
   */
  applyRetention(nowMs: number): RetentionResult {
    const { retentionMs, retentionBytes } = this.config;
    let deletedSegments = 0;
    if (retentionMs >= 0) {
      deletedSegments += this.deleteSegments((s) => nowMs - s.largestTimestamp > retentionMs, 'retention.ms', nowMs);
    }
    const size = this.size;
    if (retentionBytes >= 0 && size >= retentionBytes) {
      let excess = size - retentionBytes;
      const isExcess = (s: LogSegment): boolean => (excess - s.size >= 0 ? ((excess -= s.size), true) : false);
      deletedSegments += this.deleteSegments(isExcess, 'retention.bytes', nowMs);
    }
    const logStart = (_: LogSegment, next: LogSegment | undefined): boolean => next !== undefined && next.baseOffset <= this.#logStartOffset;
    deletedSegments += this.deleteSegments(logStart, 'log start offset', nowMs);
    return { deletedSegments, newLogStartOffset: this.#logStartOffset };
  }

  /** Removes `.deleted` files once file.delete.delay.ms has passed since the tick that first saw them. */
  deleteExpiredFiles(nowMs: number): void {
    this.pendingDeletes = this.pendingDeletes.filter((pending) => {
      pending.dueMs ??= nowMs + this.config.fileDeleteDelayMs;
      if (nowMs < pending.dueMs) return true;
      for (const path of pending.paths) this.fs.remove(path);
      return false;
    });
  }

  /**
   * Whether the caller should flush now: flush.messages or flush.ms is reached, or a segment rolled
   * since the last flush (Kafka flushes rolled segments in the background, which keeps crash
   * recovery to the active segment; here the tick does it).
   */
  needsFlush(nowMs: number): boolean {
    this.lastFlushMs ??= nowMs;
    const unflushed = this.unflushedMessages;
    if (unflushed === 0) return false;
    return this.hasRolledSinceFlush || unflushed >= this.config.flushMessages || nowMs - this.lastFlushMs >= this.config.flushMs;
  }

  /**
   * fdatasyncs every dirty segment and index file, the leader epoch file and the directory, then
   * advances the recovery point to the log end offset seen at the start. Calls made while a flush
   * runs share the next one: a group commit.
   */
  flush(nowMs?: number): Promise<void> {
    if (nowMs !== undefined) this.lastFlushMs = nowMs;
    if (this.flushInFlight === null) {
      this.flushInFlight = this.runFlush().finally(() => {
        this.flushInFlight = null;
      });
      return this.flushInFlight;
    }
    // The next flush starts once this one settles, failed or not: it covers what came after.
    const next = (): Promise<void> => {
      this.flushQueued = null;
      return this.flush();
    };
    this.flushQueued ??= this.flushInFlight.then(next, next);
    return this.flushQueued;
  }

  /** Writes pending index entries and closes the files; unsynced data stays in the page cache. */
  close(): void {
    for (const segment of this.segments) segment.close();
    for (const pending of this.pendingDeletes) for (const path of pending.paths) this.fs.remove(path);
    this.pendingDeletes = [];
  }

  /** Closes the log and removes its directory. */
  deleteAll(): void {
    this.close();
    this.fs.removeTree(this.dir);
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  /** Kafka's LogSegment.shouldRoll: why the active segment cannot take this batch, or null. */
  private rollReason(segment: LogSegment, size: number, maxTimestamp: number, lastOffset: number, nowMs: number): string | null {
    // Even an empty segment cannot hold offsets its int32 index entries cannot express.
    if (lastOffset - segment.baseOffset > INT32_MAX) return 'relative offset overflow';
    if (segment.size === 0) return null;
    if (segment.size > this.config.segmentBytes - size) return 'segment.bytes';
    if (this.timeWaitedForRoll(segment, maxTimestamp, nowMs) > this.config.segmentMs) return 'segment.ms';
    if (segment.offsetIndex.isFull || segment.timeIndex.isFull) return 'segment.index.bytes';
    return null;
  }

  /** Record time since the segment's first batch, or wall time since its creation when that has none. */
  private timeWaitedForRoll(segment: LogSegment, timestamp: number, nowMs: number): number {
    return segment.firstBatchTimestamp >= 0 ? timestamp - segment.firstBatchTimestamp : nowMs - segment.createdMs;
  }

  /**
   * Starts a new active segment at `baseOffset`: the log end, or a follower batch's base offset when
   * the leader's log has a gap there (as Kafka rolls at the appended batch's first offset).
   */
  private roll(nowMs: number | null, baseOffset: number, reason: string): LogSegment {
    assert(baseOffset >= this.logEndOffset, `roll at ${baseOffset} below the log end ${this.logEndOffset}`);
    const old = this.active;
    old.onBecomeInactive();
    const segment = LogSegment.create(this.fs, this.dir, baseOffset, this.config.segmentIndexBytes, nowMs);
    this.segments.push(segment);
    this.isDirDirty = true;
    this.hasRolledSinceFlush = true;
    this.logger.info({ baseOffset: segment.baseOffset, previousSizeBytes: old.size, reason }, 'rolled segment');
    return segment;
  }

  /**
   * Deletes the longest prefix of segments that `predicate` accepts, stopping at the first segment
   * reaching past the high watermark and never taking an empty active segment (Kafka's
   * deletableSegments). Rolls first when every segment goes. Returns how many went.
   */
  private deleteSegments(
    predicate: (segment: LogSegment, next: LogSegment | undefined) => boolean,
    reason: string,
    nowMs: number | null,
  ): number {
    const highWatermark = Math.min(this.highWatermark ?? this.logEndOffset, this.logEndOffset);
    let count = 0;
    while (count < this.segments.length) {
      const segment = this.segments[count]!;
      const next = this.segments[count + 1];
      if (next === undefined && segment.size === 0) break;
      if (highWatermark < (next?.baseOffset ?? this.logEndOffset) || !predicate(segment, next)) break;
      count++;
    }
    if (count === 0) return 0;
    if (count === this.segments.length) this.roll(nowMs, this.logEndOffset, reason);
    const deleted = this.segments.splice(0, count);
    this.deleteSegmentFiles(deleted);
    const firstBase = this.segments[0]!.baseOffset;
    if (firstBase > this.#logStartOffset) {
      this.#logStartOffset = firstBase;
      this.epochCache.truncateFromStart(firstBase);
    }
    this.#recoveryPoint = Math.max(this.#recoveryPoint, firstBase);
    this.logger.info({ reason, segments: count, logStartOffset: this.#logStartOffset }, 'deleted segments');
    return count;
  }

  /** Renames segment files to `.deleted` for removal after file.delete.delay.ms (Kafka's async delete). */
  private deleteSegmentFiles(segments: readonly LogSegment[]): void {
    for (const segment of segments) this.pendingDeletes.push({ paths: segment.markDeleted(), dueMs: null });
    if (segments.length > 0) this.isDirDirty = true;
  }

  private afterTruncation(offset: number): void {
    this.truncations++;
    this.epochCache.truncateFromEnd(offset);
    this.#recoveryPoint = Math.min(this.#recoveryPoint, offset);
    if (this.highWatermark !== null) this.highWatermark = Math.min(this.highWatermark, offset);
  }

  private async runFlush(): Promise<void> {
    const target = this.logEndOffset;
    const truncations = this.truncations;
    this.hasRolledSinceFlush = false;
    const active = this.active;
    const work = this.segments.map((s) => s.sync(s === active));
    if (this.epochCache.hasUnsyncedWrite || this.isDirDirty) {
      this.isDirDirty = false;
      work.push(this.epochCache.sync(), this.fs.syncDir(this.dir));
    }
    await Promise.all(work);
    if (truncations === this.truncations && target > this.#recoveryPoint) this.#recoveryPoint = target;
  }
}

function writeGroup(segment: LogSegment, bytes: Buffer, nowMs: number): void {
  if (bytes.length === 0) return;
  segment.file.append(bytes);
  segment.lastModifiedMs = nowMs;
  assert(segment.file.size() === segment.size, `segment ${segment.file.path} size disagrees with its batches`);
}
