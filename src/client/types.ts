// The plain data the admin client returns. Offsets and timestamps are JS numbers (ADR 0001);
// -1 keeps Kafka's meaning of "none" where the protocol uses it (no committed offset, no leader).

export interface BrokerNode {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionMetadata {
  partition: number;
  /** -1 while the partition has no leader. */
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  errorCode: number;
}

export interface TopicMetadata {
  name: string;
  /** Kafka's UUID text form; all zeros before Metadata v10. */
  topicId: string;
  isInternal: boolean;
  /** UNKNOWN_TOPIC_OR_PARTITION for a requested topic that does not exist. */
  errorCode: number;
  /** Sorted by partition. */
  partitions: PartitionMetadata[];
}

export interface ClusterMetadata {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerNode[];
  topics: TopicMetadata[];
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  /** Null when the broker is older than ListGroups v4 and does not say. */
  groupState: string | null;
  /** `classic` or `consumer` (KIP-848); null before ListGroups v5. */
  groupType: string | null;
  /** The broker that listed it, which is the group's coordinator. */
  coordinatorId: number;
}

export interface GroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /**
   * The partitions of the member's consumer-protocol assignment; null when the group's protocol
   * type is not `consumer` or the bytes cannot be decoded.
   */
  assignment: TopicPartition[] | null;
}

export interface GroupDescription {
  groupId: string;
  /** Kafka's state name: Empty, Stable, PreparingRebalance, CompletingRebalance or Dead. */
  groupState: string;
  protocolType: string;
  /** The chosen assignor, e.g. `range`; empty when the group has no members. */
  protocol: string;
  members: GroupMember[];
  coordinator: BrokerNode;
}

export interface CommittedOffset extends TopicPartition {
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

/** Which offset ListOffsets should find: the log start, the log end, or the first at/after a time. */
export type OffsetSpec = 'earliest' | 'latest' | { timestampMs: number };

export interface ListedOffset extends TopicPartition {
  /** -1 when a timestamp lookup finds no record at or after the timestamp. */
  offset: number;
  timestampMs: number;
  leaderEpoch: number;
}

export interface OffsetToCommit extends TopicPartition {
  offset: number;
}

/** A topic to create; a missing count or factor lets the broker apply its defaults (KIP-464). */
export interface NewTopic {
  name: string;
  numPartitions?: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
}

/** One config of a described resource; `source` is Kafka's ConfigSource name. */
export interface ConfigEntry {
  name: string;
  value: string | null;
  source: string;
  isReadOnly: boolean;
  isSensitive: boolean;
}

/** One IncrementalAlterConfigs operation; `value` is ignored for delete. */
export interface ConfigOp {
  name: string;
  op: 'set' | 'delete' | 'append' | 'subtract';
  value?: string;
}

/** Where to read a partition from. */
export interface FetchPosition extends TopicPartition {
  fetchOffset: number;
}

/** A record as a consumer sees it: bytes copied out of the fetch response. */
export interface ConsumedRecord extends TopicPartition {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
}

export interface FetchedPartition extends TopicPartition {
  highWatermark: number;
  logStartOffset: number;
  /** Records at or after the fetch offset, in offset order; control records left out. */
  records: ConsumedRecord[];
  /** The offset to fetch next: one past the last batch seen, or the fetch offset if none. */
  nextOffset: number;
}
