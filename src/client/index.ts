// The client's public face: a small Kafka admin client over node:net that speaks the generated
// codecs. It depends only on common/ and protocol/.

export { KafkaAdmin, defaultAdminOptions, parseBootstrap, type AdminOptions } from './admin.js';
export { decodeConsumerAssignment, compareTopicPartitions } from './assignment.js';
export { KafkaConnection, type ConnectionOptions, type VersionRange } from './connection.js';
export { isRetriable } from './errors.js';
export { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, type OffsetQuery } from './list-offsets-request.js';
export type {
  BrokerNode,
  ClusterMetadata,
  CommittedOffset,
  GroupDescription,
  GroupMember,
  ListedGroup,
  ListedOffset,
  OffsetSpec,
  OffsetToCommit,
  PartitionMetadata,
  TopicMetadata,
  TopicPartition,
} from './types.js';
