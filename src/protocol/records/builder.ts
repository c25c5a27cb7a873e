// Building a complete RecordBatch v2 from records: what the broker needs for its own writes
// (control markers, internal topics) and what tests and benchmarks use to make client-like input.
// Defaults follow a non-idempotent producer: baseOffset 0, no producer id/epoch/sequence, leader
// epoch -1, CreateTime. Like Kafka's MemoryRecordsBuilder, baseTimestamp is the first record's
// timestamp and maxTimestamp the largest; offset deltas default to 0..n-1. The records are encoded
// into one buffer, compressed as a whole if asked, and the CRC32C is computed last.

import { assert } from '../../common/assert.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_OVERHEAD,
  RECORDS_COUNT_OFFSET,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  writeInt64,
} from './batch-header.js';
import { CompressionCodec, type CompressionCodecValue, compress } from './compression.js';
import { batchCrc } from './validate.js';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint.js';

type Bytes = Buffer | string | null;

export interface RecordInput {
  key?: Bytes;
  value?: Bytes;
  headers?: ReadonlyArray<{ key: string; value: Bytes }>;
  /** Milliseconds; defaults to the time of the build. */
  timestamp?: number;
  /** Defaults to the record's index in the batch. */
  offsetDelta?: number;
}

export interface BuildBatchOptions {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  compression?: CompressionCodecValue;
  timestampType?: 0 | 1;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  records: readonly RecordInput[];
}

/** A record with its byte fields resolved and its varint-encoded body size known. */
interface Prepared {
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: Buffer; value: Buffer | null }>;
  timestampDelta: number;
  offsetDelta: number;
  bodySize: number;
}

export function buildBatch(options: BuildBatchOptions): Buffer {
  const { records } = options;
  assert(records.length > 0, 'a record batch needs at least one record');
  const nowMs = Date.now();
  const timestamps = records.map((record) => record.timestamp ?? nowMs);
  const baseTimestamp = timestamps[0]!;
  const prepared = records.map((record, i) => prepare(record, i, timestamps[i]! - baseTimestamp));
  const codec = options.compression ?? CompressionCodec.NONE;
  const body = compress(codec, encodeRecords(prepared));

  const batch = Buffer.alloc(RECORD_BATCH_OVERHEAD + body.length);
  writeInt64(batch, 0, options.baseOffset ?? 0);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  batch.writeInt32BE(options.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH, PARTITION_LEADER_EPOCH_OFFSET);
  batch.writeInt8(CURRENT_MAGIC, MAGIC_OFFSET);
  batch.writeInt16BE(attributesOf(options, codec), ATTRIBUTES_OFFSET);
  batch.writeInt32BE(prepared[prepared.length - 1]!.offsetDelta, LAST_OFFSET_DELTA_OFFSET);
  writeInt64(batch, BASE_TIMESTAMP_OFFSET, baseTimestamp);
  writeInt64(batch, MAX_TIMESTAMP_OFFSET, timestamps.reduce((max, t) => (t > max ? t : max)));
  writeInt64(batch, PRODUCER_ID_OFFSET, options.producerId ?? NO_PRODUCER_ID);
  batch.writeInt16BE(options.producerEpoch ?? NO_PRODUCER_EPOCH, PRODUCER_EPOCH_OFFSET);
  batch.writeInt32BE(options.baseSequence ?? NO_SEQUENCE, BASE_SEQUENCE_OFFSET);
  batch.writeInt32BE(records.length, RECORDS_COUNT_OFFSET);
  body.copy(batch, RECORD_BATCH_OVERHEAD);
  batch.writeUInt32BE(batchCrc(batch, 0, batch.length), CRC_OFFSET);
  return batch;
}

function attributesOf(options: BuildBatchOptions, codec: CompressionCodecValue): number {
  return (
    codec |
    (options.timestampType === 1 ? TIMESTAMP_TYPE_MASK : 0) |
    (options.isTransactional ? TRANSACTIONAL_FLAG_MASK : 0) |
    (options.isControl ? CONTROL_FLAG_MASK : 0)
  );
}

function toBytes(value: Bytes | undefined): Buffer | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function sizeOfBytes(bytes: Buffer | null): number {
  return bytes === null ? sizeOfVarint(-1) : sizeOfVarint(bytes.length) + bytes.length;
}

function prepare(record: RecordInput, index: number, timestampDelta: number): Prepared {
  const key = toBytes(record.key);
  const value = toBytes(record.value);
  const headers = (record.headers ?? []).map((h) => ({ key: Buffer.from(h.key, 'utf8'), value: toBytes(h.value) }));
  const offsetDelta = record.offsetDelta ?? index;
  let bodySize = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta);
  bodySize += sizeOfBytes(key) + sizeOfBytes(value) + sizeOfVarint(headers.length);
  for (const header of headers) bodySize += sizeOfBytes(header.key) + sizeOfBytes(header.value);
  return { key, value, headers, timestampDelta, offsetDelta, bodySize };
}

function encodeRecords(prepared: readonly Prepared[]): Buffer {
  let total = 0;
  for (const record of prepared) total += sizeOfVarint(record.bodySize) + record.bodySize;
  const out = Buffer.alloc(total);
  let pos = 0;
  for (const record of prepared) {
    pos = writeVarint(out, pos, record.bodySize);
    out[pos++] = 0; // attributes
    pos = writeVarlong(out, pos, record.timestampDelta);
    pos = writeVarint(out, pos, record.offsetDelta);
    pos = writeBytes(out, pos, record.key);
    pos = writeBytes(out, pos, record.value);
    pos = writeVarint(out, pos, record.headers.length);
    for (const header of record.headers) {
      pos = writeBytes(out, pos, header.key);
      pos = writeBytes(out, pos, header.value);
    }
  }
  assert(pos === total, `encoded ${pos} record bytes, sized ${total}`);
  return out;
}

function writeBytes(out: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarint(out, pos, -1);
  pos = writeVarint(out, pos, bytes.length);
  bytes.copy(out, pos);
  return pos + bytes.length;
}
