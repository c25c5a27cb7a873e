// ClassicGroup: one consumer group under the classic (JoinGroup/SyncGroup) protocol, as a pure
// state machine. The coordinator shell owns sockets, timers and __consumer_offsets; it feeds
// requests and the time in, and gets back responses (`completions`, including those of requests
// parked earlier), whether to persist `snapshot()`, and the next deadline at which to call
// `expire()`. Nothing here reads a clock, draws randomness (member ids come from `newId`) or
// does I/O. Cooperative rebalancing (KIP-429) needs nothing here: the broker only runs
// generations; clients decide what to revoke.
//
// The behaviour follows Kafka's GroupMetadataManager/ClassicGroup; each file of this folder says
// where and why it differs.

import type { Logger } from '../../common/logger.js';
import { ErrorCode } from '../../protocol/errors.js';
import { GroupCore, joinErrorResponse, syncErrorResponse } from './group-core.js';
import { expireDue, nextDue } from './expiry.js';
import { handleHeartbeat } from './heartbeat.js';
import { handleJoin } from './join.js';
import { handleLeave } from './leave.js';
import { validateOffsetCommit, validateOffsetFetch } from './offset-checks.js';
import { describeGroup, restoreCore } from './snapshot.js';
import { handleSync } from './sync.js';
import type {
  ClassicGroupConfig,
  GroupDescription,
  GroupOutput,
  GroupSnapshot,
  GroupState,
  HeartbeatRequest,
  JoinRequest,
  LeaveRequest,
  LeaveResponse,
  SyncRequest,
} from './types.js';

export class ClassicGroup {
  #core: GroupCore;

  constructor(groupId: string, config: ClassicGroupConfig, newId: () => string, logger: Logger) {
    this.#core = new GroupCore(groupId, config, newId, logger.child({ groupId, groupType: 'classic' }));
  }

  /**
   * Rebuild a group from its last GroupMetadataValue after a coordinator (re)load. `groupId`
   * comes from the record's key; pass it (it names the group in logs and `groupId`).
   */
  static restore(snapshot: GroupSnapshot, nowMs: number, config: ClassicGroupConfig, newId: () => string, logger: Logger, groupId = ''): ClassicGroup {
    const group = new ClassicGroup(groupId, config, newId, logger);
    group.#core = restoreCore(groupId, snapshot, nowMs, config, newId, group.#core.log);
    return group;
  }

  get groupId(): string {
    return this.#core.groupId;
  }
  get state(): GroupState {
    return this.#core.state;
  }
  get generationId(): number {
    return this.#core.generationId;
  }
  get protocolType(): string | null {
    return this.#core.protocolType;
  }
  get protocolName(): string | null {
    return this.#core.protocolName;
  }
  get leaderId(): string | null {
    return this.#core.leaderId;
  }
  /** Number of members (pending MEMBER_ID_REQUIRED ids are not members). */
  get size(): number {
    return this.#core.members.size;
  }

  /** Member ids in join order. */
  memberIds(): string[] {
    return [...this.#core.members.keys()];
  }

  hasMember(memberId: string): boolean {
    return this.#core.members.has(memberId);
  }

  /** Member ids handed out with MEMBER_ID_REQUIRED whose second JoinGroup has not come yet. */
  pendingMemberIds(): string[] {
    return [...this.#core.pendingJoinMembers.keys()];
  }

  /** The join's own response is among the completions, now or from a later call. */
  join(nowMs: number, req: JoinRequest): GroupOutput {
    return this.#run(() => handleJoin(this.#core, nowMs, req));
  }

  /** The sync's own response is among the completions, now or from a later call. */
  sync(nowMs: number, req: SyncRequest): GroupOutput {
    return this.#run(() => handleSync(this.#core, nowMs, req));
  }

  heartbeat(nowMs: number, req: HeartbeatRequest): { errorCode: number } {
    return handleHeartbeat(this.#core, nowMs, req);
  }

  leave(nowMs: number, req: LeaveRequest): { response: LeaveResponse; output: GroupOutput } {
    let response!: LeaveResponse;
    const output = this.#run(() => {
      response = handleLeave(this.#core, nowMs, req);
    });
    return { response, output };
  }

  /** Fire every deadline <= nowMs (sessions, rebalance timeout, initial delay, sync timeout). */
  expire(nowMs: number): GroupOutput {
    return this.#run(() => expireDue(this.#core, nowMs));
  }

  /** The earliest pending deadline, or null; the shell calls expire() then. */
  nextDeadlineMs(): number | null {
    return this.#core.state === 'Dead' ? null : (nextDue(this.#core)?.atMs ?? null);
  }

  /**
   * OffsetCommit (and, with isTransactional, TxnOffsetCommit) admission: NONE, or
   * COORDINATOR_NOT_AVAILABLE, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, ILLEGAL_GENERATION,
   * REBALANCE_IN_PROGRESS. Generation -1 with an empty member id is a "simple" commit, allowed
   * only while the group is Empty.
   */
  validateOffsetCommit(memberId: string, groupInstanceId: string | null, generationId: number, isTransactional = false): number {
    return validateOffsetCommit(this.#core, memberId, groupInstanceId, generationId, isTransactional);
  }

  /** OffsetFetch v9 member checks: NONE for a classic group unless it is Dead (GROUP_ID_NOT_FOUND). */
  validateOffsetFetch(_memberId: string | null, _memberEpoch: number): number {
    return validateOffsetFetch(this.#core);
  }

  describe(): GroupDescription {
    return describeGroup(this.#core);
  }

  /**
   * The GroupMetadataValue to write: the group as of the last point where Kafka persists it (see
   * GroupOutput.metadataChanged), so it is safe to call at any time. A generation that is still
   * rebalancing is never written: reloading it would hand out assignments nobody computed.
   */
  snapshot(): GroupSnapshot {
    return this.#core.persisted;
  }

  /**
   * DeleteGroups, or the offsets partition moved away: the group is Dead and parked requests
   * complete with NOT_COORDINATOR (the client finds the new coordinator and rejoins). Returns
   * those completions; afterwards every request gets COORDINATOR_NOT_AVAILABLE.
   */
  markDead(): GroupOutput {
    return this.#run(() => {
      const core = this.#core;
      for (const member of core.members.values()) {
        core.completeJoin(member, joinErrorResponse(member.memberId, ErrorCode.NOT_COORDINATOR));
        core.completeSync(member, syncErrorResponse(ErrorCode.NOT_COORDINATOR));
        member.heartbeatDeadlineMs = null;
      }
      core.transitionTo('Dead', core.stateTimestampMs);
      core.joinTimer = null;
      core.syncTimer = null;
      core.pendingJoinMembers.clear();
      core.pendingSyncMembers.clear();
      core.log.info({}, 'group is dead');
    });
  }

  #run(body: () => void): GroupOutput {
    this.#core.begin();
    body();
    return this.#core.finish();
  }
}
