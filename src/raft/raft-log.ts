// The metadata log as the Raft core sees it: a latest snapshot followed by contiguous entries.
// Offsets below `startOffset` live only in the snapshot. The log also remembers which suffix
// changed since the driver last persisted it (`dirtyFromOffset`), so Ready can say "truncate the
// file here and append these". Epochs start at 1; epoch 0 means "before any entry".

import { assert } from '../common/assert.js';
import type { Entry, Snapshot, SnapshotId } from './types.js';

export class RaftLog {
  private entries: Entry[] = [];
  private snapshotValue: Snapshot | null;
  /** Lowest offset changed since the last markPersisted(); Infinity when clean. */
  private dirtyFromOffset = Infinity;
  private pendingSnapshot: Snapshot | null = null;

  constructor(snapshot: Snapshot | null, entries: readonly Entry[]) {
    this.snapshotValue = snapshot;
    let next = snapshot?.id.endOffset ?? 0;
    for (const e of entries) {
      assert(e.offset === next, `log entries must be contiguous at ${next}`);
      next++;
    }
    this.entries = [...entries];
  }

  get startOffset(): number {
    return this.snapshotValue?.id.endOffset ?? 0;
  }

  get endOffset(): number {
    return this.startOffset + this.entries.length;
  }

  get snapshot(): Snapshot | null {
    return this.snapshotValue;
  }

  get lastEpoch(): number {
    return this.entries.length > 0 ? this.entries[this.entries.length - 1]!.epoch : (this.snapshotValue?.id.epoch ?? 0);
  }

  /** The epoch of the entry at `offset`, including the snapshot's last entry; null if unknown. */
  epochAt(offset: number): number | null {
    if (offset === this.startOffset - 1) return this.snapshotValue?.id.epoch ?? null;
    if (offset < this.startOffset || offset >= this.endOffset) return null;
    return this.entries[offset - this.startOffset]!.epoch;
  }

  entryAt(offset: number): Entry {
    assert(offset >= this.startOffset && offset < this.endOffset, `no entry at ${offset}`);
    return this.entries[offset - this.startOffset]!;
  }

  slice(fromOffset: number, toOffset: number): Entry[] {
    assert(fromOffset >= this.startOffset, `slice below log start ${fromOffset}`);
    return this.entries.slice(fromOffset - this.startOffset, Math.max(0, toOffset - this.startOffset));
  }

  /**
   * The largest epoch not above `epoch` that this log knows, and the offset where it ends (the
   * first offset of the next larger epoch, or the log end). This is KIP-595's endOffsetForEpoch;
   * callers handle epochs older than the snapshot themselves.
   */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    if (epoch >= this.lastEpoch) return { epoch: this.lastEpoch, endOffset: this.endOffset };
    // Binary search for the first entry whose epoch exceeds `epoch`; epochs never decrease.
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.epoch > epoch) hi = mid;
      else lo = mid + 1;
    }
    const before = lo > 0 ? this.entries[lo - 1]!.epoch : (this.snapshotValue?.id.epoch ?? 0);
    return { epoch: Math.min(before, epoch), endOffset: this.startOffset + lo };
  }

  append(entry: Entry): void {
    assert(entry.offset === this.endOffset, `append at ${entry.offset}, log ends at ${this.endOffset}`);
    assert(entry.epoch >= this.lastEpoch, `epoch ${entry.epoch} below last epoch ${this.lastEpoch}`);
    this.entries.push(entry);
    this.dirtyFromOffset = Math.min(this.dirtyFromOffset, entry.offset);
  }

  /** Drops every entry at or above `offset` (a follower resolving divergence). */
  truncateTo(offset: number): void {
    assert(offset >= this.startOffset && offset <= this.endOffset, `truncate to ${offset} outside log`);
    this.entries.length = offset - this.startOffset;
    this.dirtyFromOffset = Math.min(this.dirtyFromOffset, offset);
  }

  /** Replaces the log prefix below `snapshot.id.endOffset` with the snapshot (local compaction). */
  compact(snapshot: Snapshot): void {
    const end = snapshot.id.endOffset;
    assert(end > this.startOffset && end <= this.endOffset, `snapshot end ${end} outside log`);
    assert(this.epochAt(end - 1) === snapshot.id.epoch, 'snapshot epoch does not match the log');
    this.entries = this.entries.slice(end - this.startOffset);
    this.snapshotValue = snapshot;
    this.pendingSnapshot = snapshot;
  }

  /** Replaces the whole log with a snapshot fetched from the leader. */
  install(snapshot: Snapshot): void {
    this.entries = [];
    this.snapshotValue = snapshot;
    this.pendingSnapshot = snapshot;
    this.dirtyFromOffset = Math.min(this.dirtyFromOffset, snapshot.id.endOffset);
  }

  /** Changes since the last markPersisted(), in the shape Ready uses. */
  unpersisted(): { snapshot: Snapshot | null; logFromOffset: number | null; entries: Entry[] } {
    if (this.dirtyFromOffset === Infinity) return { snapshot: this.pendingSnapshot, logFromOffset: null, entries: [] };
    const from = Math.max(this.dirtyFromOffset, this.startOffset);
    return { snapshot: this.pendingSnapshot, logFromOffset: from, entries: this.slice(from, this.endOffset) };
  }

  markPersisted(): void {
    this.dirtyFromOffset = Infinity;
    this.pendingSnapshot = null;
  }

  isSnapshotId(id: SnapshotId): boolean {
    const s = this.snapshotValue;
    return s !== null && s.id.endOffset === id.endOffset && s.id.epoch === id.epoch;
  }
}
