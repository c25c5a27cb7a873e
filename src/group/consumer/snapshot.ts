// A consumer group's durable state as plain data, field for field what Kafka persists in
// __consumer_offsets for these groups: ConsumerGroupMetadataValue (Epoch),
// ConsumerGroupPartitionMetadataValue (subscribed topics), ConsumerGroupMemberMetadataValue and
// ConsumerGroupCurrentMemberAssignmentValue (per member), ConsumerGroupTargetAssignmentMetadataValue
// (AssignmentEpoch) and ConsumerGroupTargetAssignmentMemberValue (per member). Timers are not
// state: a restored group restarts every session timeout, as Kafka does on loading a group.

import { fromEntries, toEntries, type TopicPartitionsEntry } from './partitions-by-topic.js';
import type { ConsumerGroupMember, MemberState } from './types.js';

export interface ConsumerGroupMemberSnapshot {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  rebalanceTimeoutMs: number;
  serverAssignor: string | null;
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  assignedPartitions: TopicPartitionsEntry[];
  partitionsPendingRevocation: TopicPartitionsEntry[];
}

export interface SubscribedTopicSnapshot {
  topicId: string;
  topicName: string;
  numPartitions: number;
}

export interface ConsumerGroupSnapshot {
  groupId: string;
  groupEpoch: number;
  assignmentEpoch: number;
  subscriptionMetadata: SubscribedTopicSnapshot[];
  members: ConsumerGroupMemberSnapshot[];
  targetAssignment: { memberId: string; topicPartitions: TopicPartitionsEntry[] }[];
}

export function memberToSnapshot(m: ConsumerGroupMember): ConsumerGroupMemberSnapshot {
  return {
    memberId: m.memberId,
    instanceId: m.instanceId,
    rackId: m.rackId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    subscribedTopicNames: [...m.subscribedTopicNames],
    subscribedTopicRegex: m.subscribedTopicRegex,
    rebalanceTimeoutMs: m.rebalanceTimeoutMs,
    serverAssignor: m.serverAssignor,
    memberEpoch: m.memberEpoch,
    previousMemberEpoch: m.previousMemberEpoch,
    state: m.state,
    assignedPartitions: toEntries(m.assignedPartitions),
    partitionsPendingRevocation: toEntries(m.partitionsPendingRevocation),
  };
}

export function memberFromSnapshot(s: ConsumerGroupMemberSnapshot): ConsumerGroupMember {
  return {
    memberId: s.memberId,
    instanceId: s.instanceId,
    rackId: s.rackId,
    clientId: s.clientId,
    clientHost: s.clientHost,
    subscribedTopicNames: [...new Set(s.subscribedTopicNames)].sort(),
    subscribedTopicRegex: s.subscribedTopicRegex,
    rebalanceTimeoutMs: s.rebalanceTimeoutMs,
    serverAssignor: s.serverAssignor,
    memberEpoch: s.memberEpoch,
    previousMemberEpoch: s.previousMemberEpoch,
    state: s.state,
    assignedPartitions: fromEntries(s.assignedPartitions)!,
    partitionsPendingRevocation: fromEntries(s.partitionsPendingRevocation)!,
  };
}
