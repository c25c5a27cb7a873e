// A durable store kept in memory that applies the persistence part of a Ready exactly as a
// file-backed driver must (snapshot, then truncate-and-append, then quorum state) and hands the
// result back as RaftStorage on restart. Tests and the simulation use it so that a restarted
// node keeps only what ready() asked to persist.

import { assert } from '../common/assert.js';
import type { Entry, QuorumState, RaftStorage, Ready, Snapshot } from './types.js';

export class MemoryRaftStorage {
  private quorumState: QuorumState | null = null;
  private snapshot: Snapshot | null = null;
  private entries: Entry[] = [];

  get startOffset(): number {
    return this.snapshot?.id.endOffset ?? 0;
  }

  persist(ready: Ready): void {
    if (ready.snapshot !== null) {
      const end = ready.snapshot.id.endOffset;
      this.entries = this.entries.filter((e) => e.offset >= end);
      this.snapshot = ready.snapshot;
      // An installed snapshot whose end we do not hold leaves nothing of the old log usable.
      if (this.entries.length > 0 && this.entries[0]!.offset !== end) this.entries = [];
    }
    if (ready.logFromOffset !== null) {
      const from = ready.logFromOffset;
      assert(from >= this.startOffset && from <= this.startOffset + this.entries.length, `durable log cannot start writing at ${from}`);
      this.entries.length = from - this.startOffset;
      for (const e of ready.entries) {
        assert(e.offset === this.startOffset + this.entries.length, 'durable log must stay contiguous');
        this.entries.push(e);
      }
    }
    if (ready.quorumState !== null) this.quorumState = ready.quorumState;
  }

  load(): RaftStorage {
    return { quorumState: this.quorumState, snapshot: this.snapshot, entries: [...this.entries] };
  }
}
