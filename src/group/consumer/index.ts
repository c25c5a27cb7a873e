// KIP-848 consumer groups (ConsumerGroupHeartbeat, ConsumerGroupDescribe) as a pure state machine.
// Others import this folder through here.

export { ConsumerGroup, type HeartbeatResult } from './consumer-group.js';
export type { ClientInfo, ConsumerGroupConfig, ConsumerGroupMember, ConsumerGroupState, MemberState, TopicsView } from './types.js';
export type { ConsumerGroupMemberSnapshot, ConsumerGroupSnapshot, SubscribedTopicSnapshot } from './snapshot.js';
export { GROUP_STATE_NAMES } from './describe.js';
export { validateConsumerGroupHeartbeat, type Rejection } from './validate.js';
export type { PartitionsByTopic, TopicPartitionsEntry } from './partitions-by-topic.js';
