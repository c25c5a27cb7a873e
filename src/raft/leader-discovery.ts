// How an observer (a non-voter, KIP-595) finds the leader: it cannot hold elections nor expect
// BeginQuorumEpoch, so while it knows no leader it sends a Fetch to one voter per request
// timeout, rotating through the voters, and learns the leader from the currentLeader any voter
// puts in its answer. This holds the rotation and the timing; the Raft class sends and learns.

export class LeaderDiscovery {
  private nextIndex: number;
  /** Tick of the last question; null: ask at the next chance. */
  private lastSentTick: number | null = null;

  constructor(
    private readonly voters: readonly number[],
    /** Where the rotation starts; random per node, so observers do not all ask the same voter. */
    firstIndex: number,
  ) {
    this.nextIndex = firstIndex % voters.length;
  }

  /** Starts a search: the next question is due at once. */
  restart(): void {
    this.lastSentTick = null;
  }

  /** The voter to ask now, or null while the previous question may still be answered. */
  takeDue(now: number, requestTimeoutTicks: number): number | null {
    if (this.lastSentTick !== null && now - this.lastSentTick < requestTimeoutTicks) return null;
    this.lastSentTick = now;
    const id = this.voters[this.nextIndex]!;
    this.nextIndex = (this.nextIndex + 1) % this.voters.length;
    return id;
  }
}
