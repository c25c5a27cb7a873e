// Pure helpers over member records: creating one, applying a heartbeat's metadata fields, the
// member-epoch check, and the comparisons the group uses to decide whether an epoch bump or a
// persisted change happened.

import { ErrorCode } from '../../protocol/errors.js';
import type { ConsumerGroupHeartbeatRequest } from '../../protocol/generated/consumer-group-heartbeat-request.js';
import { fromEntries, isSubset, NO_PARTITIONS, partitionsEqual } from './partitions-by-topic.js';
import type { ClientInfo, ConsumerGroupMember } from './types.js';
import { rejection, type Rejection } from './validate.js';

export function newMember(memberId: string): ConsumerGroupMember {
  return {
    memberId,
    instanceId: null,
    rackId: null,
    clientId: '',
    clientHost: '',
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    serverAssignor: null,
    memberEpoch: 0,
    previousMemberEpoch: -1,
    state: 'stable',
    assignedPartitions: NO_PARTITIONS,
    partitionsPendingRevocation: NO_PARTITIONS,
  };
}

/** Applies the fields a heartbeat sent; a null field (or -1 timeout) means "unchanged". */
export function withRequestMetadata(
  member: ConsumerGroupMember,
  req: ConsumerGroupHeartbeatRequest,
  client: ClientInfo,
): ConsumerGroupMember {
  return {
    ...member,
    instanceId: req.instanceId ?? member.instanceId,
    rackId: req.rackId ?? member.rackId,
    clientId: client.clientId,
    clientHost: client.clientHost,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs === -1 ? member.rebalanceTimeoutMs : req.rebalanceTimeoutMs,
    subscribedTopicNames:
      req.subscribedTopicNames === null ? member.subscribedTopicNames : [...new Set(req.subscribedTopicNames)].sort(),
    subscribedTopicRegex: req.subscribedTopicRegex ?? member.subscribedTopicRegex,
    serverAssignor: req.serverAssignor ?? member.serverAssignor,
  };
}

/**
 * The member epoch check (KIP-848): 0 is a (re)join and always passes, so a fenced member can come
 * back under its id (KAFKA-19233); a greater epoch is fenced; a smaller one is fenced unless it is
 * the previous epoch and the reported owned partitions lie inside the current assignment, since
 * the response that carried the bump may have been lost.
 */
export function checkMemberEpoch(
  member: ConsumerGroupMember,
  receivedEpoch: number,
  owned: ConsumerGroupHeartbeatRequest['topicPartitions'],
): Rejection | null {
  if (receivedEpoch === 0 || receivedEpoch === member.memberEpoch) return null;
  const fenced = (comparison: string): Rejection =>
    rejection(
      ErrorCode.FENCED_MEMBER_EPOCH,
      `The consumer group member has a ${comparison} member epoch (${receivedEpoch}) than the one known by the ` +
        `group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
    );
  if (receivedEpoch > member.memberEpoch) return fenced('greater');
  const ownedPartitions = fromEntries(owned);
  const isRetryOfLostBump =
    receivedEpoch === member.previousMemberEpoch &&
    ownedPartitions !== null &&
    isSubset(ownedPartitions, member.assignedPartitions);
  return isRetryOfLostBump ? null : fenced('smaller');
}

export function hasSubscriptionChanged(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.subscribedTopicRegex !== b.subscribedTopicRegex ||
    a.subscribedTopicNames.length !== b.subscribedTopicNames.length ||
    a.subscribedTopicNames.some((name, i) => name !== b.subscribedTopicNames[i])
  );
}

/** Whether the persisted metadata (ConsumerGroupMemberMetadataValue) is the same. */
export function isMetadataEqual(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.memberId === b.memberId &&
    a.instanceId === b.instanceId &&
    a.rackId === b.rackId &&
    a.clientId === b.clientId &&
    a.clientHost === b.clientHost &&
    a.rebalanceTimeoutMs === b.rebalanceTimeoutMs &&
    a.serverAssignor === b.serverAssignor &&
    !hasSubscriptionChanged(a, b)
  );
}

/** Whether the persisted current assignment (ConsumerGroupCurrentMemberAssignmentValue) is the same. */
export function isAssignmentEqual(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.memberEpoch === b.memberEpoch &&
    a.previousMemberEpoch === b.previousMemberEpoch &&
    a.state === b.state &&
    partitionsEqual(a.assignedPartitions, b.assignedPartitions) &&
    partitionsEqual(a.partitionsPendingRevocation, b.partitionsPendingRevocation)
  );
}
