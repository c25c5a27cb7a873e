// ListOffsets (v1-10) as plain data. Kafka's special timestamps pick the log start (-2) or the
// log end (-1); any other value finds the first offset whose record timestamp is at or after it.
// The request goes to the partition leader as a consumer would (replica id -1) with
// read_uncommitted isolation, so "latest" is the high watermark, the log end offset that
// kafka-consumer-groups shows.

import { ApiKey } from '../protocol/generated/api-keys.js';
import type { ListOffsetsRequestInput } from '../protocol/generated/list-offsets-request.js';
import type { ListOffsetsResponse } from '../protocol/generated/list-offsets-response.js';
import type { VersionRange } from './connection.js';
import { kafkaErrorFor } from './errors.js';
import type { ListedOffset, OffsetSpec, TopicPartition } from './types.js';

/** v0 answered with a list of offsets; v1 gave the single offset every later version keeps. */
export const listOffsetsApi = { apiKey: ApiKey.ListOffsets, versions: { min: 1, max: 10 } satisfies VersionRange };

export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
const CONSUMER_REPLICA_ID = -1;
const READ_UNCOMMITTED = 0;

export interface OffsetQuery extends TopicPartition {
  spec: OffsetSpec;
}

export function specTimestamp(spec: OffsetSpec): number {
  if (spec === 'earliest') return EARLIEST_TIMESTAMP;
  if (spec === 'latest') return LATEST_TIMESTAMP;
  if (!Number.isSafeInteger(spec.timestampMs) || spec.timestampMs < 0) throw new RangeError(`invalid timestamp ${spec.timestampMs}`);
  return spec.timestampMs;
}

export function buildListOffsetsRequest(version: number, queries: readonly OffsetQuery[], timeoutMs: number): ListOffsetsRequestInput {
  const byTopic = new Map<string, OffsetQuery[]>();
  for (const q of queries) byTopic.set(q.topic, [...(byTopic.get(q.topic) ?? []), q]);
  return {
    replicaId: CONSUMER_REPLICA_ID,
    ...(version >= 2 ? { isolationLevel: READ_UNCOMMITTED } : {}),
    topics: [...byTopic].map(([name, list]) => ({
      name,
      partitions: list.map((q) => ({ partitionIndex: q.partition, timestamp: specTimestamp(q.spec) })),
    })),
    // v10 (KIP-1075) bounds how long the leader may wait on tiered storage for a timestamp lookup.
    ...(version >= 10 ? { timeoutMs } : {}),
  };
}

/** One result per partition answered, or the KafkaError of that partition. */
export function parseListOffsetsResponse(response: ListOffsetsResponse): (ListedOffset | { topic: string; partition: number; error: Error })[] {
  return response.topics.flatMap((t) =>
    t.partitions.map((p) =>
      p.errorCode !== 0
        ? { topic: t.name, partition: p.partitionIndex, error: kafkaErrorFor(p.errorCode, `ListOffsets ${t.name}-${p.partitionIndex}`) }
        : { topic: t.name, partition: p.partitionIndex, offset: p.offset, timestampMs: p.timestamp, leaderEpoch: p.leaderEpoch },
    ),
  );
}
