// The controller listener's API registry: the controller APIs brokers send (api.ts), each
// answered by the in-process Controller, plus ApiVersions. A controller that is not active
// answers NOT_CONTROLLER in each result, as Kafka does, so the broker retries at the new one.

import { NotControllerError } from '../../metadata/metadata-quorum.js';
import type { ApiHandlerOf } from '../../net/api-dispatcher.js';
import { apiRanges } from '../../net/api-dispatcher.js';
import type { Dispatcher } from '../../net/connection.js';
import { createApiDispatcher } from '../../net/api-dispatcher.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import { ZERO_UUID } from '../../protocol/reader.js';
import { CONTROLLER_API_VERSIONS, type ControllerApi } from '../api.js';

type Handler = ApiHandlerOf<{ controller: ControllerApi }>;


/** Each controller API: how to call it and what NOT_CONTROLLER looks like in its response. */
const CALLS: { apiKey: number; call(c: ControllerApi, req: any): Promise<object>; refuse(req: any, code: number): object }[] = [
  {
    apiKey: ApiKey.CreateTopics,
    call: (c, req) => c.createTopics(req),
    refuse: (req, code) => ({ topics: req.topics.map((t: { name: string }) => ({ name: t.name, topicId: ZERO_UUID, errorCode: code, errorMessage: null, numPartitions: -1, replicationFactor: -1, configs: null })) }),
  },
  {
    apiKey: ApiKey.DeleteTopics,
    call: (c, req) => c.deleteTopics(req),
    refuse: (req, code) => ({ responses: req.topics.map((t: { name: string | null; topicId: string }) => ({ name: t.name, topicId: t.topicId, errorCode: code })) }),
  },
  {
    apiKey: ApiKey.CreatePartitions,
    call: (c, req) => c.createPartitions(req),
    refuse: (req, code) => ({ results: req.topics.map((t: { name: string }) => ({ name: t.name, errorCode: code })) }),
  },
  {
    apiKey: ApiKey.IncrementalAlterConfigs,
    call: (c, req) => c.incrementalAlterConfigs(req),
    refuse: (req, code) => ({ responses: req.resources.map((r: { resourceType: number; resourceName: string }) => ({ resourceType: r.resourceType, resourceName: r.resourceName, errorCode: code })) }),
  },
  { apiKey: ApiKey.AllocateProducerIds, call: (c, req) => c.allocateProducerIds(req), refuse: (_req, code) => ({ errorCode: code }) },
  { apiKey: ApiKey.BrokerRegistration, call: (c, req) => c.brokerRegistration(req), refuse: (_req, code) => ({ errorCode: code, brokerEpoch: -1 }) },
  { apiKey: ApiKey.BrokerHeartbeat, call: (c, req) => c.brokerHeartbeat(req), refuse: (_req, code) => ({ errorCode: code, isFenced: true }) },
  { apiKey: ApiKey.UnregisterBroker, call: (c, req) => c.unregisterBroker(req), refuse: (_req, code) => ({ errorCode: code }) },
  { apiKey: ApiKey.AlterPartition, call: (c, req) => c.alterPartition(req), refuse: (_req, code) => ({ errorCode: code }) },
  { apiKey: ApiKey.DescribeQuorum, call: (c) => c.describeQuorum(), refuse: (_req, code) => ({ errorCode: code }) },
  { apiKey: ApiKey.ElectLeaders, call: (c, req) => c.electLeaders(req), refuse: (_req, code) => ({ errorCode: code }) },
  {
    apiKey: ApiKey.AlterPartitionReassignments,
    call: (c, req) => c.alterPartitionReassignments(req),
    refuse: (req, code) => ({
      errorCode: code,
      responses: req.topics.map((t: { name: string; partitions: { partitionIndex: number }[] }) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })),
      })),
    }),
  },
  { apiKey: ApiKey.ListPartitionReassignments, call: (c, req) => c.listPartitionReassignments(req), refuse: (_req, code) => ({ errorCode: code }) },
];

const HANDLERS: Handler[] = CALLS.map(({ apiKey, call, refuse }) => {
  const version = CONTROLLER_API_VERSIONS.get(apiKey)!;
  return {
    apiKey,
    minVersion: version,
    maxVersion: version,
    async handle(ctx, req) {
      try {
        return await call(ctx.controller, req);
      } catch (err) {
        if (err instanceof NotControllerError) return refuse(req, ErrorCode.NOT_CONTROLLER);
        throw err;
      }
    },
  };
});

HANDLERS.push({
  apiKey: ApiKey.ApiVersions,
  minVersion: 0,
  maxVersion: 4,
  handle: () => ({ errorCode: 0, apiKeys: apiRanges(HANDLERS), throttleTimeMs: 0 }),
});

/** The response of `apiKey` that fails every item of `req` with `errorCode`. */
export function refusal(apiKey: number, req: object, errorCode: number): object {
  return { throttleTimeMs: 0, ...CALLS.find((c) => c.apiKey === apiKey)!.refuse(req, errorCode) };
}

export function createControllerDispatcher(controller: ControllerApi): Dispatcher {
  return createApiDispatcher(HANDLERS, () => ({ controller }));
}
