// The plain data the Raft core takes in and hands out: log entries, snapshots, the persisted
// quorum state, the messages (shaped like the fields of the Kafka schemas so the driver can map
// them onto the generated codecs), the Ready batch and the injected Random. No behaviour here.

/** One metadata log entry. `isControl` marks the leader-change record a new leader appends. */
export interface Entry {
  readonly offset: number;
  readonly epoch: number;
  readonly data: Buffer;
  readonly isControl: boolean;
}

/** SnapshotId as in FetchSnapshot: the snapshot holds every entry below `endOffset`. */
export interface SnapshotId {
  readonly endOffset: number;
  /** Epoch of the entry at endOffset - 1 (0 for the empty snapshot). */
  readonly epoch: number;
}

export interface Snapshot {
  readonly id: SnapshotId;
  readonly data: Buffer;
}

/** QuorumStateData (internal/raft/QuorumStateData.json): what must survive a restart. */
export interface QuorumState {
  readonly leaderEpoch: number;
  readonly leaderId: number;
  readonly votedId: number;
}

export interface LeaderIdAndEpoch {
  readonly leaderId: number;
  readonly leaderEpoch: number;
}

interface Envelope {
  readonly from: number;
  readonly to: number;
}

/**
 * VoteRequest v0-1 fields plus `preVote` (KIP-996 adds PreVote in v2). A pre-vote carries the
 * epoch the prospective would campaign in (its epoch + 1) and changes no state at the receiver.
 */
export interface VoteRequest extends Envelope {
  readonly type: 'VoteRequest';
  readonly candidateEpoch: number;
  readonly candidateId: number;
  readonly lastOffsetEpoch: number;
  readonly lastOffset: number;
  readonly preVote: boolean;
}

export interface VoteResponse extends Envelope {
  readonly type: 'VoteResponse';
  readonly errorCode: number;
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly voteGranted: boolean;
  /** Echo of the request's flag, so a late pre-vote answer is never counted as a vote. */
  readonly preVote: boolean;
}

export interface BeginQuorumEpochRequest extends Envelope {
  readonly type: 'BeginQuorumEpochRequest';
  readonly leaderId: number;
  readonly leaderEpoch: number;
}

export interface BeginQuorumEpochResponse extends Envelope {
  readonly type: 'BeginQuorumEpochResponse';
  readonly errorCode: number;
  readonly leaderId: number;
  readonly leaderEpoch: number;
}

export interface EndQuorumEpochRequest extends Envelope {
  readonly type: 'EndQuorumEpochRequest';
  readonly leaderId: number;
  readonly leaderEpoch: number;
  /** Voters ordered by how far they have replicated, best first (PreferredSuccessors, v0). */
  readonly preferredSuccessors: readonly number[];
}

export interface EndQuorumEpochResponse extends Envelope {
  readonly type: 'EndQuorumEpochResponse';
  readonly errorCode: number;
  readonly leaderId: number;
  readonly leaderEpoch: number;
}

/**
 * Fetch from a voter to its leader. `correlationId` stands for the request header's correlation
 * id: the follower only applies answers to fetches sent since its log last changed. The driver
 * must not deliver answers to requests of an earlier incarnation of the node (a restart opens new
 * connections, so TCP already ensures this).
 */
export interface FetchRequest extends Envelope {
  readonly type: 'FetchRequest';
  readonly correlationId: number;
  readonly replicaId: number;
  readonly currentLeaderEpoch: number;
  readonly fetchOffset: number;
  readonly lastFetchedEpoch: number;
  readonly logStartOffset: number;
  /** The follower's high watermark: while it equals the leader's, an empty answer can wait. */
  readonly highWatermark: number;
}

export interface FetchResponse extends Envelope {
  readonly type: 'FetchResponse';
  readonly correlationId: number;
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly currentLeader: LeaderIdAndEpoch;
  /** Set when the follower's log diverges: truncate to at most `endOffset`. */
  readonly divergingEpoch: { readonly epoch: number; readonly endOffset: number } | null;
  /** Set when the follower is behind the leader's log start: fetch this snapshot. */
  readonly snapshotId: SnapshotId | null;
  readonly records: readonly Entry[];
}

export interface FetchSnapshotRequest extends Envelope {
  readonly type: 'FetchSnapshotRequest';
  readonly correlationId: number;
  readonly replicaId: number;
  readonly currentLeaderEpoch: number;
  readonly snapshotId: SnapshotId;
  readonly position: number;
}

export interface FetchSnapshotResponse extends Envelope {
  readonly type: 'FetchSnapshotResponse';
  readonly correlationId: number;
  readonly errorCode: number;
  readonly currentLeader: LeaderIdAndEpoch;
  readonly snapshotId: SnapshotId;
  readonly size: number;
  readonly position: number;
  readonly unalignedRecords: Buffer;
}

export type RaftMessage =
  | VoteRequest
  | VoteResponse
  | BeginQuorumEpochRequest
  | BeginQuorumEpochResponse
  | EndQuorumEpochRequest
  | EndQuorumEpochResponse
  | FetchRequest
  | FetchResponse
  | FetchSnapshotRequest
  | FetchSnapshotResponse;

/**
 * What the driver must do, in this order: persist `snapshot` (then drop log entries below its
 * end offset), truncate the durable log to `logFromOffset` and append `entries`, persist
 * `quorumState`, fsync; only then send `messages`, load `applySnapshot` and apply `committed`;
 * finally call `advance()`.
 */
export interface Ready {
  readonly snapshot: Snapshot | null;
  /** null: the durable log is unchanged; else truncate it to this offset, then append `entries`. */
  readonly logFromOffset: number | null;
  readonly entries: readonly Entry[];
  readonly quorumState: QuorumState | null;
  readonly messages: readonly RaftMessage[];
  /** A snapshot installed from the leader: the state machine replaces its state with it. */
  readonly applySnapshot: Snapshot | null;
  /** Newly committed entries, below the high watermark, in offset order. */
  readonly committed: readonly Entry[];
}

/** Seeded randomness for election jitter; the shell and the simulation inject their own. */
export interface Random {
  /** An integer in [0, bound). */
  nextInt(bound: number): number;
}

export interface RaftConfig {
  readonly nodeId: number;
  /**
   * controller.quorum.voters: the static voter ids. A node not listed is an observer (KIP-595): it
   * replicates the log from the leader but never votes or campaigns.
   */
  readonly voters: readonly number[];
  /** Base election timeout; each round adds a jitter in [0, electionJitterTicks). */
  readonly electionTimeoutTicks: number;
  readonly electionJitterTicks: number;
  /** A follower without a successful fetch for this long starts a pre-vote; check-quorum period. */
  readonly fetchTimeoutTicks: number;
  /** A request with no answer after this long is sent again. */
  readonly requestTimeoutTicks: number;
  /**
   * How long a leader holds a fetch it has nothing new for (no entries, and the follower already
   * has the high watermark) before answering it empty: KRaft's fetch purgatory. Followers fetch
   * again as soon as an answer arrives, so an idle quorum exchanges a fetch per follower per
   * wait instead of one per tick, and a new entry or high watermark reaches them at once. At
   * least 1 and below requestTimeoutTicks.
   */
  readonly fetchWaitTicks: number;
  readonly fetchEntriesMax: number;
  readonly snapshotChunkBytesMax: number;
}

/** What the driver read back from disk at start-up. */
export interface RaftStorage {
  readonly quorumState: QuorumState | null;
  readonly snapshot: Snapshot | null;
  /** Entries from the snapshot's end offset (or 0) on, contiguous. */
  readonly entries: readonly Entry[];
}

/** An observer is only ever 'unattached' (looking for the leader) or 'follower'. */
export type Role = 'unattached' | 'prospective' | 'candidate' | 'leader' | 'follower' | 'resigned';

/**
 * One replica in the leader's DescribeQuorum view (ReplicaState in DescribeQuorumResponse), with
 * times as core ticks; -1 where unknown.
 */
export interface ReplicaDescription {
  readonly replicaId: number;
  /** The offset below which its log is known to match the leader's; -1 before its first fetch. */
  readonly logEndOffset: number;
  readonly lastFetchTick: number;
  /** The latest tick at which it had everything the leader had. */
  readonly lastCaughtUpTick: number;
}

/** The leader's answer to DescribeQuorum (API 55), per the DescribeQuorumResponse partition. */
export interface QuorumDescription {
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly highWatermark: number;
  /** Every voter in config order, the leader included (its own log end, now as its times). */
  readonly voters: readonly ReplicaDescription[];
  /** Observers that fetched during this leader's epoch, by id. */
  readonly observers: readonly ReplicaDescription[];
}
