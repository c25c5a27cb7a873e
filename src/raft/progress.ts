// What a leader tracks during its epoch: each other voter's replication progress (the offset
// below which its log matches ours, from its latest valid fetch), whether it acknowledged
// BeginQuorumEpoch, and when it last fetched, for check-quorum. From these follow the offset a
// majority holds (the high watermark candidate) and EndQuorumEpoch's preferred successors.
// Observers (non-voters, KIP-595) that fetch are remembered only for DescribeQuorum: they never
// count towards the high watermark or check-quorum. Their number is bounded, and one that stops
// fetching is forgotten after a while, as Kafka forgets idle observers.

import { majorityOf } from './quorum.js';
import type { ReplicaDescription } from './types.js';

/** What DescribeQuorum reports about any replica. */
interface ReplicaProgress {
  /** The offset below which its log is known to match ours; -1 before a matching fetch. */
  logEndOffset: number;
  /** Tick of the latest Fetch or FetchSnapshot in this epoch; -1 if none yet. */
  lastFetchTick: number;
  lastCaughtUpTick: number;
  /** Our log end at its previous matching fetch: reaching it later proves it was caught up then. */
  leaderEndAtLastFetch: number;
  lastMatchingFetchTick: number;
}

interface VoterProgress extends ReplicaProgress {
  /** Like logEndOffset, but starting at our log start: the high watermark's lower bound. */
  matchOffset: number;
  hasAckedBegin: boolean;
  lastBeginSentTick: number;
}

/** Observers remembered at once; past this the one that fetched least recently is forgotten. */
export const OBSERVERS_MAX = 1024;

function newReplica(): ReplicaProgress {
  return { logEndOffset: -1, lastFetchTick: -1, lastCaughtUpTick: -1, leaderEndAtLastFetch: -1, lastMatchingFetchTick: -1 };
}

/**
 * Records a fetch for DescribeQuorum. A replica is caught up now if it fetched from our log end;
 * if it fetched from at least where our log ended at its previous fetch, it was caught up then
 * (Kafka's lastCaughtUpTimestamp rule), which keeps a busy log from hiding a healthy follower.
 */
function recordFetch(p: ReplicaProgress, now: number, matchOffset: number | null, leaderEndOffset: number): void {
  p.lastFetchTick = now;
  if (matchOffset === null) return;
  if (matchOffset >= leaderEndOffset) p.lastCaughtUpTick = now;
  else if (p.lastMatchingFetchTick >= 0 && matchOffset >= p.leaderEndAtLastFetch) p.lastCaughtUpTick = Math.max(p.lastCaughtUpTick, p.lastMatchingFetchTick);
  p.logEndOffset = Math.max(p.logEndOffset, matchOffset);
  p.leaderEndAtLastFetch = leaderEndOffset;
  p.lastMatchingFetchTick = now;
}

function describe(replicaId: number, p: ReplicaProgress): ReplicaDescription {
  return { replicaId, logEndOffset: p.logEndOffset, lastFetchTick: p.lastFetchTick, lastCaughtUpTick: p.lastCaughtUpTick };
}

export class LeaderProgress {
  private readonly voters = new Map<number, VoterProgress>();
  /** Insertion order is fetch order: a fetching observer moves to the end. */
  private readonly observers = new Map<number, ReplicaProgress>();
  private checkQuorumStart: number;

  constructor(otherVoters: readonly number[], startOffset: number, now: number) {
    for (const id of otherVoters) this.voters.set(id, { ...newReplica(), matchOffset: startOffset, hasAckedBegin: false, lastBeginSentTick: now });
    this.checkQuorumStart = now;
  }

  has(voterId: number): boolean {
    return this.voters.has(voterId);
  }

  /**
   * Records a voter's fetch; `matchOffset` is set when the fetch proved the voter's log matches
   * ours below it. Returns whether the voter's match offset grew. It never shrinks: a follower
   * only drops entries that do not match ours, so a late duplicate fetch says nothing new.
   */
  onFetch(voterId: number, now: number, matchOffset: number | null, leaderEndOffset: number): boolean {
    const p = this.voters.get(voterId)!;
    recordFetch(p, now, matchOffset, leaderEndOffset);
    p.hasAckedBegin = true;
    if (matchOffset === null || matchOffset <= p.matchOffset) return false;
    p.matchOffset = matchOffset;
    return true;
  }

  /** Records an observer's fetch; it affects nothing but DescribeQuorum. */
  onObserverFetch(observerId: number, now: number, matchOffset: number | null, leaderEndOffset: number): void {
    const p = this.observers.get(observerId) ?? newReplica();
    this.observers.delete(observerId);
    this.observers.set(observerId, p);
    recordFetch(p, now, matchOffset, leaderEndOffset);
    if (this.observers.size > OBSERVERS_MAX) this.observers.delete(this.observers.keys().next().value!);
  }

  /** Forgets observers that have not fetched for `idleTicks` (a broker that went away). */
  expireObservers(now: number, idleTicks: number): void {
    for (const [id, p] of this.observers) {
      if (now - p.lastFetchTick < idleTicks) break; // fetch order: the rest are newer
      this.observers.delete(id);
    }
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

  /** The other voters' and the observers' states for DescribeQuorum. */
  describeVoter(voterId: number): ReplicaDescription | null {
    const p = this.voters.get(voterId);
    return p === undefined ? null : describe(voterId, p);
  }

  describeObservers(): ReplicaDescription[] {
    return [...this.observers].map(([id, p]) => describe(id, p)).sort((a, b) => a.replicaId - b.replicaId);
  }
}
