// What a leader tracks during its epoch: each other voter's replication progress (the offset
// below which its log matches ours, from its latest valid fetch), whether it acknowledged
// BeginQuorumEpoch, and when it last fetched, for check-quorum. From these follow the offset a
// majority holds (the high watermark candidate) and EndQuorumEpoch's preferred successors.

import { majorityOf } from './quorum.js';

interface VoterProgress {
  matchOffset: number;
  /** Tick of the latest Fetch or FetchSnapshot in this epoch; -1 if none yet. */
  lastFetchTick: number;
  hasAckedBegin: boolean;
  lastBeginSentTick: number;
}

export class LeaderProgress {
  private readonly voters = new Map<number, VoterProgress>();
  private checkQuorumStart: number;

  constructor(otherVoters: readonly number[], startOffset: number, now: number) {
    for (const id of otherVoters) this.voters.set(id, { matchOffset: startOffset, lastFetchTick: -1, hasAckedBegin: false, lastBeginSentTick: now });
    this.checkQuorumStart = now;
  }

  has(voterId: number): boolean {
    return this.voters.has(voterId);
  }

  /**
   * Records a fetch; `matchOffset` is set when the fetch proved the voter's log matches ours below
   * it. Returns whether the voter's match offset grew. It never shrinks: a follower only drops
   * entries that do not match ours, so a late duplicate fetch says nothing new.
   */
  onFetch(voterId: number, now: number, matchOffset: number | null): boolean {
    const p = this.voters.get(voterId)!;
    p.lastFetchTick = now;
    p.hasAckedBegin = true;
    if (matchOffset === null || matchOffset <= p.matchOffset) return false;
    p.matchOffset = matchOffset;
    return true;
  }

  onBeginAcked(voterId: number): void {
    const p = this.voters.get(voterId);
    if (p !== undefined) p.hasAckedBegin = true;
  }

  /** Voters that have neither acknowledged BeginQuorumEpoch nor fetched, due for a resend. */
  takeBeginResends(now: number, retryTicks: number): number[] {
    const due: number[] = [];
    for (const [id, p] of this.voters) {
      if (p.hasAckedBegin || now - p.lastBeginSentTick < retryTicks) continue;
      p.lastBeginSentTick = now;
      due.push(id);
    }
    return due;
  }

  /**
   * Check-quorum, once per period: false when fewer than a majority (counting ourselves) fetched
   * during the whole period just ended; a partitioned leader must then stop leading.
   */
  checkQuorum(now: number, periodTicks: number): boolean {
    if (now - this.checkQuorumStart < periodTicks) return true;
    let heard = 1;
    for (const p of this.voters.values()) if (p.lastFetchTick >= this.checkQuorumStart) heard++;
    this.checkQuorumStart = now;
    return heard >= majorityOf(this.voters.size + 1);
  }

  /** The offset a majority has replicated: the majority-th largest match offset, ours included. */
  majorityMatchOffset(ownEndOffset: number): number {
    const offsets = [ownEndOffset];
    for (const p of this.voters.values()) offsets.push(p.matchOffset);
    offsets.sort((a, b) => b - a);
    return offsets[majorityOf(offsets.length) - 1]!;
  }

  /** Voters ordered by replication progress, best first: EndQuorumEpoch's PreferredSuccessors. */
  preferredSuccessors(): number[] {
    return [...this.voters.entries()].sort((a, b) => b[1].matchOffset - a[1].matchOffset || a[0] - b[0]).map(([id]) => id);
  }
}
