// One log segment: the `.log` file of whole batches starting at `baseOffset`, its in-memory sparse
// indexes and their `.index`/`.timeindex` files, and what the log needs to know without reading it
// (size, next offset, largest timestamp, first batch's timestamp for time-based rolls).
//
// `size` is the segment's logical length: the follower path notes several batches before writing
// them with one call, so it may briefly run ahead of the file; PartitionLog writes before doing
// anything else. Everything here is synchronous except sync(). Rolling, retention and recovery
// policy live in partition-log.ts and log-loader.ts; this file only does what they ask.

import { assert } from '../common/assert.js';
import {
  LAST_OFFSET_DELTA_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  RECORD_BATCH_OVERHEAD,
  baseOffsetOf,
  readInt64,
} from '../protocol/records/batch-header.js';
import { scanBatches, type BatchProblem } from './batch-scan.js';
import type { SegmentFile, StorageFs } from './file.js';
import type { LeaderEpochCache } from './leader-epoch-cache.js';
import { OFFSET_INDEX_ENTRY_BYTES, OffsetIndex } from './offset-index.js';
import { TIME_INDEX_ENTRY_BYTES, TimeIndex } from './time-index.js';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const DELETED_SUFFIX = '.deleted';

export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

/** Where a batch lies in its segment. */
export interface BatchLocation {
  readonly position: number;
  readonly size: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
}

/** Batch locations a segment remembers from its latest appends; see translateOffset. */
const RECENT_BATCHES_MAX = 16;

export interface RecoveryResult {
  truncatedBytes: number;
  problem: BatchProblem | null;
}

export class LogSegment {
  offsetIndex: OffsetIndex;
  timeIndex: TimeIndex;
  /** Logical size in bytes, including batches noted but not yet written. */
  size: number;
  /** The offset after this segment's last batch (the base offset when empty). */
  nextOffset: number;
  /** Largest batch maxTimestamp seen, and the last offset of the first batch carrying it; -1 if none. */
  maxTimestamp = -1;
  offsetOfMaxTimestamp = -1;
  /** maxTimestamp of the first batch, the reference for segment.ms rolls (Kafka's rollingBasedTimestamp). */
  firstBatchTimestamp = -1;
  lastModifiedMs: number;
  /** Log bytes written or truncated since the last fdatasync. */
  isDirty = false;
  private isIndexUnsynced = false;
  private bytesSinceLastIndexEntry = 0;
  /**
   * The index files, held open between flushes once the active segment is flushed a second time,
   * so a log that flushes often (flush.messages=1, group commit) does not open and close both
   * files by path on every flush. Null otherwise: a log under the default policy flushes its
   * active segment once (after the roll that made it active), and other segments write and sync
   * their index files by path, rarely, so most partitions hold one descriptor, not three.
   */
  private indexFiles: { offset: SegmentFile; time: SegmentFile } | null = null;
  /**
   * The latest batches appended, oldest first, contiguous up to the segment's end; kept only
   * while the segment is active (a recovered or rolled segment drops them).
   */
  private recentBatches: BatchLocation[] = [];
  private activeSyncs = 0;
  private isClosed = false;

  private constructor(
    private readonly fs: StorageFs,
    private readonly dir: string,
    readonly baseOffset: number,
    readonly file: SegmentFile,
    private readonly indexMaxBytes: number,
    readonly createdMs: number,
  ) {
    this.offsetIndex = new OffsetIndex(baseOffset, Math.floor(indexMaxBytes / OFFSET_INDEX_ENTRY_BYTES));
    this.timeIndex = new TimeIndex(baseOffset, Math.floor(indexMaxBytes / TIME_INDEX_ENTRY_BYTES));
    this.size = file.size();
    this.nextOffset = baseOffset;
    this.lastModifiedMs = createdMs;
  }

  /** Creates an empty segment and its (empty) index files. `nowMs` null takes the file's mtime. */
  static create(fs: StorageFs, dir: string, baseOffset: number, indexMaxBytes: number, nowMs: number | null): LogSegment {
    const file = fs.openFile(`${dir}/${segmentFileName(baseOffset, LOG_SUFFIX)}`);
    assert(file.size() === 0, `new segment ${file.path} already holds data`);
    const segment = new LogSegment(fs, dir, baseOffset, file, indexMaxBytes, nowMs ?? file.mtimeMs());
    segment.persistIndexes();
    return segment;
  }

  /** Opens an existing segment; the caller then loads its indexes or recovers it. */
  static open(fs: StorageFs, dir: string, baseOffset: number, indexMaxBytes: number): LogSegment {
    const file = fs.openFile(`${dir}/${segmentFileName(baseOffset, LOG_SUFFIX)}`);
    const segment = new LogSegment(fs, dir, baseOffset, file, indexMaxBytes, file.mtimeMs());
    segment.firstBatchTimestamp = segment.readFirstBatchTimestamp();
    return segment;
  }

  get indexPath(): string {
    return `${this.dir}/${segmentFileName(this.baseOffset, INDEX_SUFFIX)}`;
  }

  get timeIndexPath(): string {
    return `${this.dir}/${segmentFileName(this.baseOffset, TIME_INDEX_SUFFIX)}`;
  }

  /** The segment's largest timestamp for retention, falling back to the file's age as Kafka does. */
  get largestTimestamp(): number {
    return this.maxTimestamp >= 0 ? this.maxTimestamp : this.lastModifiedMs;
  }

  /**
   * Accounts for a batch placed at `position` (Kafka's LogSegment.append, per batch): tracks the
   * largest timestamp, and adds index entries once more than `indexIntervalBytes` were appended since
   * the last ones, pointing at this batch.
   */
  noteBatch(position: number, size: number, baseOffset: number, lastOffset: number, maxTimestamp: number, indexIntervalBytes: number): void {
    assert(position === this.size, `batch noted at ${position}, segment ends at ${this.size}`);
    this.recentBatches.push({ position, size, baseOffset, lastOffset });
    if (this.recentBatches.length > RECENT_BATCHES_MAX) this.recentBatches.shift();
    if (position === 0) this.firstBatchTimestamp = maxTimestamp;
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp;
      this.offsetOfMaxTimestamp = lastOffset;
    }
    if (this.bytesSinceLastIndexEntry > indexIntervalBytes) {
      this.offsetIndex.append(lastOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += size;
    this.size = position + size;
    this.nextOffset = lastOffset + 1;
    this.isDirty = true;
  }

  /**
   * The first batch whose last offset is ≥ `offset`; null if none here. An offset among the latest
   * appends (a follower or consumer at the log end) is answered from memory: every batch before
   * the oldest remembered one ends below it. Others are found from the offset index and a scan.
   */
  translateOffset(offset: number): BatchLocation | null {
    const recent = this.recentBatches;
    if (recent.length > 0 && offset >= recent[0]!.baseOffset) {
      for (const b of recent) if (b.lastOffset >= offset) return b;
      return null;
    }
    let found = null as BatchLocation | null;
    scanBatches(this.file, this.offsetIndex.lookup(offset), this.size, null, (buf, pos, position, size) => {
      const lastOffset = baseOffsetOf(buf, pos) + buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
      if (lastOffset < offset) return true;
      found = { position, size, baseOffset: baseOffsetOf(buf, pos), lastOffset };
      return false;
    });
    return found;
  }

  readBytes(position: number, length: number): Buffer<ArrayBuffer> {
    const buf = Buffer.allocUnsafe(length);
    const n = this.file.readAt(buf, 0, length, position);
    assert(n === length, `short read of ${this.file.path} at ${position}: ${n} of ${length} bytes`);
    return buf;
  }

  /**
   * Rebuilds indexes and state by walking and checking every batch, and truncates the file at the
   * first bad one (torn, impossible length, wrong magic, bad CRC, falling offsets). Epochs above
   * the cache's latest are assigned from batch headers, as Kafka's recovery does.
   */
  recover(indexIntervalBytes: number, leaderEpochs: LeaderEpochCache | null): RecoveryResult {
    this.offsetIndex.clear();
    this.timeIndex.clear();
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    this.firstBatchTimestamp = -1;
    this.bytesSinceLastIndexEntry = 0;
    this.nextOffset = this.baseOffset;
    const fileSize = this.file.size();
    this.size = 0;
    const result = scanBatches(this.file, 0, fileSize, this.baseOffset, (buf, pos, position, size) => {
      const baseOffset = baseOffsetOf(buf, pos);
      const lastOffset = baseOffset + buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
      this.noteBatch(position, size, baseOffset, lastOffset, readInt64(buf, pos + MAX_TIMESTAMP_OFFSET), indexIntervalBytes);
      const epoch = buf.readInt32BE(pos + PARTITION_LEADER_EPOCH_OFFSET);
      if (leaderEpochs !== null && epoch > leaderEpochs.latestEpoch()) leaderEpochs.assign(epoch, baseOffset, false);
    });
    this.recentBatches = [];
    const truncatedBytes = fileSize - result.position;
    if (truncatedBytes > 0) this.file.truncate(result.position);
    this.isDirty = truncatedBytes > 0;
    // A closed segment ends its time index with its largest timestamp; a recovered one does too.
    this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
    this.persistIndexes();
    return { truncatedBytes, problem: result.problem };
  }

  /**
   * Loads the index files, or returns why they cannot be trusted. `nextOffset` bounds the entries
   * when known (the next segment's base offset); a non-empty segment must have a time index entry,
   * which its roll or close wrote.
   */
  loadIndexes(nextOffset: number | null): string | null {
    const indexData = this.fs.readFile(this.indexPath);
    const timeData = this.fs.readFile(this.timeIndexPath);
    if (indexData === null) return 'missing .index';
    if (timeData === null) return 'missing .timeindex';
    const offsetIndex = OffsetIndex.parse(indexData, this.baseOffset, this.offsetIndex.maxEntries, this.size, nextOffset);
    if (typeof offsetIndex === 'string') return `.index: ${offsetIndex}`;
    const timeIndex = TimeIndex.parse(timeData, this.baseOffset, this.timeIndex.maxEntries, nextOffset);
    if (typeof timeIndex === 'string') return `.timeindex: ${timeIndex}`;
    if (this.size > 0 && timeIndex.count === 0) return '.timeindex: empty for a non-empty segment';
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    const last = timeIndex.lastEntry;
    this.maxTimestamp = last?.timestamp ?? -1;
    this.offsetOfMaxTimestamp = last?.offset ?? -1;
    this.bytesSinceLastIndexEntry = this.size - offsetIndex.lastPosition;
    if (nextOffset !== null) this.nextOffset = nextOffset;
    return null;
  }

  /**
   * On a clean start, checks the active segment's batches after its last offset-index entry (at
   * most about one index interval) and learns its next offset and largest timestamp from them.
   * Returns the problem when the tail or the indexes disagree with the log; recover() then follows.
   */
  checkTail(): string | null {
    let nextOffset = this.baseOffset;
    const result = scanBatches(this.file, this.offsetIndex.lastPosition, this.size, this.baseOffset, (buf, pos) => {
      nextOffset = baseOffsetOf(buf, pos) + buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET) + 1;
    });
    if (result.problem !== null) return `${result.problem} batch at position ${result.position}`;
    const lastIndexed = this.offsetIndex.count === 0 ? -1 : this.offsetIndex.offsetAt(this.offsetIndex.count - 1);
    const lastTimed = this.timeIndex.lastEntry?.offset ?? -1;
    if (lastIndexed >= nextOffset || lastTimed >= nextOffset) return 'index entries past the last batch';
    this.nextOffset = nextOffset;
    this.loadMaxTimestamp();
    return null;
  }

  /**
   * Drops every batch from the first one ending at or after `offset`; returns the bytes removed and
   * the first dropped batch (null when nothing was). The caller sets nextOffset.
   */
  truncateTo(offset: number): BatchLocation | null {
    const from = this.translateOffset(offset);
    if (from === null) return null;
    this.recentBatches = [];
    this.offsetIndex.truncateToPosition(from.position);
    this.timeIndex.truncateToOffset(offset);
    this.file.truncate(from.position);
    this.size = from.position;
    this.isDirty = true;
    this.bytesSinceLastIndexEntry = this.size - this.offsetIndex.lastPosition;
    if (this.size === 0) this.firstBatchTimestamp = -1;
    this.loadMaxTimestamp();
    return from;
  }

  /** Called when the segment stops being the active one (roll, close): Kafka's final time index entry. */
  onBecomeInactive(): void {
    this.recentBatches = [];
    this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
    this.persistIndexes();
    this.closeIndexFiles();
  }

  /** Writes index entries the files lack (page cache only). */
  persistIndexes(): void {
    const changedIndex = this.offsetIndex.persist(this.indexWriter(this.indexPath, this.indexFiles?.offset));
    const changedTime = this.timeIndex.persist(this.indexWriter(this.timeIndexPath, this.indexFiles?.time));
    if (changedIndex || changedTime) this.isIndexUnsynced = true;
  }

  /**
   * Makes the log bytes and index entries written so far durable. The active segment (`isActive`)
   * keeps its index files open for the next flush; any other closes them.
   */
  async sync(isActive: boolean): Promise<void> {
    if (isActive && !this.isClosed && ++this.activeSyncs >= 2) this.openIndexFiles();
    else if (!isActive) this.closeIndexFiles();
    this.persistIndexes();
    const work: Promise<void>[] = [];
    if (this.isDirty) {
      this.isDirty = false;
      work.push(this.file.fdatasync());
    }
    if (this.isIndexUnsynced) {
      this.isIndexUnsynced = false;
      const files = this.indexFiles;
      work.push(...(files ? [files.offset.fdatasync(), files.time.fdatasync()] : [this.fs.syncFile(this.indexPath), this.fs.syncFile(this.timeIndexPath)]));
    }
    await Promise.all(work);
  }

  close(): void {
    this.onBecomeInactive();
    this.isClosed = true;
    this.file.close();
  }

  /** Renames the segment's files to `*.deleted` and closes it; returns the new paths for later removal. */
  markDeleted(): string[] {
    this.isClosed = true;
    this.closeIndexFiles();
    const paths = [this.indexPath, this.timeIndexPath].filter((path) => this.fs.exists(path));
    for (const path of paths) this.fs.rename(path, path + DELETED_SUFFIX);
    this.file.rename(this.file.path + DELETED_SUFFIX);
    this.file.close();
    return [this.file.path, ...paths.map((path) => path + DELETED_SUFFIX)];
  }

  /** Recomputes maxTimestamp from the last time index entry and the batches after it (Kafka's loadLargestTimestamp). */
  private loadMaxTimestamp(): void {
    const last = this.timeIndex.lastEntry;
    this.maxTimestamp = last?.timestamp ?? -1;
    this.offsetOfMaxTimestamp = last?.offset ?? -1;
    const from = last === null ? 0 : this.offsetIndex.lookup(last.offset);
    scanBatches(this.file, from, this.size, null, (buf, pos) => {
      const timestamp = readInt64(buf, pos + MAX_TIMESTAMP_OFFSET);
      if (timestamp > this.maxTimestamp) {
        this.maxTimestamp = timestamp;
        this.offsetOfMaxTimestamp = baseOffsetOf(buf, pos) + buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
      }
    });
  }

  private readFirstBatchTimestamp(): number {
    if (this.size < RECORD_BATCH_OVERHEAD) return -1;
    return readInt64(this.readBytes(0, RECORD_BATCH_OVERHEAD), MAX_TIMESTAMP_OFFSET);
  }

  private indexWriter(path: string, file: SegmentFile | undefined): (data: Buffer, truncateTo: number | null) => void {
    if (file) {
      return (data, truncateTo) => {
        if (truncateTo !== null) file.truncate(truncateTo);
        if (data.length > 0) file.append(data);
      };
    }
    return (data, truncateTo) => {
      if (truncateTo === 0) return this.fs.writeFile(path, data);
      if (truncateTo !== null) this.fs.truncateFile(path, truncateTo);
      if (data.length > 0) this.fs.appendFile(path, data);
    };
  }

  private openIndexFiles(): void {
    if (this.indexFiles !== null) return;
    const offset = this.fs.openFile(this.indexPath);
    try {
      this.indexFiles = { offset, time: this.fs.openFile(this.timeIndexPath) };
    } catch (err) {
      offset.close();
      throw err;
    }
  }

  /** A sync still running on them completes first (SegmentFile.close). */
  private closeIndexFiles(): void {
    if (this.indexFiles === null) return;
    this.indexFiles.offset.close();
    this.indexFiles.time.close();
    this.indexFiles = null;
  }
}
