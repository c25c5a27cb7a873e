// OffsetDelete (key 47), v0 (KIP-496): deletes a group's committed offsets for partitions of
// topics the group no longer subscribes to; a subscribed topic gets GROUP_SUBSCRIBED_TO_TOPIC.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { OffsetDeleteRequest } from '../../protocol/generated/offset-delete-request.js';
import type { OffsetDeleteResponseInput } from '../../protocol/generated/offset-delete-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';

export const offsetDeleteHandler = defineHandler<OffsetDeleteRequest, OffsetDeleteResponseInput>({
  apiKey: ApiKey.OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, req) {
    const coordinator = ctx.broker.groups;
    const problem = coordinator.check(req.groupId);
    const g = coordinator.entry(req.groupId);
    const topErr = problem !== ErrorCode.NONE ? problem : g ? ErrorCode.NONE : ErrorCode.GROUP_ID_NOT_FOUND;
    if (topErr !== ErrorCode.NONE || !g) return { errorCode: topErr, throttleTimeMs: 0, topics: [] };
    const subscribed = coordinator.subscribedTopics(g);
    const deletable = req.topics.filter((t) => !subscribed.has(t.name)).flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })));
    const written = await coordinator.deleteOffsets(g, deletable);
    return {
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: subscribed.has(t.name) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : !ctx.broker.image.topicsByName.get(t.name)?.partitions[p.partitionIndex] ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : written,
        })),
      })),
    };
  },
});
