// The client's public face: a small Kafka admin client over node:net that speaks the generated
// codecs. It depends only on common/ and protocol/.

export { KafkaAdmin, defaultAdminOptions, parseBootstrap, type AdminOptions } from './admin.js';
export { decodeConsumerAssignment, compareTopicPartitions } from './assignment.js';
export { KafkaConnection, type ConnectionOptions, type VersionRange } from './connection.js';
export { isRetriable } from './errors.js';
export { murmur2, partitionForKey } from './partitioner.js';
export { ConfigResource } from './config-requests.js';
export { decodeFetched, type FetchLimits } from './fetch-request.js';
export type { PartitionBatch, ProducedPartition } from './produce-request.js';
export type { ElectionResult, ElectionType, OngoingReassignment, PartitionMove } from './reassignment-requests.js';
export { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, type OffsetQuery } from './list-offsets-request.js';
export type {
  BrokerNode,
  ClusterMetadata,
  CommittedOffset,
  ConfigEntry,
  ConfigOp,
  ConsumedRecord,
  FetchedPartition,
  FetchPosition,
  GroupDescription,
  GroupMember,
  ListedGroup,
  ListedOffset,
  NewTopic,
  OffsetSpec,
  OffsetToCommit,
  PartitionMetadata,
  TopicMetadata,
  TopicPartition,
} from './types.js';
