// The state of one classic group and the primitive operations on it, shared by the request
// handlers (join.ts, sync.ts, heartbeat.ts, leave.ts), the rebalance steps (rebalance.ts) and
// the timers (expiry.ts). Mirrors the fields of Kafka's ClassicGroup.
//
// Invariants:
// - `members` keeps join order (Map insertion order): the leader is re-elected from its head and
//   the leader's JoinGroup response lists members in this order.
// - `staticMembers` maps each static member's groupInstanceId to its current member id, and only
//   static members in `members` appear there.
// - `leaderId` is null exactly when there are no members, else it names a member.
// - A parked request is remembered on its member (awaitingJoinRequestId / awaitingSyncRequestId)
//   and is released exactly once, through completeJoin/completeSync, into the current output.
// - Deadlines are plain numbers (ms); nothing here reads a clock. expiry.ts fires them.

import { assert } from '../../common/assert.js';
import type { Logger } from '../../common/logger.js';
import { ErrorCode } from '../../protocol/errors.js';
import { EMPTY_ASSIGNMENT, isAwaitingJoin, metadataFor, type ClassicMember } from './member.js';
import type {
  ClassicGroupConfig,
  Completion,
  GroupOutput,
  GroupSnapshot,
  GroupState,
  JoinResponse,
  Protocol,
  SyncResponse,
} from './types.js';

export const DEFAULT_NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

/** The pending join-phase timer: Kafka's rebalance timeout, or a stage of the initial delay. */
export interface JoinTimer {
  deadlineMs: number;
  /** Present while the initial rebalance of an Empty group is being delayed (InitialDelayedJoin). */
  initial: { delayMs: number; remainingMs: number } | null;
}

const validPreviousStates: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export class GroupCore {
  readonly config: Required<ClassicGroupConfig>;

  state: GroupState = 'Empty';
  /** Kafka's previousState: a PreparingRebalance entered from Empty is the initial rebalance. */
  previousState: GroupState = 'Dead';
  stateTimestampMs = -1;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, ClassicMember>();
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, each with the deadline for its second JoinGroup. */
  readonly pendingJoinMembers = new Map<string, number>();
  /** Members of the current generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  joinTimer: JoinTimer | null = null;
  syncTimer: { deadlineMs: number; generationId: number } | null = null;
  /** A member joined during the initial delay, which extends it (InitialDelayedJoin). */
  newMemberAdded = false;
  /** The last GroupMetadataValue handed to the shell (see persist()). */
  persisted: GroupSnapshot;

  private out: GroupOutput = { completions: [], metadataChanged: false };

  constructor(
    readonly groupId: string,
    config: ClassicGroupConfig,
    readonly newId: () => string,
    readonly log: Logger,
  ) {
    this.config = { newMemberJoinTimeoutMs: DEFAULT_NEW_MEMBER_JOIN_TIMEOUT_MS, ...config };
    this.persisted = this.buildSnapshot();
  }

  // --- output of the current call ---

  begin(): void {
    this.out = { completions: [], metadataChanged: false };
  }

  finish(): GroupOutput {
    const out = this.out;
    this.out = { completions: [], metadataChanged: false };
    return out;
  }

  emit(completion: Completion): void {
    this.out.completions.push(completion);
  }

  /** Record a point where Kafka writes the group to __consumer_offsets. */
  persist(): void {
    this.persisted = this.buildSnapshot();
    this.out.metadataChanged = true;
  }

  // --- queries ---

  memberList(): ClassicMember[] {
    return [...this.members.values()];
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  numAwaitingJoin(): number {
    let n = 0;
    for (const member of this.members.values()) if (isAwaitingJoin(member)) n++;
    return n;
  }

  /** Every member has rejoined and no MEMBER_ID_REQUIRED member is still expected. */
  hasAllMembersJoined(): boolean {
    return this.numAwaitingJoin() === this.members.size && this.pendingJoinMembers.size === 0;
  }

  /** The group's rebalance timeout: the largest of its members'. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const member of this.members.values()) max = Math.max(max, member.rebalanceTimeoutMs);
    return max;
  }

  canRebalance(): boolean {
    return validPreviousStates.PreparingRebalance.includes(this.state);
  }

  /**
   * Kafka's ClassicGroup.validateMember: a static member must present the member id currently
   * bound to its instance id (else FENCED_INSTANCE_ID, or UNKNOWN_MEMBER_ID for an unknown
   * instance), and the member id must belong to the group.
   */
  validateMember(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = this.staticMembers.get(groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (current !== memberId) {
        this.log.info({ memberId, groupInstanceId, current }, 'static member fenced');
        return ErrorCode.FENCED_INSTANCE_ID;
      }
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  // --- transitions and membership ---

  transitionTo(next: GroupState, nowMs: number): void {
    assert(validPreviousStates[next].includes(this.state), `group ${this.groupId}: ${this.state} -> ${next}`);
    this.previousState = this.state;
    this.state = next;
    this.stateTimestampMs = nowMs;
  }

  add(member: ClassicMember, joinRequestId: number): void {
    if (member.groupInstanceId !== null) {
      assert(!this.staticMembers.has(member.groupInstanceId), `instance ${member.groupInstanceId} is already a member`);
      this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.members.size === 0) this.protocolType = member.protocolType;
    assert(this.protocolType === member.protocolType, 'member protocol type differs from the group');
    if (this.leaderId === null) this.leaderId = member.memberId;
    member.awaitingJoinRequestId = joinRequestId;
    this.members.set(member.memberId, member);
    this.pendingJoinMembers.delete(member.memberId);
  }

  /** Kafka's ClassicGroup.remove; the caller has released the member's parked requests. */
  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (member !== undefined) {
      assert(member.awaitingJoinRequestId === null && member.awaitingSyncRequestId === null, `removing ${memberId} with a parked request`);
      this.members.delete(memberId);
      if (member.groupInstanceId !== null) this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.isLeader(memberId)) {
      this.leaderId = this.members.keys().next().value ?? null;
    }
    this.pendingJoinMembers.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
  }

  /**
   * Remove a member, first answering its parked requests with UNKNOWN_MEMBER_ID so that a client
   * still waiting rejoins as a new member. (Kafka answers a parked JoinGroup so; a parked SyncGroup
   * of a removed member it leaves to the client's request timeout, which we do not rely on.)
   */
  removeAndRelease(memberId: string): void {
    const member = this.members.get(memberId);
    if (member === undefined) return;
    this.completeJoin(member, joinErrorResponse('', ErrorCode.UNKNOWN_MEMBER_ID));
    this.completeSync(member, syncErrorResponse(ErrorCode.UNKNOWN_MEMBER_ID));
    this.remove(memberId);
  }

  /**
   * Kafka's ClassicGroup.replaceStaticMember: the instance's member moves to `newMemberId`, keeping
   * its assignment, and the old member id is fenced: its parked requests get FENCED_INSTANCE_ID.
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): ClassicMember {
    const member = this.members.get(oldMemberId);
    assert(member !== undefined, `cannot replace unknown member ${oldMemberId}`);
    this.completeJoin(member, joinErrorResponse(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    this.completeSync(member, syncErrorResponse(ErrorCode.FENCED_INSTANCE_ID));
    this.members.delete(oldMemberId);
    const replacement: ClassicMember = { ...member, memberId: newMemberId, isNew: false, heartbeatDeadlineMs: null };
    this.members.set(newMemberId, replacement);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    // The new incarnation owes the SyncGroup the old one owed (Kafka leaves the old id pending,
    // which can only end in a needless rebalance).
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    return replacement;
  }

  /** Kafka's ClassicGroup.updateMember, parking `joinRequestId` (null: park nothing). */
  updateMember(member: ClassicMember, protocols: Protocol[], rebalanceTimeoutMs: number, sessionTimeoutMs: number, joinRequestId: number | null): void {
    member.protocols = protocols;
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    // A second JoinGroup while one is parked replaces it; Kafka drops the first silently, we
    // answer it so that no request is left waiting forever.
    this.completeJoin(member, joinErrorResponse(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
    member.awaitingJoinRequestId = joinRequestId;
  }

  /** Release a parked JoinGroup; false if the member had none. */
  completeJoin(member: ClassicMember, response: JoinResponse): boolean {
    if (member.awaitingJoinRequestId === null) return false;
    this.emit({ requestId: member.awaitingJoinRequestId, kind: 'join', response });
    member.awaitingJoinRequestId = null;
    return true;
  }

  /** Release a parked SyncGroup; false if the member had none. */
  completeSync(member: ClassicMember, response: SyncResponse): boolean {
    if (member.awaitingSyncRequestId === null) return false;
    this.emit({ requestId: member.awaitingSyncRequestId, kind: 'sync', response });
    member.awaitingSyncRequestId = null;
    return true;
  }

  rescheduleHeartbeat(member: ClassicMember, nowMs: number, timeoutMs = member.sessionTimeoutMs): void {
    member.heartbeatDeadlineMs = nowMs + timeoutMs;
  }

  /** The JoinGroup response for `member` in the current generation. */
  currentJoinResponse(member: ClassicMember, leaderId: string | null = this.leaderId): JoinResponse {
    return {
      errorCode: ErrorCode.NONE,
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: leaderId ?? '',
      skipAssignment: false,
      memberId: member.memberId,
      members: this.isLeader(member.memberId) ? this.currentMemberMetadata() : [],
    };
  }

  /** What the leader assigns from: every member with its metadata for the selected protocol. */
  currentMemberMetadata(): JoinResponse['members'] {
    assert(this.state !== 'Dead' && this.state !== 'PreparingRebalance', `no member metadata in ${this.state}`);
    return this.memberList().map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: metadataFor(m, this.protocolName),
    }));
  }

  buildSnapshot(): GroupSnapshot {
    return {
      protocolType: this.protocolType ?? '',
      generation: this.generationId,
      protocol: this.protocolName,
      leader: this.leaderId,
      currentStateTimestamp: this.stateTimestampMs,
      members: this.memberList().map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: metadataFor(m, this.protocolName),
        assignment: m.assignment,
      })),
    };
  }
}

/** A JoinGroup error response, as Kafka fills it (no generation, protocol or leader). */
export function joinErrorResponse(memberId: string, errorCode: number): JoinResponse {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId,
    members: [],
  };
}

export function syncErrorResponse(errorCode: number): SyncResponse {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT };
}
