// Produce (v3-11) as plain data, for one topic at a time. v3 is Kafka 4's floor and the first
// version that carries RecordBatch v2, the only format Tideline writes. The caller builds the
// batches (buildBatch in protocol/records); this file only frames them and reads the answer.
// acks=0 gets no response at all, so it is not sent through here (see KafkaAdmin.produce).

import { ApiKey } from '../protocol/generated/api-keys.js';
import type { ProduceRequestInput } from '../protocol/generated/produce-request.js';
import type { ProduceResponse } from '../protocol/generated/produce-response.js';
import { ErrorCode } from '../protocol/errors.js';
import type { VersionRange } from './connection.js';
import { kafkaErrorFor } from './errors.js';

export const produceApi = { apiKey: ApiKey.Produce, versions: { min: 3, max: 11 } satisfies VersionRange };

export interface PartitionBatch {
  partition: number;
  batch: Buffer;
}

export interface ProducedPartition {
  partition: number;
  baseOffset: number;
}

export function buildProduceRequest(topic: string, batches: readonly PartitionBatch[], acks: number, timeoutMs: number): ProduceRequestInput {
  return {
    transactionalId: null,
    acks,
    timeoutMs,
    topicData: [{ name: topic, partitionData: batches.map((b) => ({ index: b.partition, records: b.batch })) }],
  };
}

/** One result per partition answered: its base offset, or the KafkaError it failed with. */
export function parseProduceResponse(topic: string, response: ProduceResponse): Map<number, ProducedPartition | Error> {
  const results = new Map<number, ProducedPartition | Error>();
  for (const t of response.responses.filter((r) => r.name === topic)) {
    for (const p of t.partitionResponses) {
      const context = `Produce ${topic}-${p.index}`;
      results.set(p.index, p.errorCode === ErrorCode.NONE ? { partition: p.index, baseOffset: p.baseOffset } : kafkaErrorFor(p.errorCode, context, p.errorMessage));
    }
  }
  return results;
}
