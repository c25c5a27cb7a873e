// JoinGroup for a classic group, after Kafka's GroupMetadataManager.classicGroupJoin.
//
// Version notes: v0 has no rebalance timeout (the session timeout stands in). v4+ (KIP-394): a
// dynamic member joining with an empty member id gets MEMBER_ID_REQUIRED with a fresh id and must
// join again with it; until then the id is "pending" and holds the join phase open, for at most
// its session timeout. v0-3 join at once. v5+ carry groupInstanceId (KIP-345 static membership):
// a static member never gets MEMBER_ID_REQUIRED, and one rejoining with an empty member id
// replaces its previous incarnation, whose member id is fenced. v9 has SkipAssignment (KIP-814),
// which we always answer false.
//
// The response is a Completion: immediate for errors and for members whose metadata is
// unchanged outside a rebalance, else parked until the join phase completes.

import { assert } from '../../common/assert.js';
import { ErrorCode } from '../../protocol/errors.js';
import { joinErrorResponse, type GroupCore } from './group-core.js';
import { isAwaitingJoin, newMember, protocolsMatch, type ClassicMember } from './member.js';
import { selectProtocol, supportsProtocols } from './protocol-selection.js';
import { maybeCompleteJoinPhase, maybePrepareRebalanceOrCompleteJoin, prepareRebalance } from './rebalance.js';
import type { JoinRequest, JoinResponse } from './types.js';

/** The first JoinGroup version that requires a member id from the coordinator (KIP-394). */
const MEMBER_ID_REQUIRED_MIN_VERSION = 4;

export function handleJoin(core: GroupCore, nowMs: number, req: JoinRequest): void {
  const reply = (response: JoinResponse): void => core.emit({ requestId: req.requestId, kind: 'join', response });
  const { minSessionTimeoutMs, maxSessionTimeoutMs } = core.config;
  if (req.sessionTimeoutMs < minSessionTimeoutMs || req.sessionTimeoutMs > maxSessionTimeoutMs) {
    return reply(joinErrorResponse(req.memberId, ErrorCode.INVALID_SESSION_TIMEOUT));
  }
  const member = joiningMember(core, req);
  if (!acceptJoiningMember(core, member)) {
    // A known member beyond the limit is removed, as Kafka does when the limit was lowered.
    if (member !== undefined) {
      core.removeAndRelease(member.memberId);
      maybeCompleteJoinPhase(core, nowMs);
    }
    return reply(joinErrorResponse('', ErrorCode.GROUP_MAX_SIZE_REACHED));
  }
  if (core.state === 'Dead') {
    return reply(joinErrorResponse(req.memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
  }
  const protocolNames = req.protocols.map((p) => p.name);
  if (!supportsProtocols(core.state === 'Empty', core.protocolType, core.memberList(), req.protocolType, protocolNames)) {
    return reply(joinErrorResponse(req.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
  }
  if (req.memberId === '') joinNewMember(core, nowMs, req);
  else joinExistingMember(core, nowMs, req);
}

/**
 * group.max.size, after Kafka's acceptJoiningMember. Outside a rebalance, known members are
 * accepted and new ones while the group is below maxSize. While rebalancing, Kafka counts the
 * members that have rejoined; but static members that have not rejoined are kept when the join
 * phase ends, so Kafka can end up above the limit. We count what the next generation will hold:
 * rejoined members plus static ones. A rejoined member is always accepted, a static member that
 * has not rejoined yet unless the group is over the limit (after a reload with a lower limit),
 * anyone else only below the limit. A static member rejoining with an empty member id counts as
 * the member it replaces (Kafka counts it as new).
 */
function acceptJoiningMember(core: GroupCore, member: ClassicMember | undefined): boolean {
  const { maxSize } = core.config;
  switch (core.state) {
    case 'Empty':
    case 'Dead':
      return true;
    case 'PreparingRebalance': {
      if (member !== undefined && isAwaitingJoin(member)) return true;
      const nextGenerationSize = core.memberList().filter((m) => isAwaitingJoin(m) || m.groupInstanceId !== null).length;
      if (member !== undefined && member.groupInstanceId !== null) return nextGenerationSize <= maxSize;
      return nextGenerationSize < maxSize;
    }
    case 'CompletingRebalance':
    case 'Stable':
      return member !== undefined || core.members.size < maxSize;
  }
}

/** The member a JoinGroup speaks for: by member id, or by instance id for a restarted static member. */
function joiningMember(core: GroupCore, req: JoinRequest): ClassicMember | undefined {
  if (req.memberId !== '') return core.members.get(req.memberId);
  if (req.groupInstanceId !== null) {
    const memberId = core.staticMembers.get(req.groupInstanceId);
    return memberId === undefined ? undefined : core.members.get(memberId);
  }
  return undefined;
}

function joinNewMember(core: GroupCore, nowMs: number, req: JoinRequest): void {
  // Kafka's member ids: "<group.instance.id or client.id>-<random>".
  const newMemberId = `${req.groupInstanceId ?? req.clientId}-${core.newId()}`;
  if (req.groupInstanceId !== null) {
    const existing = core.staticMembers.get(req.groupInstanceId);
    if (existing !== undefined) {
      core.log.info({ groupInstanceId: req.groupInstanceId, oldMemberId: existing, newMemberId }, 'static member rejoins with a new member id');
      return updateStaticMember(core, nowMs, req, existing, newMemberId);
    }
    return addMemberThenRebalance(core, nowMs, req, newMemberId);
  }
  if (req.apiVersion >= MEMBER_ID_REQUIRED_MIN_VERSION) {
    core.pendingJoinMembers.set(newMemberId, nowMs + req.sessionTimeoutMs);
    core.log.debug({ memberId: newMemberId }, 'new dynamic member must rejoin with its member id');
    core.emit({ requestId: req.requestId, kind: 'join', response: joinErrorResponse(newMemberId, ErrorCode.MEMBER_ID_REQUIRED) });
    return;
  }
  addMemberThenRebalance(core, nowMs, req, newMemberId);
}

function joinExistingMember(core: GroupCore, nowMs: number, req: JoinRequest): void {
  const reply = (response: JoinResponse): void => core.emit({ requestId: req.requestId, kind: 'join', response });
  if (req.groupInstanceId === null && core.pendingJoinMembers.has(req.memberId)) {
    return addMemberThenRebalance(core, nowMs, req, req.memberId);
  }
  const errorCode = core.validateMember(req.memberId, req.groupInstanceId);
  if (errorCode !== ErrorCode.NONE) return reply(joinErrorResponse(req.memberId, errorCode));

  const member = core.members.get(req.memberId)!;
  const isUnchanged = protocolsMatch(member.protocols, req.protocols);
  switch (core.state) {
    case 'PreparingRebalance':
      return updateMemberThenRebalance(core, nowMs, req, member, `member ${member.memberId} joining during PreparingRebalance`);
    case 'CompletingRebalance':
      // Unchanged metadata: the member probably missed its JoinGroup response; resend it.
      if (isUnchanged) return reply(core.currentJoinResponse(member));
      return updateMemberThenRebalance(core, nowMs, req, member, `metadata of ${member.memberId} changed during CompletingRebalance`);
    case 'Stable':
      // The leader rejoining forces a rebalance: that is how it reacts to changes its assignor
      // sees that no member's metadata shows (new partitions, for a consumer group).
      if (core.isLeader(member.memberId)) return updateMemberThenRebalance(core, nowMs, req, member, `leader ${member.memberId} rejoined`);
      if (!isUnchanged) return updateMemberThenRebalance(core, nowMs, req, member, `metadata of ${member.memberId} changed`);
      return reply(core.currentJoinResponse(member));
    case 'Empty':
    case 'Dead':
      return reply(joinErrorResponse(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
  }
}

function rebalanceTimeoutOf(req: JoinRequest): number {
  return req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs;
}

function addMemberThenRebalance(core: GroupCore, nowMs: number, req: JoinRequest, memberId: string): void {
  const member = newMember({
    memberId,
    groupInstanceId: req.groupInstanceId,
    clientId: req.clientId,
    clientHost: req.clientHost,
    protocolType: req.protocolType,
    rebalanceTimeoutMs: rebalanceTimeoutOf(req),
    sessionTimeoutMs: req.sessionTimeoutMs,
    protocols: req.protocols,
  });
  member.isNew = true;
  if (core.state === 'PreparingRebalance' && core.previousState === 'Empty') core.newMemberAdded = true;
  core.add(member, req.requestId);
  core.rescheduleHeartbeat(member, nowMs, core.config.newMemberJoinTimeoutMs);
  core.log.info({ memberId, groupInstanceId: req.groupInstanceId, clientId: req.clientId }, 'member added');
  maybePrepareRebalanceOrCompleteJoin(core, nowMs, `adding member ${memberId}; client reason: ${req.reason ?? 'not provided'}`);
}

function updateMemberThenRebalance(core: GroupCore, nowMs: number, req: JoinRequest, member: ClassicMember, reason: string): void {
  core.updateMember(member, req.protocols, rebalanceTimeoutOf(req), req.sessionTimeoutMs, req.requestId);
  maybePrepareRebalanceOrCompleteJoin(core, nowMs, `${reason}; client reason: ${req.reason ?? 'not provided'}`);
}

/**
 * KIP-345: a static member restarted. It takes over the old member's place and assignment. While
 * Stable with unchanged protocols that is all: the old generation and assignment stand and the
 * response names the previous leader id, so that this member never believes it must assign (the
 * new assignment of a leader would not be propagated by a Stable group). Changed protocols mean
 * a rebalance. (Kafka rebalances only if the selected protocol would change; we also rebalance
 * when the member's metadata, e.g. its subscription, changed, so that the leader sees it.)
 */
function updateStaticMember(core: GroupCore, nowMs: number, req: JoinRequest, oldMemberId: string, newMemberId: string): void {
  const previousLeader = core.leaderId;
  const member = core.replaceStaticMember(req.groupInstanceId!, oldMemberId, newMemberId);
  core.rescheduleHeartbeat(member, nowMs);
  const isUnchanged = protocolsMatch(member.protocols, req.protocols);
  core.updateMember(member, req.protocols, rebalanceTimeoutOf(req), req.sessionTimeoutMs, req.requestId);
  const reason = `static member ${newMemberId} (instance ${req.groupInstanceId}) rejoined; client reason: ${req.reason ?? 'not provided'}`;
  switch (core.state) {
    case 'Stable':
      if (isUnchanged && core.protocolName === selectProtocol(core.memberList())) {
        core.log.info({ memberId: newMemberId, groupInstanceId: req.groupInstanceId }, 'static member replaced without a rebalance');
        core.persist();
        core.completeJoin(member, { ...core.currentJoinResponse(member, previousLeader), members: [] });
        return;
      }
      return maybePrepareRebalanceOrCompleteJoin(core, nowMs, reason);
    case 'CompletingRebalance':
      // The leader may already be assigning to the old member id: start over.
      return prepareRebalance(core, nowMs, reason);
    case 'PreparingRebalance':
      return maybeCompleteJoinPhase(core, nowMs);
    case 'Empty':
    case 'Dead':
      assert(false, `static member replaced in ${core.state}`);
  }
}
