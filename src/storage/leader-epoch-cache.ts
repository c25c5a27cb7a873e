// The leader epoch cache of one partition (Kafka's LeaderEpochFileCache, KIP-101/KIP-279): the
// offset at which each leader epoch began, in `leader-epoch-checkpoint`. Followers ask the leader
// OffsetForLeaderEpoch(epoch) and truncate to the answer, so these entries decide what a follower
// keeps. Invariant: epochs and start offsets both strictly increase.
//
// Every change rewrites the file atomically (tmp + rename) without fsync, so a process crash keeps
// it; sync() makes it durable and PartitionLog.flush() calls it before advancing the recovery point,
// so an entry for flushed data is never lost to a power cut.

import { assert } from '../common/assert.js';
import { formatLeaderEpochCheckpoint, parseLeaderEpochCheckpoint, type EpochEntry } from './checkpoint.js';
import type { StorageFs } from './file.js';

export const LEADER_EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint';
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEndOffset {
  epoch: number;
  endOffset: number;
}

export class LeaderEpochCache {
  private entries: EpochEntry[] = [];
  private isUnsynced = false;

  constructor(
    private readonly fs: StorageFs,
    readonly path: string,
  ) {}

  /** Loads the file; returns the problem when it is missing or malformed (the cache is then empty). */
  load(): string | null {
    const data = this.fs.readFile(this.path);
    if (data === null) return 'missing';
    try {
      const entries = parseLeaderEpochCheckpoint(data.toString('latin1'));
      for (let i = 1; i < entries.length; i++) {
        if (entries[i]!.epoch <= entries[i - 1]!.epoch || entries[i]!.startOffset <= entries[i - 1]!.startOffset) {
          return `entries do not grow at line ${i + 3}`;
        }
      }
      this.entries = entries;
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }

  get all(): readonly EpochEntry[] {
    return this.entries;
  }

  latestEpoch(): number {
    return this.entries.length === 0 ? UNDEFINED_EPOCH : this.entries[this.entries.length - 1]!.epoch;
  }

  /**
   * Records that `epoch` starts at `startOffset`. As in Kafka, nothing changes when the epoch is
   * already the latest and starts no later; otherwise entries with an epoch ≥ `epoch` or a start
   * offset ≥ `startOffset` are removed first, so the invariant holds.
   */
  assign(epoch: number, startOffset: number, shouldWrite = true): boolean {
    assert(epoch >= 0 && startOffset >= 0, `invalid leader epoch entry ${epoch}@${startOffset}`);
    const latest = this.entries[this.entries.length - 1];
    if (latest !== undefined && latest.epoch === epoch && latest.startOffset <= startOffset) return false;
    while (this.entries.length > 0) {
      const last = this.entries[this.entries.length - 1]!;
      if (last.epoch < epoch && last.startOffset < startOffset) break;
      this.entries.pop();
    }
    this.entries.push({ epoch, startOffset });
    if (shouldWrite) this.write();
    return true;
  }

  /**
   * OffsetForLeaderEpoch semantics (Kafka's LeaderEpochFileCache.endOffsetFor): for the latest
   * epoch the log end offset; for an older epoch the start of the next higher one, paired with the
   * largest known epoch ≤ the requested one (or the requested epoch itself when none is lower);
   * undefined for -1 or an epoch above all known ones.
   */
  endOffsetFor(epoch: number, logEndOffset: number): EpochEndOffset {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (epoch === UNDEFINED_EPOCH || this.entries.length === 0) return undefinedAnswer;
    if (epoch === this.latestEpoch()) return { epoch, endOffset: logEndOffset };
    const higher = this.entries.findIndex((e) => e.epoch > epoch);
    if (higher < 0) return undefinedAnswer;
    const endOffset = this.entries[higher]!.startOffset;
    return { epoch: higher === 0 ? epoch : this.entries[higher - 1]!.epoch, endOffset };
  }

  /** The epoch of the last entry starting at or before `offset`, or -1 (Kafka's epochForOffset). */
  epochForOffset(offset: number): number {
    let epoch = UNDEFINED_EPOCH;
    for (const entry of this.entries) {
      if (entry.startOffset > offset) break;
      epoch = entry.epoch;
    }
    return epoch;
  }

  /** Drops epochs starting at or after `endOffset` (the log was truncated there). */
  truncateFromEnd(endOffset: number): void {
    const before = this.entries.length;
    while (this.entries.length > 0 && this.entries[this.entries.length - 1]!.startOffset >= endOffset) this.entries.pop();
    if (this.entries.length !== before) this.write();
  }

  /**
   * Drops epochs wholly before `startOffset` (the log start moved): the last epoch starting at or
   * before it stays, now starting at `startOffset`.
   */
  truncateFromStart(startOffset: number): void {
    let removed = 0;
    while (removed < this.entries.length && this.entries[removed]!.startOffset <= startOffset) removed++;
    if (removed === 0) return;
    const kept = this.entries[removed - 1]!;
    if (removed === 1 && kept.startOffset === startOffset) return;
    this.entries = [{ epoch: kept.epoch, startOffset }, ...this.entries.slice(removed)];
    this.write();
  }

  clear(): void {
    this.entries = [];
    this.write();
  }

  write(): void {
    this.fs.writeFileAtomic(this.path, formatLeaderEpochCheckpoint(this.entries));
    this.isUnsynced = true;
  }

  get hasUnsyncedWrite(): boolean {
    return this.isUnsynced;
  }

  /** Makes the last write durable (the caller syncs the directory for the rename). */
  async sync(): Promise<void> {
    if (!this.isUnsynced) return;
    this.isUnsynced = false;
    try {
      await this.fs.syncFile(this.path);
    } catch (err) {
      this.isUnsynced = true;
      throw err;
    }
  }
}
