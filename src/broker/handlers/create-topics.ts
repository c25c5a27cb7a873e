// CreateTopics (key 19), v2-7 (Kafka 4.0's floor is 2). validateOnly runs every check and
// commits nothing. v5+ answer the resulting partition count, replication factor and configs;
// v7 the topic id (the UUID every later request may name the topic by).

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { CreateTopicsRequest } from '../../protocol/generated/create-topics-request.js';
import type { CreateTopicsResponseInput } from '../../protocol/generated/create-topics-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/reader.js';
import { describeTopicConfigs } from './config-view.js';
import { defineHandler } from './handler.js';

export const createTopicsHandler = defineHandler<CreateTopicsRequest, CreateTopicsResponseInput>({
  apiKey: ApiKey.CreateTopics,
  minVersion: 2,
  maxVersion: 7,
  async handle(ctx, req) {
    const { broker } = ctx;
    const results = await broker.createTopics(
      req.topics.map((t) => ({
        name: t.name,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor,
        assignments: t.assignments,
        configs: t.configs,
      })),
      req.validateOnly,
      req.timeoutMs,
    );
    return {
      throttleTimeMs: 0,
      topics: results.map((r) => {
        if (r.errorCode !== ErrorCode.NONE) {
          return { name: r.name, topicId: ZERO_UUID, errorCode: r.errorCode, errorMessage: r.errorMessage, numPartitions: -1, replicationFactor: -1, configs: null };
        }
        const overrides = new Map(req.topics.find((t) => t.name === r.name)?.configs.map((c) => [c.name, c.value]) ?? []);
        return {
          name: r.name,
          topicId: req.validateOnly ? ZERO_UUID : r.topicId,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          numPartitions: r.numPartitions,
          replicationFactor: r.replicationFactor,
          configs: describeTopicConfigs(broker, r.name, overrides).map((c) => ({
            name: c.name,
            value: c.value,
            readOnly: c.readOnly,
            configSource: c.configSource,
            isSensitive: c.isSensitive,
          })),
        };
      }),
    };
  },
});
