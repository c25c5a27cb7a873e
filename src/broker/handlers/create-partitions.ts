// CreatePartitions (key 37), v0-3. Adds partitions to existing topics; existing partitions and
// their data stay where they are (keyed producers will map some keys to new partitions, as in
// Kafka). validateOnly checks without committing.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { CreatePartitionsRequest } from '../../protocol/generated/create-partitions-request.js';
import type { CreatePartitionsResponseInput } from '../../protocol/generated/create-partitions-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { createPartitions } from '../../controller/topic-ops.js';
import { defineHandler } from './handler.js';

export const createPartitionsHandler = defineHandler<CreatePartitionsRequest, CreatePartitionsResponseInput>({
  apiKey: ApiKey.CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, req) {
    const { broker } = ctx;
    const results = [];
    for (const t of req.topics) {
      if (req.topics.filter((x) => x.name === t.name).length > 1) {
        results.push({ name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'topic named more than once' });
        continue;
      }
      const outcome = createPartitions(broker.image, { name: t.name, count: t.count, assignments: t.assignments?.map((a) => a.brokerIds) ?? null }, broker.controllerEnv());
      if (outcome.errorCode === ErrorCode.NONE && !req.validateOnly) await broker.quorum.commit(outcome.records);
      results.push({ name: t.name, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage });
    }
    return { throttleTimeMs: 0, results };
  },
});
