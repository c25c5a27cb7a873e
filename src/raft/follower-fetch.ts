// What a follower tracks about fetching from its leader in one epoch: the outstanding request
// (retried after the request timeout), which answers are still valid, leader contact for the
// fetch timeout and for refusing pre-votes, and a snapshot being downloaded in chunks.
//
// Validity: every Fetch sent since the log last changed carried the same fetch offset and last
// fetched epoch, so an answer to any of them may be applied, even one that arrives after a
// retry; answers to older requests are dropped. Ids come from the Raft instance and only grow.

import type { SnapshotId } from './types.js';

export interface SnapshotDownload {
  readonly id: SnapshotId;
  readonly chunks: Buffer[];
  received: number;
}

export class FollowerFetch {
  private pendingSentTick: number | null = null;
  private oldestValidCorrelationId: number;
  private lastContactTick: number;
  /** False once the leader said it resigned (EndQuorumEpoch): its silence is then expected. */
  private isContactValid = true;
  download: SnapshotDownload | null = null;

  constructor(
    readonly leaderId: number,
    now: number,
    nextCorrelationId: number,
    /** fetch timeout plus this follower's jitter for this leader */
    private readonly fetchTimeoutTicks: number,
    /** Whether the leader itself was just heard from; else it counts as fresh only after a fetch. */
    hasLeaderContact: boolean,
  ) {
    this.lastContactTick = now;
    this.isContactValid = hasLeaderContact;
    this.oldestValidCorrelationId = nextCorrelationId;
  }

  /** Requests from `nextCorrelationId` on describe the changed log; older answers are stale. */
  onLogChanged(nextCorrelationId: number): void {
    this.oldestValidCorrelationId = nextCorrelationId;
  }

  onSent(now: number): void {
    this.pendingSentTick = now;
  }

  /** Whether to send a fetch now: none outstanding, or the outstanding one timed out. */
  shouldFetch(now: number, requestTimeoutTicks: number): boolean {
    return this.pendingSentTick === null || now - this.pendingSentTick >= requestTimeoutTicks;
  }

  /** Takes an answer if it belongs to a request sent since the log last changed. */
  acceptAnswer(correlationId: number, nextCorrelationId: number): boolean {
    if (correlationId < this.oldestValidCorrelationId || correlationId >= nextCorrelationId) return false;
    this.pendingSentTick = null;
    return true;
  }

  onLeaderContact(now: number): void {
    this.lastContactTick = now;
    this.isContactValid = true;
  }

  /** EndQuorumEpoch: the leader is going; campaign at `deadline` rather than after the timeout. */
  onLeaderResigned(deadline: number): void {
    this.isContactValid = false;
    this.lastContactTick = deadline - this.fetchTimeoutTicks;
  }

  hasFreshLeader(now: number, fetchTimeoutTicks: number): boolean {
    return this.isContactValid && now - this.lastContactTick < fetchTimeoutTicks;
  }

  isFetchTimedOut(now: number): boolean {
    return now - this.lastContactTick >= this.fetchTimeoutTicks;
  }
}
