// A segment's sparse offset index, kept in memory (Node has no mmap) and mirrored to Kafka's
// `.index` file: 8-byte entries of (relativeOffset int32, position int32), big-endian. As in
// Kafka, an entry maps the *last* offset of a batch to the file position where that batch begins,
// and one is added per index.interval.bytes of log data, so a lookup lands at most one interval
// before the wanted batch. Entries grow strictly in both offset and position. The file lags the
// memory: new entries are written by persist() (on flush, roll and close), which is enough
// because recovery rebuilds the index of any segment past the recovery point.

import { assert } from '../common/assert.js';

export const OFFSET_INDEX_ENTRY_BYTES = 8;
const INITIAL_CAPACITY = 16;

export class OffsetIndex {
  private relativeOffsets = new Int32Array(INITIAL_CAPACITY);
  private positions = new Int32Array(INITIAL_CAPACITY);
  /** Entries in memory. */
  count = 0;
  /** Leading entries known to be in the file; the file may hold stale ones past them until persist(). */
  private persistedCount = 0;
  private isFileStale = true;

  constructor(
    readonly baseOffset: number,
    readonly maxEntries: number,
  ) {}

  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  append(offset: number, position: number): void {
    const relativeOffset = offset - this.baseOffset;
    const last = this.count - 1;
    assert(
      last < 0 || (relativeOffset > this.relativeOffsets[last]! && position > this.positions[last]!),
      `offset index entries must grow: ${offset}@${position}`,
    );
    if (this.count === this.positions.length) this.grow();
    this.relativeOffsets[this.count] = relativeOffset;
    this.positions[this.count] = position;
    this.count++;
  }

  /** Position of the last entry whose offset is ≤ `offset`, or 0: where a scan for `offset` starts. */
  lookup(offset: number): number {
    const i = this.floorIndex(offset - this.baseOffset);
    return i < 0 ? 0 : this.positions[i]!;
  }

  /**
   * Position of the first entry whose offset is ≥ `offset`, or -1. The batch there ends at or after
   * `offset`, so no batch from that position on lies wholly below it: a bound for reads.
   */
  positionAtOrAfter(offset: number): number {
    const i = this.floorIndex(offset - this.baseOffset - 1) + 1;
    return i < this.count ? this.positions[i]! : -1;
  }

  /** Position of the last entry, or 0 when empty. */
  get lastPosition(): number {
    return this.count === 0 ? 0 : this.positions[this.count - 1]!;
  }

  offsetAt(i: number): number {
    return this.baseOffset + this.relativeOffsets[i]!;
  }

  /** Drops entries for batches at or after `position`. */
  truncateToPosition(position: number): void {
    let n = this.count;
    while (n > 0 && this.positions[n - 1]! >= position) n--;
    this.setCount(n);
  }

  clear(): void {
    this.setCount(0);
  }

  /** Writes entries the file lacks, dropping stale ones first; returns whether the file changed. */
  persist(write: (data: Buffer, truncateTo: number | null) => void): boolean {
    if (!this.isFileStale && this.persistedCount === this.count) return false;
    const data = Buffer.allocUnsafe((this.count - this.persistedCount) * OFFSET_INDEX_ENTRY_BYTES);
    for (let i = this.persistedCount, at = 0; i < this.count; i++, at += OFFSET_INDEX_ENTRY_BYTES) {
      data.writeInt32BE(this.relativeOffsets[i]!, at);
      data.writeInt32BE(this.positions[i]!, at + 4);
    }
    write(data, this.isFileStale ? this.persistedCount * OFFSET_INDEX_ENTRY_BYTES : null);
    this.persistedCount = this.count;
    this.isFileStale = false;
    return true;
  }

  /**
   * Loads entries from a `.index` file, or returns why they cannot be trusted: a size that is not
   * whole entries, offsets or positions that do not grow, or entries beyond the log (`logSize`,
   * `nextOffset` when known).
   */
  static parse(
    data: Buffer,
    baseOffset: number,
    maxEntries: number,
    logSize: number,
    nextOffset: number | null,
  ): OffsetIndex | string {
    if (data.length % OFFSET_INDEX_ENTRY_BYTES !== 0) return `size ${data.length} is not whole entries`;
    const index = new OffsetIndex(baseOffset, maxEntries);
    let lastRelative = -1;
    let lastPosition = -1;
    for (let at = 0; at < data.length; at += OFFSET_INDEX_ENTRY_BYTES) {
      const relativeOffset = data.readInt32BE(at);
      const position = data.readInt32BE(at + 4);
      if (relativeOffset <= lastRelative || position <= lastPosition) return `entry ${at / 8} does not grow`;
      if (position >= logSize) return `entry ${at / 8} points past the log (${position} ≥ ${logSize})`;
      if (nextOffset !== null && baseOffset + relativeOffset >= nextOffset) return `entry ${at / 8} is past the last offset`;
      index.append(baseOffset + relativeOffset, position);
      lastRelative = relativeOffset;
      lastPosition = position;
    }
    index.persistedCount = index.count;
    index.isFileStale = false;
    return index;
  }

  /** Index of the last entry with relativeOffset ≤ `relative`, or -1. */
  private floorIndex(relative: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relativeOffsets[mid]! <= relative) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private setCount(n: number): void {
    this.count = n;
    if (n < this.persistedCount) {
      this.persistedCount = n;
      this.isFileStale = true;
    }
  }

  private grow(): void {
    const relativeOffsets = new Int32Array(this.positions.length * 2);
    const positions = new Int32Array(this.positions.length * 2);
    relativeOffsets.set(this.relativeOffsets);
    positions.set(this.positions);
    this.relativeOffsets = relativeOffsets;
    this.positions = positions;
  }
}
