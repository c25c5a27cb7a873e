// DeleteRecords (key 21), v0-2: moves a partition's log start offset forward (offset -1 means
// the high watermark). Whole segments below it are deleted; reads below it get
// OFFSET_OUT_OF_RANGE. The new start offset is checkpointed, so it survives a restart.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { DeleteRecordsRequest } from '../../protocol/generated/delete-records-request.js';
import type { DeleteRecordsResponseInput } from '../../protocol/generated/delete-records-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';

export const deleteRecordsHandler = defineHandler<DeleteRecordsRequest, DeleteRecordsResponseInput>({
  apiKey: ApiKey.DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, req) {
    const { broker } = ctx;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const partition = broker.getPartition(t.name, p.partitionIndex);
          if (!partition) return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          if (!partition.isLeader) return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
          const result = partition.deleteRecordsBefore(p.offset);
          return { partitionIndex: p.partitionIndex, lowWatermark: result.lowWatermark, errorCode: result.errorCode };
        }),
      })),
    };
  },
});
