// Quorum rules for a static voter set: majorities, the up-to-date log comparison (KIP-595:
// compare LastOffsetEpoch, then LastOffset), and whether a voter may grant a vote or a pre-vote
// (KIP-996). Pure functions over a read-only view of the voter; the Raft class acts on the answer.

import type { Role, VoteRequest } from './types.js';

export function majorityOf(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/** True when a candidate's log (lastEpoch, endOffset) is at least as up to date as ours. */
export function isLogUpToDate(candidateEpoch: number, candidateEndOffset: number, ourEpoch: number, ourEndOffset: number): boolean {
  if (candidateEpoch !== ourEpoch) return candidateEpoch > ourEpoch;
  return candidateEndOffset >= ourEndOffset;
}

/** What the vote rules need to know about the voter answering. */
export interface VoterView {
  readonly role: Role;
  readonly epoch: number;
  readonly leaderId: number;
  readonly votedId: number;
  readonly lastEpoch: number;
  readonly endOffset: number;
  /** A follower that fetched successfully within the fetch timeout. */
  readonly hasFreshLeader: boolean;
}

function isCandidateLogUpToDate(v: VoterView, m: VoteRequest): boolean {
  return isLogUpToDate(m.lastOffsetEpoch, m.lastOffset, v.lastEpoch, v.endOffset);
}

/**
 * A real vote, asked after the voter moved to the candidate's epoch: one vote per epoch (a repeat
 * for the same candidate is fine), none once a leader of the epoch is known, and only for a log
 * at least as up to date as ours.
 */
export function canGrantVote(v: VoterView, m: VoteRequest): boolean {
  if (m.candidateEpoch !== v.epoch) return false;
  if (v.votedId === m.candidateId) return true;
  if (v.votedId !== -1 || v.leaderId !== -1) return false;
  return isCandidateLogUpToDate(v, m);
}

/**
 * KIP-996: a pre-vote changes nothing at the voter and ignores its vote. Refuse it while a leader
 * is known to be alive (we lead, or fetched successfully within the fetch timeout), so a node
 * returning from a partition cannot force an election on a healthy quorum.
 */
export function canGrantPreVote(v: VoterView, m: VoteRequest): boolean {
  if (m.candidateEpoch < v.epoch) return false;
  if (v.role === 'leader') return false;
  if (v.role === 'follower' && v.hasFreshLeader) return false;
  return isCandidateLogUpToDate(v, m);
}
