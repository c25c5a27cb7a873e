// DeleteTopics (key 20), v1-6 (Kafka 4.0's floor is 1). v6 may name topics by id. The topic is
// deleted by the active controller (a RemoveTopic record); once this broker's image has it, the
// partition sync that follows deletes the logs.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { DeleteTopicsRequest } from '../../protocol/generated/delete-topics-request.js';
import type { DeleteTopicsResponseInput } from '../../protocol/generated/delete-topics-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/reader.js';
import { defineHandler } from './handler.js';

export const deleteTopicsHandler = defineHandler<DeleteTopicsRequest, DeleteTopicsResponseInput>({
  apiKey: ApiKey.DeleteTopics,
  minVersion: 1,
  maxVersion: 6,
  async handle(ctx, req) {
    const { broker } = ctx;
    const wanted =
      ctx.apiVersion >= 6
        ? req.topics.map((t) => ({ name: t.name, topicId: t.name === null ? t.topicId : null }))
        : req.topicNames.map((name) => ({ name, topicId: null }));
    if (!broker.config.bool('delete.topic.enable')) {
      return {
        throttleTimeMs: 0,
        responses: wanted.map((t) => ({ name: t.name, topicId: t.topicId ?? ZERO_UUID, errorCode: ErrorCode.TOPIC_DELETION_DISABLED, errorMessage: 'delete.topic.enable is false' })),
      };
    }
    const res = await broker.controller.deleteTopics({
      topics: wanted.map((t) => ({ name: t.name, topicId: t.topicId ?? ZERO_UUID })),
      topicNames: [],
      timeoutMs: req.timeoutMs,
    });
    return {
      throttleTimeMs: 0,
      responses: res.responses.map((r) => ({ name: r.name, topicId: r.topicId || ZERO_UUID, errorCode: r.errorCode, errorMessage: r.errorMessage ?? null })),
    };
  },
});
