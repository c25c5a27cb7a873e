// CreatePartitions (key 37), v0-3. Adds partitions to existing topics; existing partitions and
// their data stay where they are (keyed producers will map some keys to new partitions, as in
// Kafka). The active controller decides; validateOnly checks without committing.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { CreatePartitionsRequest } from '../../protocol/generated/create-partitions-request.js';
import type { CreatePartitionsResponseInput } from '../../protocol/generated/create-partitions-response.js';
import { defineHandler } from './handler.js';

export const createPartitionsHandler = defineHandler<CreatePartitionsRequest, CreatePartitionsResponseInput>({
  apiKey: ApiKey.CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, req) {
    const res = await ctx.broker.controller.createPartitions(req);
    return { throttleTimeMs: 0, results: res.results.map((r) => ({ name: r.name, errorCode: r.errorCode, errorMessage: r.errorMessage ?? null })) };
  },
});
