// Fetch (v4-12) as plain data, for a consumer without a fetch session (session id 0, epoch -1,
// the "full fetch" of KIP-227) reading by topic name: v13 switched to topic ids, which a console
// consumer would first have to look up, so 12 is the ceiling. Isolation is read_uncommitted, as
// kafka-console-consumer defaults to. The response's records field is a run of RecordBatch v2
// frames whose last one may be cut short by the size limit; a partial tail is normal and ignored.

import { ApiKey } from '../protocol/generated/api-keys.js';
import type { FetchRequestInput } from '../protocol/generated/fetch-request.js';
import type { FetchResponse } from '../protocol/generated/fetch-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { decodeRecords, iterateBatches } from '../protocol/records/index.js';
import type { VersionRange } from './connection.js';
import { kafkaErrorFor } from './errors.js';
import type { ConsumedRecord, FetchedPartition, FetchPosition } from './types.js';

export const fetchApi = { apiKey: ApiKey.Fetch, versions: { min: 4, max: 12 } satisfies VersionRange };

const CONSUMER_REPLICA_ID = -1;
const READ_UNCOMMITTED = 0;

export interface FetchLimits {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitionMaxBytes: number;
}

export function buildFetchRequest(version: number, positions: readonly FetchPosition[], limits: FetchLimits): FetchRequestInput {
  const byTopic = new Map<string, FetchPosition[]>();
  for (const p of positions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
  return {
    ...(version < 15 ? { replicaId: CONSUMER_REPLICA_ID } : {}),
    maxWaitMs: limits.maxWaitMs,
    minBytes: limits.minBytes,
    maxBytes: limits.maxBytes,
    isolationLevel: READ_UNCOMMITTED,
    ...(version >= 7 ? { sessionId: 0, sessionEpoch: -1, forgottenTopicsData: [] } : {}),
    topics: [...byTopic].map(([topic, list]) => ({
      topic,
      partitions: list.map((p) => ({ partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: limits.partitionMaxBytes })),
    })),
  };
}

type FetchOutcome = FetchedPartition | (FetchPosition & { error: Error });

/** One result per partition asked: its records, or the KafkaError it failed with. */
export function parseFetchResponse(response: FetchResponse, positions: readonly FetchPosition[]): FetchOutcome[] {
  if (response.errorCode !== ErrorCode.NONE) {
    const error = kafkaErrorFor(response.errorCode, 'Fetch');
    return positions.map((p) => ({ ...p, error }));
  }
  return positions.map((position) => {
    const { topic, partition, fetchOffset } = position;
    const data = response.responses.find((t) => t.topic === topic)?.partitions.find((p) => p.partitionIndex === partition);
    const context = `Fetch ${topic}-${partition}`;
    if (data === undefined) return { ...position, error: kafkaErrorFor(ErrorCode.UNKNOWN_SERVER_ERROR, context, 'the broker did not answer for it') };
    if (data.errorCode !== ErrorCode.NONE) return { ...position, error: kafkaErrorFor(data.errorCode, context) };
    const { records, nextOffset } = decodeFetched(topic, partition, fetchOffset, data.records ?? Buffer.alloc(0));
    return { topic, partition, highWatermark: data.highWatermark, logStartOffset: data.logStartOffset, records, nextOffset };
  });
}

/**
 * The records at or after `fetchOffset` in whole batches. A compressed batch may start before the
 * fetch offset (the broker sends whole batches), so earlier records are dropped. Control batches
 * (transaction markers) advance the position but hold nothing for the reader.
 */
export function decodeFetched(topic: string, partition: number, fetchOffset: number, buf: Buffer): { records: ConsumedRecord[]; nextOffset: number } {
  const records: ConsumedRecord[] = [];
  let nextOffset = fetchOffset;
  for (const { pos, size } of iterateBatches(buf)) {
    if (pos + size > buf.length) break;
    const batch = decodeRecords(buf.subarray(pos, pos + size));
    nextOffset = Math.max(nextOffset, batch.header.baseOffset + batch.header.lastOffsetDelta + 1);
    if (batch.header.isControl) continue;
    for (const r of batch.records) {
      if (r.offset < fetchOffset) continue;
      records.push({
        topic,
        partition,
        offset: r.offset,
        timestamp: r.timestamp,
        key: copy(r.key),
        value: copy(r.value),
        headers: r.headers.map((h) => ({ key: h.key, value: copy(h.value) })),
      });
    }
  }
  return { records, nextOffset };
}

function copy(bytes: Buffer | null): Buffer | null {
  return bytes === null ? null : Buffer.from(bytes);
}
