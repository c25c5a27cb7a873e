// ConsumerGroupDescribe (KIP-848) output for one group, built from the group's state. Topic ids
// are turned into names through the current metadata; partitions of a topic that no longer exists
// are left out, as Kafka does. The coordinator fills in authorizedOperations when asked for it.

import type {
  ConsumerGroupDescribeResponseAssignment,
  ConsumerGroupDescribeResponseDescribedGroup,
  ConsumerGroupDescribeResponseMember,
} from '../../protocol/generated/consumer-group-describe-response.js';
import { NO_PARTITIONS, type PartitionsByTopic } from './partitions-by-topic.js';
import type { ConsumerGroupMember, ConsumerGroupState, TopicsView } from './types.js';

/** Kafka's names for the group states, as ConsumerGroupDescribe and ListGroups report them. */
export const GROUP_STATE_NAMES: Readonly<Record<ConsumerGroupState, string>> = {
  empty: 'Empty',
  assigning: 'Assigning',
  reconciling: 'Reconciling',
  stable: 'Stable',
  dead: 'Dead',
};

/** The authorizedOperations sentinel for "not requested". */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

export interface DescribeInput {
  readonly groupId: string;
  readonly state: ConsumerGroupState;
  readonly groupEpoch: number;
  readonly assignmentEpoch: number;
  readonly assignorName: string;
  readonly members: Iterable<ConsumerGroupMember>;
  readonly targetAssignment: ReadonlyMap<string, PartitionsByTopic>;
}

export function describeGroup(input: DescribeInput, topics: TopicsView): ConsumerGroupDescribeResponseDescribedGroup {
  const members: ConsumerGroupDescribeResponseMember[] = [];
  for (const m of input.members) {
    members.push({
      memberId: m.memberId,
      instanceId: m.instanceId,
      rackId: m.rackId,
      memberEpoch: m.memberEpoch,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: [...m.subscribedTopicNames],
      subscribedTopicRegex: m.subscribedTopicRegex,
      assignment: describeAssignment(m.assignedPartitions, topics),
      targetAssignment: describeAssignment(input.targetAssignment.get(m.memberId) ?? NO_PARTITIONS, topics),
    });
  }
  return {
    errorCode: 0,
    errorMessage: null,
    groupId: input.groupId,
    groupState: GROUP_STATE_NAMES[input.state],
    groupEpoch: input.groupEpoch,
    assignmentEpoch: input.assignmentEpoch,
    assignorName: input.assignorName,
    members,
    authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function describeAssignment(value: PartitionsByTopic, topics: TopicsView): ConsumerGroupDescribeResponseAssignment {
  const topicPartitions = [];
  for (const [topicId, partitions] of value) {
    const topic = topics.byId(topicId);
    if (topic !== undefined) topicPartitions.push({ topicId, topicName: topic.name, partitions: [...partitions] });
  }
  return { topicPartitions };
}
