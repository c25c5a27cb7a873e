// One KIP-848 consumer group ("group.protocol=consumer"), as a synchronous state machine: the
// coordinator feeds it ConsumerGroupHeartbeat requests, the time, and topic metadata, and gets back
// responses and whether durable state changed. It does no I/O and owns no timers: `expire(nowMs)`
// applies session and rebalance timeouts, and `nextDeadlineMs()` says when to call it.
//
// The three epochs of KIP-848:
// - the group epoch bumps when membership, a subscription, or the subscribed topics' metadata
//   changes;
// - the assignment epoch is the group epoch the target assignment was computed at. This class
//   recomputes the target as soon as the group epoch bumps, so the two are equal after every call
//   and the 'assigning' state is never observed from outside;
// - each member's epoch reaches the assignment epoch once the member owns no partition it must
//   give up (see reconcile.ts for the rules that keep two members from owning a partition).
// Invariants (asserted): a partition is held by at most one member; the target assignment covers
// exactly the current members.
//
// Left to the coordinator: routing by group id, creating and deleting groups, persisting the
// snapshot when `changed` is true, offsets, authorization, and calling onTopicsChanged when
// topic metadata changes (regex subscriptions are resolved only then and when a regex changes).

import { assert } from '../../common/assert.js';
import type { Logger } from '../../common/logger.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ConsumerGroupDescribeResponseDescribedGroup } from '../../protocol/generated/consumer-group-describe-response.js';
import type { ConsumerGroupHeartbeatRequest } from '../../protocol/generated/consumer-group-heartbeat-request.js';
import type { ConsumerGroupHeartbeatResponseInput } from '../../protocol/generated/consumer-group-heartbeat-response.js';
import { assignorByName } from '../assignors/index.js';
import { describeGroup } from './describe.js';
import { hasSubscriptionChanged, isAssignmentEqual, isMetadataEqual, withRequestMetadata } from './member.js';
import { findLeavingMember, findMember, type FoundMember, type MemberLookup } from './member-lookup.js';
import { PartitionHolders } from './partition-holders.js';
import {
  fromEntries,
  NO_PARTITIONS,
  partitionsEqual,
  toEntries,
  type PartitionsByTopic,
} from './partitions-by-topic.js';
import { reconcile } from './reconcile.js';
import { Subscriptions } from './subscriptions.js';
import { memberFromSnapshot, memberToSnapshot, type ConsumerGroupSnapshot } from './snapshot.js';
import type { ClientInfo, ConsumerGroupConfig, ConsumerGroupMember, ConsumerGroupState, TopicsView } from './types.js';
import {
  JOIN_GROUP_MEMBER_EPOCH,
  LEAVE_GROUP_MEMBER_EPOCH,
  LEAVE_GROUP_STATIC_MEMBER_EPOCH,
  rejection,
  validateConsumerGroupHeartbeat,
  type Rejection,
} from './validate.js';

export interface HeartbeatResult {
  response: ConsumerGroupHeartbeatResponseInput;
  /** Whether durable state (see snapshot.ts) changed and should be persisted. */
  changed: boolean;
}

const NO_CLIENT: ClientInfo = { clientId: '', clientHost: '' };

export class ConsumerGroup {
  readonly groupId: string;
  readonly #config: ConsumerGroupConfig;
  readonly #newId: () => string;
  readonly #log: Logger;
  #isDead = false;
  #groupEpoch = 0;
  #assignmentEpoch = 0;
  readonly #members = new Map<string, ConsumerGroupMember>();
  /** instanceId → memberId, for static members. */
  readonly #staticMembers = new Map<string, string>();
  /** memberId → target assignment at #assignmentEpoch. */
  #targetAssignment = new Map<string, PartitionsByTopic>();
  readonly #holders = new PartitionHolders();
  readonly #subscriptions = new Subscriptions();
  readonly #sessionDeadlineMs = new Map<string, number>();
  /** Only for members in unrevoked-partitions: fenced if they have not revoked by then. */
  readonly #rebalanceDeadlineMs = new Map<string, number>();

  constructor(groupId: string, config: ConsumerGroupConfig, newId: () => string, logger: Logger) {
    assert(config.assignors.length > 0, 'a consumer group needs at least one assignor');
    for (const name of config.assignors) assert(assignorByName(name) !== undefined, `unknown assignor ${name}`);
    this.groupId = groupId;
    this.#config = config;
    this.#newId = newId;
    this.#log = logger.child({ groupId, groupType: 'consumer' });
  }

  get state(): ConsumerGroupState {
    if (this.#isDead) return 'dead';
    if (this.#members.size === 0) return 'empty';
    if (this.#groupEpoch > this.#assignmentEpoch) return 'assigning';
    for (const m of this.#members.values()) {
      if (m.state !== 'stable' || m.memberEpoch !== this.#assignmentEpoch) return 'reconciling';
    }
    return 'stable';
  }

  get groupEpoch(): number {
    return this.#groupEpoch;
  }

  get assignmentEpoch(): number {
    return this.#assignmentEpoch;
  }

  get size(): number {
    return this.#members.size;
  }

  /**
   * Handles one ConsumerGroupHeartbeat (v0-1). Epoch 0 joins (or rejoins), -1 leaves, -2 is a
   * static member leaving for a while; anything else is a regular heartbeat at that epoch.
   */
  heartbeat(
    nowMs: number,
    apiVersion: number,
    req: ConsumerGroupHeartbeatRequest,
    topics: TopicsView,
    client: ClientInfo = NO_CLIENT,
  ): HeartbeatResult {
    if (this.#isDead) {
      return rejected(rejection(ErrorCode.COORDINATOR_NOT_AVAILABLE, `Group ${this.groupId} is no longer loaded here.`));
    }
    const invalid = validateConsumerGroupHeartbeat(apiVersion, req, this.#config.assignors);
    if (invalid !== null) return rejected(invalid);
    assert(req.groupId === this.groupId, `a heartbeat for ${req.groupId} reached group ${this.groupId}`);
    if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      return this.#leave(nowMs, req);
    }
    // A known member may always heartbeat; only newcomers count against the limit.
    if (!this.#members.has(req.memberId) && this.#members.size >= this.#config.maxSize) {
      return rejected(
        rejection(
          ErrorCode.GROUP_MAX_SIZE_REACHED,
          `The consumer group has reached its maximum capacity of ${this.#config.maxSize} members.`,
        ),
      );
    }
    const memberId = req.memberId === '' ? this.#newId() : req.memberId; // v0 joins only (validated)
    const found = findMember(this.#lookup(), memberId, req);
    if ('errorCode' in found) return rejected(found);
    return this.#memberHeartbeat(nowMs, req, topics, client, found);
  }

  /** Applies session timeouts and rebalance timeouts (members stuck revoking) due at `nowMs`. */
  expire(nowMs: number): { changed: boolean } {
    if (this.#isDead) return { changed: false };
    const removals: [ConsumerGroupMember, string][] = [];
    for (const m of this.#members.values()) {
      const sessionDeadlineMs = this.#sessionDeadlineMs.get(m.memberId);
      assert(sessionDeadlineMs !== undefined, `member ${m.memberId} has no session deadline`);
      if (sessionDeadlineMs <= nowMs) removals.push([m, 'session timeout']);
      else if ((this.#rebalanceDeadlineMs.get(m.memberId) ?? Infinity) <= nowMs) removals.push([m, 'rebalance timeout']);
    }
    if (removals.length === 0) return { changed: false };
    this.#removeMembers(removals);
    return { changed: true };
  }

  /** The earliest time `expire` has something to do, or null. */
  nextDeadlineMs(): number | null {
    let next: number | null = null;
    for (const map of [this.#sessionDeadlineMs, this.#rebalanceDeadlineMs]) {
      for (const deadline of map.values()) if (next === null || deadline < next) next = deadline;
    }
    return next;
  }

  /**
   * Topic metadata changed (topics created or deleted, partitions added): re-resolve regex
   * subscriptions, and if what the members subscribe to changed, bump the group epoch and
   * recompute the target assignment. Members learn of it on their next heartbeat.
   */
  onTopicsChanged(nowMs: number, topics: TopicsView): { changed: boolean } {
    if (this.#isDead) return { changed: false };
    const regexChanged = this.#subscriptions.refreshRegexes(this.#members.values(), topics);
    const metadataChanged = this.#subscriptions.refreshMetadata(this.#members.values(), topics);
    if (!regexChanged && !metadataChanged) return { changed: false };
    this.#log.debug({ nowMs, regexChanged, metadataChanged }, 'subscribed topics changed');
    this.#bumpGroupEpoch('subscribed topic metadata changed', null);
    this.#computeTargetAssignment();
    return { changed: true };
  }

  /**
   * OffsetCommit v9+ from this group: NONE, UNKNOWN_MEMBER_ID or STALE_MEMBER_EPOCH. A negative
   * epoch (an admin client, or a consumer outside group management) may commit only while the
   * group has no members.
   */
  validateOffsetCommit(memberId: string, memberEpoch: number): number {
    if (memberEpoch < 0 && this.#members.size === 0) return ErrorCode.NONE;
    const member = this.#members.get(memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    return memberEpoch === member.memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
  }

  /** OffsetFetch v9+: a null member id with a negative epoch (admin, or no membership) is always allowed. */
  validateOffsetFetch(memberId: string | null, memberEpoch: number): number {
    if (memberId === null && memberEpoch < 0) return ErrorCode.NONE;
    const member = memberId === null ? undefined : this.#members.get(memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    return memberEpoch === member.memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
  }

  describe(topics: TopicsView): ConsumerGroupDescribeResponseDescribedGroup {
    return describeGroup(
      {
        groupId: this.groupId,
        state: this.state,
        groupEpoch: this.#groupEpoch,
        assignmentEpoch: this.#assignmentEpoch,
        assignorName: this.#preferredAssignor(),
        members: this.#members.values(),
        targetAssignment: this.#targetAssignment,
      },
      topics,
    );
  }

  /** The group was deleted or unloaded: it answers nothing more and has no deadlines. */
  markDead(): void {
    this.#isDead = true;
    this.#sessionDeadlineMs.clear();
    this.#rebalanceDeadlineMs.clear();
    this.#log.info({ groupEpoch: this.#groupEpoch }, 'group marked dead');
  }

  /** The durable state, as plain data (see snapshot.ts). */
  snapshot(): ConsumerGroupSnapshot {
    return {
      groupId: this.groupId,
      groupEpoch: this.#groupEpoch,
      assignmentEpoch: this.#assignmentEpoch,
      subscriptionMetadata: this.#subscriptions.snapshot(),
      members: [...this.#members.values()].map(memberToSnapshot),
      targetAssignment: [...this.#targetAssignment].map(([memberId, value]) => ({
        memberId,
        topicPartitions: toEntries(value),
      })),
    };
  }

  /**
   * Rebuilds a group from a snapshot, e.g. when this broker becomes the coordinator. Every member
   * gets a fresh session; members still revoking get a fresh rebalance timeout. Topic changes made
   * while the group was not loaded are applied as by onTopicsChanged.
   */
  static restore(
    snapshot: ConsumerGroupSnapshot,
    config: ConsumerGroupConfig,
    newId: () => string,
    logger: Logger,
    nowMs: number,
    topics: TopicsView,
  ): ConsumerGroup {
    const group = new ConsumerGroup(snapshot.groupId, config, newId, logger);
    group.#groupEpoch = snapshot.groupEpoch;
    group.#assignmentEpoch = snapshot.assignmentEpoch;
    for (const s of snapshot.members) {
      const member = memberFromSnapshot(s);
      group.#putMember(member);
      group.#sessionDeadlineMs.set(member.memberId, nowMs + config.sessionTimeoutMs);
      if (member.state === 'unrevoked-partitions') {
        group.#rebalanceDeadlineMs.set(member.memberId, nowMs + member.rebalanceTimeoutMs);
      }
    }
    for (const t of snapshot.targetAssignment) {
      assert(group.#members.has(t.memberId), `target assignment for unknown member ${t.memberId}`);
      group.#targetAssignment.set(t.memberId, fromEntries(t.topicPartitions)!);
    }
    group.#subscriptions.restore(snapshot.subscriptionMetadata, group.#members.values(), topics);
    if (group.#groupEpoch > group.#assignmentEpoch) group.#computeTargetAssignment();
    group.onTopicsChanged(nowMs, topics);
    return group;
  }

  // --- heartbeat paths ---

  #memberHeartbeat(
    nowMs: number,
    req: ConsumerGroupHeartbeatRequest,
    topics: TopicsView,
    client: ClientInfo,
    found: FoundMember,
  ): HeartbeatResult {
    const { member: base, stored } = found;
    const memberId = base.memberId;
    const updated = withRequestMetadata(base, req, client);
    const isNewMember = stored === null;
    const isReplacement = stored !== null && stored.memberId !== memberId;
    const isSubscriptionChanged = hasSubscriptionChanged(base, updated);
    let changed = isNewMember || isReplacement || !isMetadataEqual(base, updated);

    if (isReplacement) this.#replaceStaticMember(stored, updated);
    else this.#putMember(updated);
    if (isNewMember) this.#log.info({ memberId, instanceId: updated.instanceId }, 'member joined');
    if (isSubscriptionChanged || isNewMember) this.#subscriptions.membersChanged(this.#members.values(), topics);

    let bumpReason = isNewMember ? 'member joined' : isSubscriptionChanged ? 'subscription changed' : null;
    if (this.#subscriptions.refreshMetadata(this.#members.values(), topics)) {
      bumpReason ??= 'subscribed topic metadata changed';
    }
    if (bumpReason !== null) this.#bumpGroupEpoch(bumpReason, memberId);
    if (this.#groupEpoch > this.#assignmentEpoch) {
      this.#computeTargetAssignment();
      changed = true;
    }
    if (this.#reconcileMember(nowMs, memberId, req)) changed = true;
    this.#sessionDeadlineMs.set(memberId, nowMs + this.#config.sessionTimeoutMs);

    const after = this.#members.get(memberId)!;
    // Kafka sends the assignment on a (re)join, on a full request (what a client sends after an
    // error, so it resynchronizes), and when the assignment changed; otherwise null.
    const isFullRequest =
      req.rebalanceTimeoutMs !== -1 &&
      (req.subscribedTopicNames !== null || req.subscribedTopicRegex !== null) &&
      req.topicPartitions !== null;
    const isAssignmentSent =
      req.memberEpoch === JOIN_GROUP_MEMBER_EPOCH ||
      isFullRequest ||
      !partitionsEqual(base.assignedPartitions, after.assignedPartitions);
    return {
      response: {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        memberId,
        memberEpoch: after.memberEpoch,
        heartbeatIntervalMs: this.#config.heartbeatIntervalMs,
        assignment: isAssignmentSent ? { topicPartitions: toEntries(after.assignedPartitions) } : null,
      },
      changed,
    };
  }

  /** Moves the member one step toward its target; returns whether its assignment record changed. */
  #reconcileMember(nowMs: number, memberId: string, req: ConsumerGroupHeartbeatRequest): boolean {
    const before = this.#members.get(memberId)!;
    const after = reconcile({
      member: before,
      targetEpoch: this.#assignmentEpoch,
      target: this.#targetAssignment.get(memberId) ?? NO_PARTITIONS,
      isHeldByOther: (topicId, partition) => {
        const holder = this.#holders.holderOf(topicId, partition);
        return holder !== undefined && holder !== memberId;
      },
      ownedPartitions: fromEntries(req.topicPartitions),
    });
    if (isAssignmentEqual(before, after)) return false;
    this.#putMember(after);
    if (after.state !== 'unrevoked-partitions') {
      this.#rebalanceDeadlineMs.delete(memberId);
    } else if (
      before.state !== 'unrevoked-partitions' ||
      !partitionsEqual(before.partitionsPendingRevocation, after.partitionsPendingRevocation)
    ) {
      this.#rebalanceDeadlineMs.set(memberId, nowMs + after.rebalanceTimeoutMs);
    }
    this.#log.debug(
      {
        memberId,
        memberEpoch: after.memberEpoch,
        memberState: after.state,
        assigned: toEntries(after.assignedPartitions),
        pendingRevocation: toEntries(after.partitionsPendingRevocation),
      },
      'member assignment updated',
    );
    return true;
  }

  #leave(nowMs: number, req: ConsumerGroupHeartbeatRequest): HeartbeatResult {
    const member = findLeavingMember(this.#lookup(), req);
    if ('errorCode' in member) return rejected(member);
    if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      // The static member keeps its assignment (no epoch bump, nobody else gets its partitions)
      // for one session timeout, waiting for a process with its instance id to take over.
      this.#putMember({
        ...member,
        memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH,
        state: 'stable',
        partitionsPendingRevocation: NO_PARTITIONS,
      });
      this.#rebalanceDeadlineMs.delete(member.memberId);
      this.#sessionDeadlineMs.set(member.memberId, nowMs + this.#config.sessionTimeoutMs);
      this.#log.info({ memberId: member.memberId, instanceId: member.instanceId }, 'static member left temporarily');
    } else {
      this.#removeMembers([[member, 'left the group']]);
    }
    return {
      response: {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        memberId: member.memberId,
        memberEpoch: req.memberEpoch,
        heartbeatIntervalMs: 0,
        assignment: null,
      },
      changed: true,
    };
  }

  #lookup(): MemberLookup {
    return { groupId: this.groupId, members: this.#members, staticMembers: this.#staticMembers };
  }

  // --- membership and assignment bookkeeping ---

  /** Installs a member record, keeping the partition holders and the instance-id index in step. */
  #putMember(member: ConsumerGroupMember): void {
    const before = this.#members.get(member.memberId);
    this.#holders.replace(before, member);
    this.#members.set(member.memberId, member);
    if (before?.instanceId != null && before.instanceId !== member.instanceId) {
      this.#staticMembers.delete(before.instanceId);
    }
    if (member.instanceId !== null) this.#staticMembers.set(member.instanceId, member.memberId);
  }

  /** A new process took over a departed static member's instance id: it inherits everything. */
  #replaceStaticMember(old: ConsumerGroupMember, successor: ConsumerGroupMember): void {
    this.#holders.release(old);
    this.#members.delete(old.memberId);
    this.#sessionDeadlineMs.delete(old.memberId);
    this.#rebalanceDeadlineMs.delete(old.memberId);
    const target = this.#targetAssignment.get(old.memberId);
    this.#targetAssignment.delete(old.memberId);
    if (target !== undefined) this.#targetAssignment.set(successor.memberId, target);
    this.#putMember(successor);
    this.#log.info(
      { memberId: successor.memberId, replacedMemberId: old.memberId, instanceId: successor.instanceId },
      'static member replaced',
    );
  }

  /** Removes members (leave, session or rebalance timeout), bumping the epoch for each. */
  #removeMembers(removals: readonly (readonly [ConsumerGroupMember, string])[]): void {
    for (const [member, reason] of removals) {
      this.#holders.release(member);
      this.#members.delete(member.memberId);
      if (member.instanceId !== null && this.#staticMembers.get(member.instanceId) === member.memberId) {
        this.#staticMembers.delete(member.instanceId);
      }
      this.#targetAssignment.delete(member.memberId);
      this.#sessionDeadlineMs.delete(member.memberId);
      this.#rebalanceDeadlineMs.delete(member.memberId);
      this.#log.info({ memberId: member.memberId, instanceId: member.instanceId, reason }, 'member removed');
      this.#bumpGroupEpoch(`member removed (${reason})`, member.memberId);
    }
    // Removal only shrinks the subscribed set, so the stored metadata is enough: no topic lookups.
    this.#subscriptions.membersChanged(this.#members.values(), null);
    this.#subscriptions.pruneMetadata(this.#members.values());
    this.#computeTargetAssignment();
  }

  #bumpGroupEpoch(reason: string, memberId: string | null): void {
    this.#groupEpoch++;
    this.#log.info({ groupEpoch: this.#groupEpoch, reason, memberId }, 'group epoch bumped');
  }

  #computeTargetAssignment(): void {
    const assignorName = this.#preferredAssignor();
    const topics = this.#subscriptions.partitionCounts();
    const members = [...this.#members.values()].map((m) => ({
      memberId: m.memberId,
      rackId: m.rackId,
      subscribedTopicIds: this.#subscriptions.topicIdsOf(m),
      assignment: this.#targetAssignment.get(m.memberId) ?? NO_PARTITIONS,
    }));
    const result = assignorByName(assignorName)!.assign({ members, topics });
    assert(result.size === members.length, `assignor ${assignorName} left members out`);
    this.#targetAssignment = new Map(result);
    this.#assignmentEpoch = this.#groupEpoch;
    this.#log.info(
      { groupEpoch: this.#groupEpoch, assignor: assignorName, members: members.length, topics: topics.size },
      'group rebalanced',
    );
  }

  /** The assignor most members ask for (ties: configuration order); the default when none asks. */
  #preferredAssignor(): string {
    const votes = new Map<string, number>();
    for (const m of this.#members.values()) {
      if (m.serverAssignor !== null) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
    }
    let best = this.#config.assignors[0]!;
    let bestVotes = 0;
    for (const name of this.#config.assignors) {
      const n = votes.get(name) ?? 0;
      if (n > bestVotes) [best, bestVotes] = [name, n];
    }
    return best;
  }
}

function rejected(r: Rejection): HeartbeatResult {
  return {
    response: {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      memberId: null,
      memberEpoch: 0,
      heartbeatIntervalMs: 0,
      assignment: null,
    },
    changed: false,
  };
}
