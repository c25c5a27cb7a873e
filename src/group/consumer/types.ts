// Plain types shared by the KIP-848 consumer group files: configuration, the topic metadata view
// the coordinator passes in, and the member record. A member record is immutable; the group
// replaces it on every change, which makes "did anything change" a field comparison.

import type { PartitionsByTopic } from './partitions-by-topic.js';

export interface ConsumerGroupConfig {
  /** group.consumer.session.timeout.ms (Kafka's default 45000). */
  sessionTimeoutMs: number;
  /** group.consumer.heartbeat.interval.ms (Kafka's default 5000). */
  heartbeatIntervalMs: number;
  /** group.consumer.max.size. */
  maxSize: number;
  /** group.consumer.assignors by name; the first is the default. */
  assignors: string[];
}

/** The coordinator's view of topic metadata, by name and by topic id (base64url, as on the wire). */
export interface TopicsView {
  byName(name: string): { topicId: string; partitions: number } | undefined;
  byId(topicId: string): { name: string; partitions: number } | undefined;
  names(): string[];
}

/** Who sent a heartbeat, for ConsumerGroupDescribe (ConsumerGroupMemberMetadataValue ClientId, ClientHost). */
export interface ClientInfo {
  clientId: string;
  clientHost: string;
}

export type ConsumerGroupState = 'empty' | 'assigning' | 'reconciling' | 'stable' | 'dead';

/**
 * Where a member is in reconciling toward its target (Kafka's MemberState):
 * - stable: it owns its whole assignment at its epoch;
 * - unrevoked-partitions: it must revoke `partitionsPendingRevocation` before its epoch moves on;
 * - unreleased-partitions: it is at the target epoch but waits for partitions other members still own.
 */
export type MemberState = 'stable' | 'unrevoked-partitions' | 'unreleased-partitions';

/** One member: its metadata (ConsumerGroupMemberMetadataValue) and its current assignment
 * (ConsumerGroupCurrentMemberAssignmentValue). */
export interface ConsumerGroupMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeoutMs: number;
  /** Sorted and deduplicated, so a client listing the same topics in another order changes nothing. */
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  readonly serverAssignor: string | null;
  /** The epoch the member must send; -2 while a static member is temporarily away. */
  readonly memberEpoch: number;
  /** Accepted too, with owned partitions inside the assignment, in case the bump's response was lost. */
  readonly previousMemberEpoch: number;
  readonly state: MemberState;
  /** What the member may own now (its current assignment). */
  readonly assignedPartitions: PartitionsByTopic;
  /** What it must give up; nobody else gets these until it reports them gone. */
  readonly partitionsPendingRevocation: PartitionsByTopic;
}
