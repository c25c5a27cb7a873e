// Quorum arithmetic for a static voter set: majorities, the up-to-date log comparison used to
// grant votes (KIP-595: compare LastOffsetEpoch, then LastOffset), and the leader's per-voter
// replication progress from which the high watermark follows. Pure functions and plain data.

export function majorityOf(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/** True when a candidate's log (lastEpoch, endOffset) is at least as up to date as ours. */
export function isLogUpToDate(candidateEpoch: number, candidateEndOffset: number, ourEpoch: number, ourEndOffset: number): boolean {
  if (candidateEpoch !== ourEpoch) return candidateEpoch > ourEpoch;
  return candidateEndOffset >= ourEndOffset;
}

/** What a leader knows about one other voter during its epoch. */
export interface VoterProgress {
  /** The follower's log matches ours below this offset (its latest valid fetch offset). */
  matchOffset: number;
  /** Tick of the latest fetch in this epoch; -1 if none yet (check-quorum input). */
  lastFetchTick: number;
  /** Whether the voter acknowledged BeginQuorumEpoch or fetched; until then we resend it. */
  hasAckedBegin: boolean;
  lastBeginSentTick: number;
}

/**
 * The offset a majority of voters (counting the leader's own log end) has replicated: sort the
 * match offsets descending and take the majority-th. The caller still applies Raft's rule that
 * only an entry of the leader's own epoch may become committed by counting.
 */
export function majorityMatchOffset(ownEndOffset: number, others: Iterable<VoterProgress>, voterCount: number): number {
  const offsets = [ownEndOffset];
  for (const p of others) offsets.push(p.matchOffset);
  offsets.sort((a, b) => b - a);
  return offsets[majorityOf(voterCount) - 1]!;
}

/** Voters ordered by replication progress, best first: EndQuorumEpoch's PreferredSuccessors. */
export function preferredSuccessors(progress: ReadonlyMap<number, VoterProgress>): number[] {
  return [...progress.entries()].sort((a, b) => b[1].matchOffset - a[1].matchOffset || a[0] - b[0]).map(([id]) => id);
}
