// A segment's sparse time index, in memory and mirrored to Kafka's `.timeindex` file: 12-byte
// entries of (timestamp int64, relativeOffset int32), big-endian. An entry (T, O) says the largest
// timestamp among the segment's batches up to the one whose last offset is O is T; entries are
// added beside offset-index entries and only when T grows, so timestamps strictly increase and
// offsets never decrease. On roll and close a final entry records the segment's largest timestamp,
// which is why a loaded segment reads its maxTimestamp from the last entry (as Kafka does).
// Persistence works as in offset-index.ts.

import { assert } from '../common/assert.js';
import { readInt64, writeInt64 } from '../protocol/records/batch-header.js';

export const TIME_INDEX_ENTRY_BYTES = 12;
const INITIAL_CAPACITY = 16;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex {
  private timestamps = new Float64Array(INITIAL_CAPACITY);
  private relativeOffsets = new Int32Array(INITIAL_CAPACITY);
  count = 0;
  private persistedCount = 0;
  private isFileStale = true;

  constructor(
    readonly baseOffset: number,
    readonly maxEntries: number,
  ) {}

  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  get lastEntry(): TimestampOffset | null {
    if (this.count === 0) return null;
    return { timestamp: this.timestamps[this.count - 1]!, offset: this.baseOffset + this.relativeOffsets[this.count - 1]! };
  }

  /** Adds (timestamp, offset) if the timestamp is larger than the last entry's (and not -1). */
  maybeAppend(timestamp: number, offset: number): void {
    const last = this.count - 1;
    if (timestamp <= (last < 0 ? -1 : this.timestamps[last]!)) return;
    const relativeOffset = offset - this.baseOffset;
    assert(last < 0 || relativeOffset >= this.relativeOffsets[last]!, `time index offsets must not fall: ${offset}`);
    if (this.count === this.timestamps.length) this.grow();
    this.timestamps[this.count] = timestamp;
    this.relativeOffsets[this.count] = relativeOffset;
    this.count++;
  }

  /**
   * Offset of the last entry whose timestamp is < `timestamp`, or -1. Every batch up to that offset
   * is older than `timestamp`, so a search for the first batch at or after it may start there.
   */
  offsetBefore(timestamp: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid]! < timestamp) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? -1 : this.baseOffset + this.relativeOffsets[found]!;
  }

  /** Drops entries whose offset is ≥ `offset`. */
  truncateToOffset(offset: number): void {
    let n = this.count;
    while (n > 0 && this.baseOffset + this.relativeOffsets[n - 1]! >= offset) n--;
    this.setCount(n);
  }

  clear(): void {
    this.setCount(0);
  }

  persist(write: (data: Buffer, truncateTo: number | null) => void): boolean {
    if (!this.isFileStale && this.persistedCount === this.count) return false;
    const data = Buffer.allocUnsafe((this.count - this.persistedCount) * TIME_INDEX_ENTRY_BYTES);
    for (let i = this.persistedCount, at = 0; i < this.count; i++, at += TIME_INDEX_ENTRY_BYTES) {
      writeInt64(data, at, this.timestamps[i]!);
      data.writeInt32BE(this.relativeOffsets[i]!, at + 8);
    }
    write(data, this.isFileStale ? this.persistedCount * TIME_INDEX_ENTRY_BYTES : null);
    this.persistedCount = this.count;
    this.isFileStale = false;
    return true;
  }

  /**
   * Loads a `.timeindex` file or returns why it cannot be trusted: a size that is not whole
   * entries, timestamps that do not grow, falling offsets, or offsets outside the segment.
   */
  static parse(data: Buffer, baseOffset: number, maxEntries: number, nextOffset: number | null): TimeIndex | string {
    if (data.length % TIME_INDEX_ENTRY_BYTES !== 0) return `size ${data.length} is not whole entries`;
    const index = new TimeIndex(baseOffset, maxEntries);
    for (let at = 0, i = 0; at < data.length; at += TIME_INDEX_ENTRY_BYTES, i++) {
      const timestamp = readInt64(data, at);
      const relativeOffset = data.readInt32BE(at + 8);
      if (timestamp <= (i === 0 ? -1 : index.timestamps[i - 1]!)) return `entry ${i} timestamp does not grow`;
      if (relativeOffset < (i === 0 ? 0 : index.relativeOffsets[i - 1]!)) return `entry ${i} offset falls`;
      if (nextOffset !== null && baseOffset + relativeOffset >= nextOffset) return `entry ${i} is past the last offset`;
      index.maybeAppend(timestamp, baseOffset + relativeOffset);
    }
    index.persistedCount = index.count;
    index.isFileStale = false;
    return index;
  }

  private setCount(n: number): void {
    this.count = n;
    if (n < this.persistedCount) {
      this.persistedCount = n;
      this.isFileStale = true;
    }
  }

  private grow(): void {
    const timestamps = new Float64Array(this.timestamps.length * 2);
    const relativeOffsets = new Int32Array(this.timestamps.length * 2);
    timestamps.set(this.timestamps);
    relativeOffsets.set(this.relativeOffsets);
    this.timestamps = timestamps;
    this.relativeOffsets = relativeOffsets;
  }
}
