// Metadata (key 3), v0-12. Served from the metadata image. Brokers are listed with the
// endpoint of the listener the request arrived on. Topics may be named (all versions) or, from
// v10, identified by topic id; a null list (v1+) or an empty one at v0 means every topic.
// Unknown names are auto-created when the request allows it (v4+, default true at v0-3) and
// auto.create.topics.enable is on, as Kafka's broker does. v8+ authorized-operations fields
// carry Kafka's "not requested" sentinel since there is no authorizer yet.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { MetadataRequest } from '../../protocol/generated/metadata-request.js';
import type { MetadataResponseInput } from '../../protocol/generated/metadata-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/reader.js';
import { topicNameProblem } from '../../controller/topic-ops.js';
import type { TopicImage } from '../../metadata/image.js';
import type { Broker } from '../broker.js';
import { defineHandler } from './handler.js';

export const metadataHandler = defineHandler<MetadataRequest, MetadataResponseInput>({
  apiKey: ApiKey.Metadata,
  minVersion: 0,
  maxVersion: 12,
  async handle(ctx, req) {
    const { broker } = ctx;
    const wantsAll = req.topics === null || (ctx.apiVersion === 0 && req.topics.length === 0);
    const topics = wantsAll ? [...broker.image.topicsByName.values()].map((t) => describeTopic(broker, t)) : await namedTopics(ctx.broker, req, ctx.apiVersion);
    return {
      throttleTimeMs: 0,
      brokers: broker.image.liveBrokers().flatMap((b) => {
        const ep = b.endPoints.find((e) => e.name === ctx.listenerName) ?? b.endPoints[0];
        return ep ? [{ nodeId: b.brokerId, host: ep.host, port: ep.port, rack: b.rack }] : [];
      }),
      clusterId: broker.image.clusterId,
      controllerId: broker.controllerIdForClients(),
      topics,
    };
  },
});

async function namedTopics(broker: Broker, req: MetadataRequest, version: number) {
  const allowAuto = (version < 4 || req.allowAutoTopicCreation) && broker.config.bool('auto.create.topics.enable');
  const requested = req.topics ?? [];
  const missing = requested
    .map((t) => t.name)
    .filter((name): name is string => name !== null && !broker.image.topicsByName.has(name) && topicNameProblem(name) === undefined);
  const created = allowAuto && missing.length > 0 ? await broker.autoCreateTopics([...new Set(missing)]) : new Map<string, number>();
  return requested.map((t) => {
    if (t.name === null) {
      // Names became nullable in v10 requests but only in v12 responses: like Kafka, lookups by
      // id are served from v12 and refused before it.
      if (version < 12) return errorTopic('', t.topicId, ErrorCode.INVALID_REQUEST);
      const topic = broker.image.topicsById.get(t.topicId);
      return topic ? describeTopic(broker, topic) : errorTopic(null, t.topicId, ErrorCode.UNKNOWN_TOPIC_ID);
    }
    const topic = broker.image.topicsByName.get(t.name);
    if (topic) return describeTopic(broker, topic);
    if (topicNameProblem(t.name)) return errorTopic(t.name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION);
    return errorTopic(t.name, ZERO_UUID, created.get(t.name) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
}

function errorTopic(name: string | null, topicId: string, errorCode: number) {
  // A successful auto-create that is not yet visible reads as LEADER_NOT_AVAILABLE: clients retry.
  const code = errorCode === ErrorCode.NONE ? ErrorCode.LEADER_NOT_AVAILABLE : errorCode;
  return { errorCode: code, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 };
}

export function describeTopic(broker: Broker, topic: TopicImage) {
  const live = new Set(broker.image.liveBrokers().map((b) => b.brokerId));
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: topic.name === '__consumer_offsets' || topic.name === '__transaction_state',
    partitions: topic.partitions.map((p) => ({
      errorCode: live.has(p.leader) ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
      partitionIndex: p.partitionId,
      leaderId: live.has(p.leader) ? p.leader : -1,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas,
      isrNodes: p.isr,
      offlineReplicas: p.replicas.filter((r) => !live.has(r)),
    })),
    topicAuthorizedOperations: -2147483648,
  };
}
