// ListOffsets (key 2), v1-10 (Kafka 4.0 dropped v0). Special timestamps: -1 latest (the high
// watermark, which is also the last stable offset while there are no transactions), -2
// earliest, -3 the record with the largest timestamp (v7+, KIP-734), -4 earliest local (v8+,
// KIP-1005: the log start offset, as nothing is tiered), -5 latest tiered (v9+: -1, nothing is
// tiered). Any other timestamp finds the first record at or after it: the time index narrows it
// to a batch, and only that batch is decoded. v4+ answer the leader epoch of the offset found.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { ListOffsetsRequest, ListOffsetsRequestListOffsetsPartition } from '../../protocol/generated/list-offsets-request.js';
import type { ListOffsetsResponseInput } from '../../protocol/generated/list-offsets-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { decodeRecords } from '../../protocol/records/index.js';
import { PARTITION_LEADER_EPOCH_OFFSET } from '../../protocol/records/batch-header.js';
import type { Partition } from '../../replication/partition.js';
import { leaderEpochError } from './fetch.js';
import { defineHandler, type HandlerContext } from './handler.js';

export const ListOffsetsTimestamp = { LATEST: -1, EARLIEST: -2, MAX_TIMESTAMP: -3, EARLIEST_LOCAL: -4, LATEST_TIERED: -5 } as const;

export const listOffsetsHandler = defineHandler<ListOffsetsRequest, ListOffsetsResponseInput>({
  apiKey: ApiKey.ListOffsets,
  minVersion: 1,
  maxVersion: 10,
  handle(ctx, req) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => listPartition(ctx, t.name, p)) })),
    };
  },
});

function listPartition(ctx: HandlerContext, topic: string, p: ListOffsetsRequestListOffsetsPartition) {
  const answer = (errorCode: number, offset = -1, timestamp = -1, leaderEpoch = -1) => ({
    partitionIndex: p.partitionIndex,
    errorCode,
    timestamp,
    offset,
    leaderEpoch: ctx.apiVersion >= 4 ? leaderEpoch : -1, // v4+ (KIP-320)
  });
  const partition = ctx.broker.getPartition(topic, p.partitionIndex);
  if (!partition) {
    const known = ctx.broker.image.topicsByName.get(topic)?.partitions[p.partitionIndex];
    return answer(known ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }
  if (!partition.isLeader) return answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  const epochError = leaderEpochError(partition, p.currentLeaderEpoch);
  if (epochError !== ErrorCode.NONE) return answer(epochError);
  const found = lookup(partition, p.timestamp);
  return found ? answer(ErrorCode.NONE, found.offset, found.timestamp, found.leaderEpoch) : answer(ErrorCode.NONE);
}

function lookup(partition: Partition, timestamp: number): { offset: number; timestamp: number; leaderEpoch: number } | null {
  const epoch = partition.state.leaderEpoch;
  switch (timestamp) {
    case ListOffsetsTimestamp.LATEST:
      return { offset: partition.highWatermark, timestamp: -1, leaderEpoch: epoch };
    case ListOffsetsTimestamp.EARLIEST:
    case ListOffsetsTimestamp.EARLIEST_LOCAL:
      return { offset: partition.logStartOffset, timestamp: -1, leaderEpoch: partition.log.leaderEpochs.epochForOffset(partition.logStartOffset) };
    case ListOffsetsTimestamp.LATEST_TIERED:
      return null;
    case ListOffsetsTimestamp.MAX_TIMESTAMP: {
      const found = partition.log.maxTimestampBatch();
      if (!found) return null;
      const records = decodeRecords(found.batch).records.filter((r) => r.offset < partition.highWatermark);
      if (records.length === 0) return null;
      const best = records.reduce((a, b) => (b.timestamp > a.timestamp ? b : a));
      return { offset: best.offset, timestamp: best.timestamp, leaderEpoch: found.batch.readInt32BE(PARTITION_LEADER_EPOCH_OFFSET) };
    }
    default: {
      if (timestamp < 0) return null;
      const found = partition.log.findBatchByTimestamp(timestamp);
      if (!found || found.baseOffset >= partition.highWatermark) return null;
      const decoded = decodeRecords(found.batch);
      const rec = decoded.records.find((r) => r.timestamp >= timestamp && r.offset < partition.highWatermark);
      if (!rec) return null;
      const ts = decoded.header.timestampType === 1 ? decoded.header.maxTimestamp : rec.timestamp;
      return { offset: rec.offset, timestamp: ts, leaderEpoch: found.batch.readInt32BE(PARTITION_LEADER_EPOCH_OFFSET) };
    }
  }
}
