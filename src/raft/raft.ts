// The Raft core in the KRaft style (KIP-595, pre-vote from KIP-996): roles, elections, pull
// replication and the high watermark, as a synchronous state machine with no I/O. Inputs are
// step(message), tick(), propose(data), snapshot(...) and resign(); the output is ready(): what
// to persist, then send, then apply; advance() acknowledges it. Invariants: the epoch only moves
// forward and is persisted (with votedId, leaderId) before any message that depends on it; a
// leader never truncates its log; the high watermark never decreases and only an entry of the
// leader's own epoch becomes committed by counting replicas. Timers are tick counts; jitter comes
// from the injected Random. This class holds the roles and their transitions; the vote rules live
// in quorum.ts, the leader's bookkeeping in progress.ts, its fetch answers in fetch-answer.ts, the
// follower's in follower-fetch.ts, and the log in raft-log.ts.
//
// A node missing from config.voters is an observer (KIP-595): it is only ever unattached (looking
// for the leader, see leader-discovery.ts) or a follower, and it replicates, commits and applies
// like a voter follower, but never votes, campaigns or counts towards the high watermark. Any
// node may fetch from the leader; every other message is exchanged among voters only.

import { assert } from '../common/assert.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { ErrorCode } from '../protocol/errors.js';
import { answerFetch, answerFetchSnapshot, truncationOffset } from './fetch-answer.js';
import { FollowerFetch } from './follower-fetch.js';
import { LeaderDiscovery } from './leader-discovery.js';
import { LeaderProgress } from './progress.js';
import { canGrantPreVote, canGrantVote, majorityOf, type VoterView } from './quorum.js';
import { RaftLog } from './raft-log.js';
import type * as T from './types.js';

type Outgoing<M> = M extends T.RaftMessage ? Omit<M, 'from'> : never;

/** A leader forgets an observer that has not fetched for this many fetch timeouts. */
const OBSERVER_IDLE_FETCH_TIMEOUTS = 30;

function isFetchRequest(m: T.RaftMessage): m is T.FetchRequest | T.FetchSnapshotRequest {
  return m.type === 'FetchRequest' || m.type === 'FetchSnapshotRequest';
}

/** The read side of the log, for the driver and tests; only the core changes it. */
export type ReadonlyRaftLog = Pick<RaftLog, 'startOffset' | 'endOffset' | 'lastEpoch' | 'snapshot' | 'epochAt' | 'entryAt' | 'slice' | 'endOffsetForEpoch'>;

export class Raft {
  private readonly raftLog: RaftLog;
  private roleValue: T.Role = 'unattached';
  private epochValue = 0;
  private leaderIdValue = -1;
  private votedIdValue = -1;
  private isQuorumStateDirty = false;
  private highWatermarkValue: number;
  private appliedOffset: number;
  private now = 0;
  private electionDeadline = 0;
  private outbox: T.RaftMessage[] = [];
  private snapshotToApply: T.Snapshot | null = null;
  private isReadyOutstanding = false;
  // Role state: who granted this (pre-)vote round; the leader's and the follower's bookkeeping.
  private readonly granted = new Set<number>();
  private leaderProgress: LeaderProgress | null = null;
  private follower: FollowerFetch | null = null;
  /**
   * Fetches the leader holds (config.fetchWaitTicks), one per replica, with the tick their wait
   * ends. Not role state: settleHeldFetches answers them, with an error once we stop leading.
   */
  private readonly heldFetches = new Map<number, { request: T.FetchRequest; deadline: number }>();
  /** Fetch correlation ids only grow over the life of this instance. */
  private nextCorrelationId = 1;
  private readonly isObserverValue: boolean;
  /** An observer's search for the leader; null on voters. */
  private readonly discovery: LeaderDiscovery | null;

  constructor(
    readonly config: T.RaftConfig,
    storage: T.RaftStorage,
    private readonly random: T.Random,
    private readonly logger: Logger = silentLogger,
  ) {
    assert(config.voters.length > 0, 'the quorum needs at least one voter');
    assert(config.fetchWaitTicks >= 1 && config.fetchWaitTicks < config.requestTimeoutTicks, 'fetchWaitTicks must be at least 1 and below requestTimeoutTicks');
    this.isObserverValue = !config.voters.includes(config.nodeId);
    this.discovery = this.isObserverValue ? new LeaderDiscovery(config.voters, random.nextInt(config.voters.length)) : null;
    this.raftLog = new RaftLog(storage.snapshot, storage.entries);
    this.highWatermarkValue = this.log.startOffset;
    this.appliedOffset = this.log.startOffset;
    const qs = storage.quorumState;
    if (qs === null) {
      this.becomeUnattached(0, -1);
      return;
    }
    this.epochValue = qs.leaderEpoch;
    this.votedIdValue = qs.votedId;
    // A leader that restarts cannot know what it had replicated: it resigns (KIP-595).
    if (qs.leaderId === config.nodeId && !this.isObserverValue) this.becomeResigned();
    else if (qs.leaderId >= 0 && qs.leaderId !== config.nodeId) this.becomeFollower(qs.leaderEpoch, qs.leaderId);
    else this.becomeUnattached(qs.leaderEpoch, this.isObserverValue ? -1 : qs.votedId);
  }

  get log(): ReadonlyRaftLog {
    return this.raftLog;
  }
  get role(): T.Role {
    return this.roleValue;
  }
  get epoch(): number {
    return this.epochValue;
  }
  get leaderId(): number {
    return this.leaderIdValue;
  }
  get votedId(): number {
    return this.votedIdValue;
  }
  get highWatermark(): number {
    return this.highWatermarkValue;
  }
  get nodeId(): number {
    return this.config.nodeId;
  }
  /** Not in config.voters: replicates, never votes. */
  get isObserver(): boolean {
    return this.isObserverValue;
  }

  // ---- inputs -------------------------------------------------------------------------------

  tick(): void {
    this.assertNoReadyOutstanding();
    this.now++;
    this.tickRole();
    this.settleHeldFetches();
  }

  private tickRole(): void {
    switch (this.roleValue) {
      case 'leader':
        return this.tickLeader();
      case 'follower':
        return this.tickFollower();
      default:
        if (this.isObserverValue) return this.tickDiscovery();
        // The only voter has nobody to wait for, so it stands at its first tick (as KRaft does).
        if (this.now >= this.electionDeadline || this.config.voters.length === 1) this.becomeProspective();
    }
  }

  /** Appends `data` as a new entry if this node leads; returns its offset, or null. */
  propose(data: Buffer): number | null {
    this.assertNoReadyOutstanding();
    if (this.roleValue !== 'leader') return null;
    const offset = this.log.endOffset;
    this.raftLog.append({ offset, epoch: this.epochValue, data, isControl: false });
    this.maybeAdvanceLeaderHighWatermark();
    this.settleHeldFetches();
    return offset;
  }

  /** Replaces the log prefix below `endOffset` with `data`, the applied state up to there. */
  snapshot(endOffset: number, data: Buffer): void {
    this.assertNoReadyOutstanding();
    assert(endOffset <= this.appliedOffset, `snapshot at ${endOffset} beyond applied offset ${this.appliedOffset}`);
    const epoch = this.log.epochAt(endOffset - 1);
    assert(epoch !== null, `no entry before snapshot end ${endOffset}`);
    this.raftLog.compact({ id: { endOffset, epoch }, data });
  }

  /** Graceful hand-over: a leader stops, tells the voters, and lets them elect another. */
  resign(): void {
    this.assertNoReadyOutstanding();
    if (this.roleValue === 'leader') this.becomeResigned();
    this.settleHeldFetches();
  }

  step(m: T.RaftMessage): void {
    this.assertNoReadyOutstanding();
    assert(m.to === this.config.nodeId, `message for ${m.to} delivered to ${this.config.nodeId}`);
    this.dispatch(m);
    this.settleHeldFetches();
  }

  private dispatch(m: T.RaftMessage): void {
    // Anyone may fetch (observers do); all else is among voters, and observers only fetch.
    if (!isFetchRequest(m) && !this.config.voters.includes(m.from)) return;
    if (this.isObserverValue && !isFetchRequest(m) && m.type !== 'FetchResponse' && m.type !== 'FetchSnapshotResponse') return;
    switch (m.type) {
      case 'VoteRequest':
        return this.onVoteRequest(m);
      case 'VoteResponse':
        return this.onVoteResponse(m);
      case 'BeginQuorumEpochRequest':
        return this.onBeginQuorumEpoch(m);
      case 'BeginQuorumEpochResponse':
      case 'EndQuorumEpochResponse':
        return this.onQuorumEpochResponse(m);
      case 'EndQuorumEpochRequest':
        return this.onEndQuorumEpoch(m);
      case 'FetchRequest':
        return this.onFetchRequest(m);
      case 'FetchResponse':
        return this.onFetchResponse(m);
      case 'FetchSnapshotRequest':
        return this.onFetchSnapshotRequest(m);
      case 'FetchSnapshotResponse':
        return this.onFetchSnapshotResponse(m);
    }
  }

  // ---- output -------------------------------------------------------------------------------

  hasReady(): boolean {
    const u = this.raftLog.unpersisted();
    return u.snapshot !== null || u.logFromOffset !== null || this.isQuorumStateDirty || this.outbox.length > 0 || this.snapshotToApply !== null || this.appliedOffset < this.highWatermarkValue;
  }

  ready(): T.Ready {
    this.isReadyOutstanding = true;
    const u = this.raftLog.unpersisted();
    const from = Math.max(this.appliedOffset, this.log.startOffset);
    return {
      snapshot: u.snapshot,
      logFromOffset: u.logFromOffset,
      entries: u.entries,
      quorumState: this.isQuorumStateDirty ? this.quorumState() : null,
      messages: this.outbox,
      applySnapshot: this.snapshotToApply,
      committed: from < this.highWatermarkValue ? this.log.slice(from, this.highWatermarkValue) : [],
    };
  }

  /** Acknowledges the last ready(): all of it was persisted, sent and applied. */
  advance(): void {
    assert(this.isReadyOutstanding, 'advance() without ready()');
    this.isReadyOutstanding = false;
    this.raftLog.markPersisted();
    this.isQuorumStateDirty = false;
    this.outbox = [];
    this.snapshotToApply = null;
    this.appliedOffset = Math.max(this.appliedOffset, this.highWatermarkValue);
  }

  quorumState(): T.QuorumState {
    return { leaderEpoch: this.epochValue, leaderId: this.leaderIdValue, votedId: this.votedIdValue };
  }

  /** DescribeQuorum (API 55) as the leader sees it, times in ticks; null unless leading. */
  describeQuorum(): T.QuorumDescription | null {
    if (this.roleValue !== 'leader') return null;
    const progress = this.leaderProgress!;
    const self = { replicaId: this.config.nodeId, logEndOffset: this.log.endOffset, lastFetchTick: this.now, lastCaughtUpTick: this.now };
    return {
      leaderId: this.config.nodeId,
      leaderEpoch: this.epochValue,
      highWatermark: this.highWatermarkValue,
      voters: this.config.voters.map((id) => (id === this.config.nodeId ? self : progress.describeVoter(id)!)),
      observers: progress.describeObservers(),
    };
  }

  // ---- transitions --------------------------------------------------------------------------

  private setQuorumState(epoch: number, leaderId: number, votedId: number): void {
    assert(epoch >= this.epochValue, `epoch ${epoch} below ${this.epochValue}`);
    if (epoch !== this.epochValue || leaderId !== this.leaderIdValue || votedId !== this.votedIdValue) this.isQuorumStateDirty = true;
    this.epochValue = epoch;
    this.leaderIdValue = leaderId;
    this.votedIdValue = votedId;
  }

  private resetElectionTimer(): void {
    this.electionDeadline = this.now + this.config.electionTimeoutTicks + this.random.nextInt(this.config.electionJitterTicks);
  }

  private clearRoleState(): void {
    this.granted.clear();
    this.leaderProgress = null;
    this.follower = null;
  }

  private otherVoters(): number[] {
    return this.config.voters.filter((id) => id !== this.config.nodeId);
  }

  private becomeUnattached(epoch: number, votedId: number): void {
    this.clearRoleState();
    this.setQuorumState(epoch, -1, votedId);
    this.roleValue = 'unattached';
    if (this.discovery === null) return this.resetElectionTimer();
    this.discovery.restart();
    this.tickDiscovery();
  }

  /**
   * `hasLeaderContact`: whether the leader itself just spoke to us (BeginQuorumEpoch). Learning of
   * a leader second-hand (a peer's answer, our own quorum-state after a restart) does not make it
   * fresh: until a fetch succeeds we must not refuse pre-votes in its name, or two followers of a
   * dead leader can keep refusing each other's pre-votes (KIP-996 grants them unless the follower
   * has fetched from the leader recently).
   */
  private becomeFollower(epoch: number, leaderId: number, hasLeaderContact = false): void {
    assert(leaderId !== this.config.nodeId, 'cannot follow itself');
    const isNewLeader = epoch !== this.epochValue || leaderId !== this.leaderIdValue || this.roleValue !== 'follower';
    if (!isNewLeader) return;
    assert(!(epoch === this.epochValue && this.roleValue === 'leader'), `two leaders in epoch ${epoch}`);
    this.clearRoleState();
    this.setQuorumState(epoch, leaderId, epoch === this.epochValue ? this.votedIdValue : -1);
    this.roleValue = 'follower';
    // Jitter per leader, so that the followers of a dead leader do not all campaign at once.
    const fetchTimeoutTicks = this.config.fetchTimeoutTicks + this.random.nextInt(this.config.electionJitterTicks);
    this.follower = new FollowerFetch(leaderId, this.now, this.nextCorrelationId, fetchTimeoutTicks, hasLeaderContact);
    this.logger.info({ epoch, leaderId }, 'following leader');
    this.sendFetch();
  }

  /** Learned of a larger epoch from a message: follow its leader if it names one. */
  private observeEpoch(epoch: number, leaderId: number): void {
    if (epoch < this.epochValue) return;
    if (leaderId >= 0 && leaderId !== this.config.nodeId) this.becomeFollower(epoch, leaderId);
    else if (epoch > this.epochValue) this.becomeUnattached(epoch, -1);
  }

  private becomeProspective(): void {
    this.clearRoleState();
    this.roleValue = 'prospective';
    this.resetElectionTimer();
    this.granted.add(this.config.nodeId);
    this.sendVoteRequests(true);
    this.maybeWinElection();
  }

  private becomeCandidate(): void {
    this.clearRoleState();
    this.setQuorumState(this.epochValue + 1, -1, this.config.nodeId);
    this.roleValue = 'candidate';
    this.resetElectionTimer();
    this.granted.add(this.config.nodeId);
    this.logger.info({ epoch: this.epochValue }, 'became candidate');
    this.sendVoteRequests(false);
    this.maybeWinElection();
  }

  private becomeLeader(): void {
    this.clearRoleState();
    this.setQuorumState(this.epochValue, this.config.nodeId, this.votedIdValue);
    this.roleValue = 'leader';
    this.leaderProgress = new LeaderProgress(this.otherVoters(), this.log.startOffset, this.now);
    for (const id of this.otherVoters()) {
      this.send({ type: 'BeginQuorumEpochRequest', to: id, leaderId: this.config.nodeId, leaderEpoch: this.epochValue });
    }
    this.logger.info({ epoch: this.epochValue }, 'became leader');
    // KRaft's LeaderChangeMessage: an entry of our epoch lets earlier entries commit with it.
    this.raftLog.append({ offset: this.log.endOffset, epoch: this.epochValue, data: Buffer.alloc(0), isControl: true });
    this.maybeAdvanceLeaderHighWatermark();
  }

  private becomeResigned(): void {
    const preferred = this.leaderProgress?.preferredSuccessors() ?? this.otherVoters();
    this.clearRoleState();
    this.setQuorumState(this.epochValue, this.config.nodeId, this.votedIdValue);
    this.roleValue = 'resigned';
    this.resetElectionTimer();
    this.logger.info({ epoch: this.epochValue }, 'resigned');
    for (const id of this.otherVoters()) {
      this.send({ type: 'EndQuorumEpochRequest', to: id, leaderId: this.config.nodeId, leaderEpoch: this.epochValue, preferredSuccessors: preferred });
    }
  }

  // ---- elections ----------------------------------------------------------------------------

  private sendVoteRequests(preVote: boolean): void {
    for (const id of this.otherVoters()) {
      this.send({
        type: 'VoteRequest',
        to: id,
        candidateEpoch: preVote ? this.epochValue + 1 : this.epochValue,
        candidateId: this.config.nodeId,
        lastOffsetEpoch: this.log.lastEpoch,
        lastOffset: this.log.endOffset,
        preVote,
      });
    }
  }

  private maybeWinElection(): void {
    if (this.granted.size < majorityOf(this.config.voters.length)) return;
    if (this.roleValue === 'prospective') this.becomeCandidate();
    else if (this.roleValue === 'candidate') this.becomeLeader();
  }

  private onVoteRequest(m: T.VoteRequest): void {
    if (!m.preVote && m.candidateEpoch > this.epochValue) this.becomeUnattached(m.candidateEpoch, -1);
    const granted = m.preVote ? canGrantPreVote(this.voterView(), m) : canGrantVote(this.voterView(), m);
    if (granted && !m.preVote && this.votedIdValue !== m.candidateId) {
      // Unattached-with-vote (KIP-595's Voted state); the vote is persisted before the answer.
      // A repeated request changes nothing: we may already follow the candidate it elected.
      this.clearRoleState();
      this.setQuorumState(this.epochValue, -1, m.candidateId);
      this.roleValue = 'unattached';
      this.resetElectionTimer();
    }
    this.send({
      type: 'VoteResponse',
      to: m.from,
      errorCode: 0,
      leaderId: this.leaderIdValue,
      leaderEpoch: this.epochValue,
      voteGranted: granted,
      preVote: m.preVote,
    });
  }

  private voterView(): VoterView {
    return {
      role: this.roleValue,
      epoch: this.epochValue,
      leaderId: this.leaderIdValue,
      votedId: this.votedIdValue,
      lastEpoch: this.log.lastEpoch,
      endOffset: this.log.endOffset,
      hasFreshLeader: this.follower?.hasFreshLeader(this.now, this.config.fetchTimeoutTicks) ?? false,
    };
  }

  private onVoteResponse(m: T.VoteResponse): void {
    if (m.leaderEpoch > this.epochValue) return this.observeEpoch(m.leaderEpoch, m.leaderId);
    const isPreVoteRound = this.roleValue === 'prospective';
    if (!(isPreVoteRound || this.roleValue === 'candidate') || m.preVote !== isPreVoteRound) return;
    if (m.voteGranted) {
      if (m.preVote || m.leaderEpoch === this.epochValue) this.granted.add(m.from);
      return this.maybeWinElection();
    }
    // KIP-996: a prospective that hears of a live leader in its epoch goes back to following it.
    if (isPreVoteRound && m.leaderEpoch === this.epochValue && m.leaderId >= 0 && m.leaderId !== this.config.nodeId) {
      this.becomeFollower(m.leaderEpoch, m.leaderId);
    }
  }

  // ---- quorum epoch notices -----------------------------------------------------------------

  private onBeginQuorumEpoch(m: T.BeginQuorumEpochRequest): void {
    if (m.leaderEpoch >= this.epochValue && m.leaderId !== this.config.nodeId) this.becomeFollower(m.leaderEpoch, m.leaderId, m.from === m.leaderId);
    const errorCode = m.leaderEpoch < this.epochValue ? ErrorCode.FENCED_LEADER_EPOCH : 0;
    this.send({ type: 'BeginQuorumEpochResponse', to: m.from, errorCode, leaderId: this.leaderIdValue, leaderEpoch: this.epochValue });
  }

  private onQuorumEpochResponse(m: T.BeginQuorumEpochResponse | T.EndQuorumEpochResponse): void {
    if (m.leaderEpoch > this.epochValue) return this.observeEpoch(m.leaderEpoch, m.leaderId);
    if (m.type === 'BeginQuorumEpochResponse' && m.errorCode === 0 && m.leaderEpoch === this.epochValue) this.leaderProgress?.onBeginAcked(m.from);
  }

  /** The leader resigned: elect sooner, the best-replicated successors first (KIP-595). */
  private onEndQuorumEpoch(m: T.EndQuorumEpochRequest): void {
    if (m.leaderEpoch > this.epochValue) this.becomeUnattached(m.leaderEpoch, -1);
    else if (m.leaderEpoch === this.epochValue && this.follower?.leaderId === m.leaderId) {
      const rank = Math.max(0, m.preferredSuccessors.indexOf(this.config.nodeId));
      this.follower.onLeaderResigned(this.now + rank * 2 + this.random.nextInt(this.config.electionJitterTicks));
    }
    this.send({ type: 'EndQuorumEpochResponse', to: m.from, errorCode: 0, leaderId: this.leaderIdValue, leaderEpoch: this.epochValue });
  }

  // ---- leader: replication ------------------------------------------------------------------

  private tickLeader(): void {
    const progress = this.leaderProgress!;
    progress.expireObservers(this.now, OBSERVER_IDLE_FETCH_TIMEOUTS * this.config.fetchTimeoutTicks);
    for (const id of progress.takeBeginResends(this.now, this.config.requestTimeoutTicks)) {
      this.send({ type: 'BeginQuorumEpochRequest', to: id, leaderId: this.config.nodeId, leaderEpoch: this.epochValue });
    }
    // Check-quorum: without fetches from a majority for a whole period we may be cut off while
    // a newer leader serves the others; stop acting as leader.
    if (!progress.checkQuorum(this.now, this.config.fetchTimeoutTicks)) {
      this.logger.info({ epoch: this.epochValue }, 'check-quorum failed');
      this.becomeResigned();
    }
  }

  /** Whom fetch answers name as leader. A resigned leader names none: it knows no successor yet. */
  private currentLeader(): T.LeaderIdAndEpoch {
    return { leaderId: this.roleValue === 'resigned' ? -1 : this.leaderIdValue, leaderEpoch: this.epochValue };
  }

  /** Error for a request addressed to the leader of `epoch`, or 0 if we are that leader. */
  private leaderError(epoch: number): number {
    if (epoch < this.epochValue) return ErrorCode.FENCED_LEADER_EPOCH;
    if (epoch > this.epochValue) return ErrorCode.UNKNOWN_LEADER_EPOCH;
    return this.roleValue === 'leader' ? 0 : ErrorCode.NOT_LEADER_OR_FOLLOWER;
  }

  /**
   * `isHeldAnswer`: answering a fetch held since it arrived. Its progress was recorded then; the
   * replica sent nothing since, so recording it again would make a replica that went away look
   * alive (check-quorum, DescribeQuorum) for up to another wait.
   */
  private onFetchRequest(m: T.FetchRequest, isHeldAnswer = false): void {
    this.heldFetches.delete(m.from); // a newer fetch from the same replica replaces a held one
    const errorCode = this.leaderError(m.currentLeaderEpoch);
    const base = { type: 'FetchResponse' as const, to: m.from, correlationId: m.correlationId, currentLeader: this.currentLeader(), logStartOffset: this.log.startOffset };
    if (errorCode !== 0) {
      this.send({ ...base, errorCode, highWatermark: -1, divergingEpoch: null, snapshotId: null, records: [] });
      return;
    }
    const answer = answerFetch(this.raftLog, m.fetchOffset, m.lastFetchedEpoch, this.config.fetchEntriesMax);
    if (!isHeldAnswer) this.recordFetch(m.from, answer.matchOffset);
    if (!isHeldAnswer && this.hasNothingFor(m)) {
      this.heldFetches.set(m.from, { request: m, deadline: this.now + this.config.fetchWaitTicks });
      return;
    }
    const { divergingEpoch, snapshotId, records } = answer;
    this.send({ ...base, errorCode: 0, highWatermark: this.highWatermarkValue, divergingEpoch, snapshotId, records });
  }

  private recordFetch(replicaId: number, matchOffset: number | null): void {
    const progress = this.leaderProgress!;
    if (!progress.has(replicaId)) progress.onObserverFetch(replicaId, this.now, matchOffset, this.log.endOffset);
    else if (progress.onFetch(replicaId, this.now, matchOffset, this.log.endOffset)) this.maybeAdvanceLeaderHighWatermark();
  }

  /**
   * A fetch at our log end from a replica that has our high watermark would get an empty answer.
   * (At the log end with our last epoch it cannot diverge; a leader's log start never passes its
   * high watermark, so it needs no snapshot either.)
   */
  private hasNothingFor(m: T.FetchRequest): boolean {
    return this.roleValue === 'leader' && m.fetchOffset === this.log.endOffset && m.lastFetchedEpoch === this.log.lastEpoch && m.highWatermark >= this.highWatermarkValue;
  }

  /**
   * Answers each held fetch whose wait ended, or that now has news (entries, a higher high
   * watermark, a lost leadership). Runs after every input, and only an input changes the role or
   * epoch, so a fetch held while leading finds us still leading in its epoch or is answered here.
   */
  private settleHeldFetches(): void {
    for (const [id, held] of this.heldFetches) {
      if (this.now < held.deadline && this.hasNothingFor(held.request)) continue;
      this.heldFetches.delete(id);
      this.onFetchRequest(held.request, true);
    }
  }

  private maybeAdvanceLeaderHighWatermark(): void {
    const offset = this.leaderProgress!.majorityMatchOffset(this.log.endOffset);
    if (offset <= this.highWatermarkValue) return;
    // Raft's commit rule: count replicas only for an entry of our own epoch.
    if (this.log.epochAt(offset - 1) !== this.epochValue) return;
    this.highWatermarkValue = offset;
  }

  private onFetchSnapshotRequest(m: T.FetchSnapshotRequest): void {
    let errorCode = this.leaderError(m.currentLeaderEpoch);
    let size = 0;
    let chunk: Buffer = Buffer.alloc(0);
    if (errorCode === 0) {
      const progress = this.leaderProgress!;
      if (progress.has(m.from)) progress.onFetch(m.from, this.now, null, this.log.endOffset);
      else progress.onObserverFetch(m.from, this.now, null, this.log.endOffset);
      ({ errorCode, size, chunk } = answerFetchSnapshot(this.raftLog, m.snapshotId, m.position, this.config.snapshotChunkBytesMax));
    }
    this.send({
      type: 'FetchSnapshotResponse',
      to: m.from,
      correlationId: m.correlationId,
      errorCode,
      currentLeader: this.currentLeader(),
      snapshotId: m.snapshotId,
      size,
      position: m.position,
      unalignedRecords: chunk,
    });
  }

  // ---- follower: replication ----------------------------------------------------------------

  private tickFollower(): void {
    const follower = this.follower!;
    if (follower.isFetchTimedOut(this.now)) return this.isObserverValue ? this.rediscoverLeader() : this.becomeProspective();
    if (follower.shouldFetch(this.now, this.config.requestTimeoutTicks)) this.sendFetch();
  }

  private sendFetch(): void {
    const follower = this.follower!;
    follower.onSent(this.now);
    if (follower.download !== null) {
      const base = { to: follower.leaderId, correlationId: this.nextCorrelationId++, replicaId: this.config.nodeId, currentLeaderEpoch: this.epochValue };
      this.send({ ...base, type: 'FetchSnapshotRequest', snapshotId: follower.download.id, position: follower.download.received });
      return;
    }
    this.sendFetchRequest(follower.leaderId);
  }

  private sendFetchRequest(to: number): void {
    this.send({
      type: 'FetchRequest',
      to,
      correlationId: this.nextCorrelationId++,
      replicaId: this.config.nodeId,
      currentLeaderEpoch: this.epochValue,
      fetchOffset: this.log.endOffset,
      lastFetchedEpoch: this.log.lastEpoch,
      logStartOffset: this.log.startOffset,
      highWatermark: this.highWatermarkValue,
    });
  }

  // ---- observer: finding the leader ---------------------------------------------------------

  /** Without a leader, an observer asks one voter per request timeout, in rotation. */
  private tickDiscovery(): void {
    const voterId = this.discovery!.takeDue(this.now, this.config.requestTimeoutTicks);
    if (voterId !== null) this.sendFetchRequest(voterId);
  }

  /** An observer cannot campaign: when its leader goes quiet it looks for the leader again. */
  private rediscoverLeader(): void {
    this.logger.info({ epoch: this.epochValue, leaderId: this.leaderIdValue }, 'observer lost its leader; looking for it');
    this.becomeUnattached(this.epochValue, -1);
  }

  /**
   * An observer believes any voter that names the leader of an epoch at least its own: voters
   * name only a leader they have seen, and an epoch has one leader. Epochs without a named leader
   * teach it nothing, so its epoch always has a leader that voters will name. Returns true when
   * it changed course, which makes the answer itself stale.
   */
  private observerLearnsFrom(m: T.FetchResponse | T.FetchSnapshotResponse): boolean {
    const { leaderId, leaderEpoch } = m.currentLeader;
    const isFollowingSender = this.follower !== null && m.from === this.follower.leaderId && leaderEpoch === this.epochValue;
    if (isFollowingSender && leaderId < 0 && m.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER) {
      this.rediscoverLeader(); // our leader resigned
      return true;
    }
    if (leaderId < 0 || leaderId === this.config.nodeId || leaderEpoch < this.epochValue) return false;
    if (this.roleValue === 'follower' && leaderEpoch === this.epochValue) return false;
    this.becomeFollower(leaderEpoch, leaderId);
    return true;
  }

  /** Returns the follower state if `m` answers a still-valid fetch to our leader in our epoch. */
  private acceptAnswer(m: T.FetchResponse | T.FetchSnapshotResponse): FollowerFetch | null {
    if (this.isObserverValue) {
      if (this.observerLearnsFrom(m)) return null;
    } else if (m.currentLeader.leaderEpoch > this.epochValue) {
      this.observeEpoch(m.currentLeader.leaderEpoch, m.currentLeader.leaderId);
      return null;
    }
    const follower = this.follower;
    if (follower === null || m.from !== follower.leaderId || m.currentLeader.leaderEpoch !== this.epochValue) return null;
    if (!follower.acceptAnswer(m.correlationId, this.nextCorrelationId)) return null;
    if (m.errorCode === ErrorCode.SNAPSHOT_NOT_FOUND || m.errorCode === ErrorCode.POSITION_OUT_OF_RANGE) {
      // The leader replaced its snapshot while we downloaded it: start over with a plain fetch.
      follower.download = null;
      follower.onLogChanged(this.nextCorrelationId);
      return null;
    }
    if (m.errorCode !== 0) return null;
    follower.onLeaderContact(this.now);
    return follower;
  }

  private onFetchResponse(m: T.FetchResponse): void {
    const follower = this.acceptAnswer(m);
    if (follower === null) return;
    if (m.snapshotId !== null) {
      follower.download = { id: m.snapshotId, chunks: [], received: 0 };
      follower.onLogChanged(this.nextCorrelationId);
      return this.sendFetch();
    }
    if (m.divergingEpoch !== null) {
      this.raftLog.truncateTo(truncationOffset(this.raftLog, m.divergingEpoch, this.highWatermarkValue));
      follower.onLogChanged(this.nextCorrelationId);
      return this.sendFetch();
    }
    for (const r of m.records) {
      if (r.offset < this.log.endOffset) {
        assert(r.offset < this.log.startOffset || this.log.epochAt(r.offset) === r.epoch, `fetched entry ${r.offset} conflicts with the log`);
        continue;
      }
      this.raftLog.append(r);
    }
    // Our log now matches the leader's below its end, so the leader's HW applies up to there.
    const highWatermark = Math.min(m.highWatermark, this.log.endOffset);
    if (highWatermark > this.highWatermarkValue) this.highWatermarkValue = highWatermark;
    if (m.records.length > 0) follower.onLogChanged(this.nextCorrelationId);
    // The leader holds a fetch it has nothing for (fetchWaitTicks), so the next one goes at once.
    this.sendFetch();
  }

  private onFetchSnapshotResponse(m: T.FetchSnapshotResponse): void {
    const follower = this.acceptAnswer(m);
    const d = follower?.download;
    if (follower === null || d === null || d === undefined) return;
    if (d.id.endOffset !== m.snapshotId.endOffset || d.id.epoch !== m.snapshotId.epoch) return;
    if (m.position === d.received && m.unalignedRecords.length > 0) {
      d.chunks.push(Buffer.from(m.unalignedRecords));
      d.received += m.unalignedRecords.length;
    }
    if (d.received >= m.size) {
      follower.download = null;
      this.installSnapshot({ id: d.id, data: Buffer.concat(d.chunks) });
    }
    follower.onLogChanged(this.nextCorrelationId);
    this.sendFetch();
  }

  private installSnapshot(snapshot: T.Snapshot): void {
    if (snapshot.id.endOffset <= this.highWatermarkValue) return;
    this.raftLog.install(snapshot);
    this.highWatermarkValue = snapshot.id.endOffset;
    this.appliedOffset = snapshot.id.endOffset;
    this.snapshotToApply = snapshot;
    this.logger.info({ endOffset: snapshot.id.endOffset }, 'installed snapshot');
  }

  // ---- helpers ------------------------------------------------------------------------------

  private send(m: Outgoing<T.RaftMessage>): void {
    this.outbox.push({ ...m, from: this.config.nodeId } as T.RaftMessage);
  }

  private assertNoReadyOutstanding(): void {
    assert(!this.isReadyOutstanding, 'call advance() after ready() before feeding more input');
  }
}
