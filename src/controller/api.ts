// What a broker asks of the active controller, as Kafka's own request and response messages:
// the in-process Controller answers them directly when this node is active, RemoteController
// sends them over the controller listener, and ControllerChannel picks one. Version per API is
// the one the controller listener advertises (CONTROLLER_API_VERSIONS).

import { ApiKey } from '../protocol/generated/api-keys.js';
import type { AllocateProducerIdsRequest } from '../protocol/generated/allocate-producer-ids-request.js';
import type { AllocateProducerIdsResponse } from '../protocol/generated/allocate-producer-ids-response.js';
import type { AlterPartitionRequest } from '../protocol/generated/alter-partition-request.js';
import type { AlterPartitionResponse } from '../protocol/generated/alter-partition-response.js';
import type { BrokerHeartbeatRequest } from '../protocol/generated/broker-heartbeat-request.js';
import type { BrokerHeartbeatResponse } from '../protocol/generated/broker-heartbeat-response.js';
import type { BrokerRegistrationRequest } from '../protocol/generated/broker-registration-request.js';
import type { BrokerRegistrationResponse } from '../protocol/generated/broker-registration-response.js';
import type { CreatePartitionsRequest } from '../protocol/generated/create-partitions-request.js';
import type { CreatePartitionsResponse } from '../protocol/generated/create-partitions-response.js';
import type { CreateTopicsRequest } from '../protocol/generated/create-topics-request.js';
import type { CreateTopicsResponse } from '../protocol/generated/create-topics-response.js';
import type { DeleteTopicsRequest } from '../protocol/generated/delete-topics-request.js';
import type { DeleteTopicsResponse } from '../protocol/generated/delete-topics-response.js';
import type { DescribeQuorumResponse } from '../protocol/generated/describe-quorum-response.js';
import type { IncrementalAlterConfigsRequest } from '../protocol/generated/incremental-alter-configs-request.js';
import type { IncrementalAlterConfigsResponse } from '../protocol/generated/incremental-alter-configs-response.js';
import type { ElectLeadersRequest } from '../protocol/generated/elect-leaders-request.js';
import type { ElectLeadersResponse } from '../protocol/generated/elect-leaders-response.js';
import type { AlterPartitionReassignmentsRequest } from '../protocol/generated/alter-partition-reassignments-request.js';
import type { AlterPartitionReassignmentsResponse } from '../protocol/generated/alter-partition-reassignments-response.js';
import type { ListPartitionReassignmentsRequest } from '../protocol/generated/list-partition-reassignments-request.js';
import type { ListPartitionReassignmentsResponse } from '../protocol/generated/list-partition-reassignments-response.js';
import type { UnregisterBrokerRequest } from '../protocol/generated/unregister-broker-request.js';
import type { UnregisterBrokerResponse } from '../protocol/generated/unregister-broker-response.js';

export interface ControllerApi {
  createTopics(req: CreateTopicsRequest): Promise<CreateTopicsResponse>;
  /** Topics in the v6 form (`topics`, by name or id); `topicNames` empty. */
  deleteTopics(req: DeleteTopicsRequest): Promise<DeleteTopicsResponse>;
  createPartitions(req: CreatePartitionsRequest): Promise<CreatePartitionsResponse>;
  incrementalAlterConfigs(req: IncrementalAlterConfigsRequest): Promise<IncrementalAlterConfigsResponse>;
  allocateProducerIds(req: AllocateProducerIdsRequest): Promise<AllocateProducerIdsResponse>;
  brokerRegistration(req: BrokerRegistrationRequest): Promise<BrokerRegistrationResponse>;
  brokerHeartbeat(req: BrokerHeartbeatRequest): Promise<BrokerHeartbeatResponse>;
  unregisterBroker(req: UnregisterBrokerRequest): Promise<UnregisterBrokerResponse>;
  alterPartition(req: AlterPartitionRequest): Promise<AlterPartitionResponse>;
  describeQuorum(): Promise<DescribeQuorumResponse>;
  electLeaders(req: ElectLeadersRequest): Promise<ElectLeadersResponse>;
  alterPartitionReassignments(req: AlterPartitionReassignmentsRequest): Promise<AlterPartitionReassignmentsResponse>;
  listPartitionReassignments(req: ListPartitionReassignmentsRequest): Promise<ListPartitionReassignmentsResponse>;
}

/** The version of each controller API that brokers send and the controller listener accepts. */
export const CONTROLLER_API_VERSIONS: ReadonlyMap<number, number> = new Map([
  [ApiKey.CreateTopics, 7],
  [ApiKey.DeleteTopics, 6],
  [ApiKey.CreatePartitions, 3],
  [ApiKey.IncrementalAlterConfigs, 1],
  [ApiKey.AllocateProducerIds, 0],
  [ApiKey.BrokerRegistration, 4],
  [ApiKey.BrokerHeartbeat, 1],
  [ApiKey.UnregisterBroker, 0],
  [ApiKey.AlterPartition, 3],
  [ApiKey.DescribeQuorum, 2],
  [ApiKey.ElectLeaders, 2],
  [ApiKey.AlterPartitionReassignments, 0],
  [ApiKey.ListPartitionReassignments, 0],
]);

/** Kafka's NOT_CONTROLLER anywhere in a response: the request must go to the new active controller. */
export function mentionsNotController(response: unknown): boolean {
  if (Array.isArray(response)) return response.some(mentionsNotController);
  if (response === null || typeof response !== 'object') return false;
  for (const [key, value] of Object.entries(response)) {
    if (key === 'errorCode' && value === NOT_CONTROLLER) return true;
    if (typeof value === 'object' && mentionsNotController(value)) return true;
  }
  return false;
}

const NOT_CONTROLLER = 41;
