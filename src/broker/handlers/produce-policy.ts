// Topic policies a produced batch must meet beyond its own validity: the timestamp window
// (message.timestamp.before.max.ms / after.max.ms, checked on the batch's first and largest
// timestamps, which bound every record's) and the topic's compression.type, which makes the
// broker re-encode a batch whose codec differs, as Kafka does. Re-encoding decodes records, so
// it only happens on topics that ask for it; `producer` (the default) stores batches as sent.

import type { ValidatedBatch } from '../../protocol/records/index.js';
import { buildBatch, decodeRecords } from '../../protocol/records/index.js';
import { CompressionCodec, type CompressionCodecValue } from '../../protocol/records/compression.js';

const CODEC_BY_NAME: Record<string, CompressionCodecValue> = {
  uncompressed: CompressionCodec.NONE,
  gzip: CompressionCodec.GZIP,
  snappy: CompressionCodec.SNAPPY,
  lz4: CompressionCodec.LZ4,
  zstd: CompressionCodec.ZSTD,
};

export function timestampProblem(batch: ValidatedBatch, config: Map<string, string | null>, nowMs: number): string | undefined {
  if (config.get('message.timestamp.type') === 'LogAppendTime') return undefined;
  const before = Number(config.get('message.timestamp.before.max.ms'));
  const after = Number(config.get('message.timestamp.after.max.ms'));
  if (Number.isFinite(before) && before < Number.MAX_SAFE_INTEGER && batch.baseTimestamp < nowMs - before) {
    return `timestamp ${batch.baseTimestamp} is more than ${before} ms before the broker's time`;
  }
  if (Number.isFinite(after) && after < Number.MAX_SAFE_INTEGER && batch.maxTimestamp > nowMs + after) {
    return `timestamp ${batch.maxTimestamp} is more than ${after} ms after the broker's time`;
  }
  return undefined;
}

/** The bytes to store: the batch as sent, or re-encoded with the topic's compression.type. */
export function convertForTopic(records: Buffer, batch: ValidatedBatch, config: Map<string, string | null>): Buffer {
  const wanted = CODEC_BY_NAME[config.get('compression.type') ?? 'producer'];
  if (wanted === undefined || wanted === batch.compression) return records;
  const decoded = decodeRecords(records);
  return buildBatch({
    compression: wanted,
    timestampType: batch.timestampType,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    isTransactional: batch.isTransactional,
    records: decoded.records.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      timestamp: r.timestamp,
      offsetDelta: r.offset - decoded.header.baseOffset,
    })),
  });
}
