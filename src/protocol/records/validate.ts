// Per-batch validation of RecordBatch v2 bytes, without decoding a single record: the produce hot
// path (validateProducedRecords), log recovery and follower appends (iterateBatches and
// validateBatchAt). Every check reads fixed header offsets (batch-header.ts) plus one native
// CRC32C over the batch, so the cost is per batch, not per record. The answers are Kafka's own
// error codes, chosen and ordered as Kafka 4's broker chooses them (each check cites where), with
// two deliberate departures, both documented below: magic 0/1 and a partial trailing batch.
// Record-level checks (timestamps against message.timestamp.*, keys on compacted topics) need
// decoding and are left to the callers that decode.

import { crc32c } from '@node-rs/crc32';
import { ErrorCode, type ErrorCodeValue } from '../errors.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  COMPRESSION_CODEC_MASK,
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  CURRENT_MAGIC,
  HEADER_SIZE_UP_TO_MAGIC,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_OVERHEAD,
  RECORDS_COUNT_OFFSET,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  baseOffsetOf,
  readInt64,
} from './batch-header.js';
import { CompressionCodec, type CompressionCodecValue } from './compression.js';
import { checkRecordsStructure } from './structure.js';

/** The header of a batch that passed validation, as plain numbers. */
export interface ValidatedBatch {
  /** Total bytes, LOG_OVERHEAD + batchLength. */
  size: number;
  baseOffset: number;
  partitionLeaderEpoch: number;
  lastOffsetDelta: number;
  recordsCount: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  isTransactional: boolean;
  isControl: boolean;
  compression: CompressionCodecValue;
  /** 0 CreateTime, 1 LogAppendTime. */
  timestampType: 0 | 1;
}

/** Why a batch was refused: the code for the partition's response, and a message for the log. */
export interface RecordsError {
  errorCode: ErrorCodeValue;
  message: string;
}

export interface ProduceLimits {
  /** The Produce request version; zstd needs v7+ (KIP-110). Defaults to accepting zstd. */
  produceVersion?: number;
  /** The topic's max.message.bytes; larger batches get MESSAGE_TOO_LARGE. */
  maxMessageBytes?: number;
}

export function isRecordsError(value: ValidatedBatch | RecordsError): value is RecordsError {
  return (value as RecordsError).errorCode !== undefined;
}

/** Kafka's LegacyRecord.RECORD_OVERHEAD_V0: the smallest batchLength any magic allows. */
const BATCH_LENGTH_MIN = 14;
const ZSTD_PRODUCE_VERSION_MIN = 7;
/** frameSize's answer when the bytes at `pos` hold no complete batch. */
const INCOMPLETE = -1;

function refuse(errorCode: ErrorCodeValue, message: string): RecordsError {
  return { errorCode, message };
}

/**
 * The size of the complete batch at `pos`, INCOMPLETE, or an error, following Kafka's
 * ByteBufferLogInputStream.nextBatchSize: a batchLength below 14 or a magic outside 0..2 is
 * CORRUPT_MESSAGE; too few bytes for the length, the magic or the whole batch is "no batch here".
 */
function frameSize(buf: Buffer, pos: number): number | RecordsError {
  const remaining = buf.length - pos;
  if (remaining < LOG_OVERHEAD) return INCOMPLETE;
  const batchLength = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
  if (batchLength < BATCH_LENGTH_MIN) {
    return refuse(ErrorCode.CORRUPT_MESSAGE, `batch length ${batchLength} is below the minimum of ${BATCH_LENGTH_MIN}`);
  }
  if (remaining < HEADER_SIZE_UP_TO_MAGIC) return INCOMPLETE;
  const magic = buf.readInt8(pos + MAGIC_OFFSET);
  if (magic < 0 || magic > CURRENT_MAGIC) return refuse(ErrorCode.CORRUPT_MESSAGE, `invalid magic ${magic}`);
  const size = LOG_OVERHEAD + batchLength;
  return size <= remaining ? size : INCOMPLETE;
}

/**
 * Magic 0 and 1 (message sets before KIP-98) cannot be stored: Kafka 4 removed them (KIP-724).
 * Kafka 4 itself answers a produce v3+ carrying them with INVALID_RECORD
 * (ProduceRequest.validateRecords: "only allowed to contain record batches with magic version 2");
 * Tideline answers UNSUPPORTED_FOR_MESSAGE_FORMAT, whose name says what is wrong. Both are
 * non-retriable, so a client gives up either way.
 */
function checkMagic(buf: Buffer, pos: number): RecordsError | undefined {
  const magic = buf[pos + MAGIC_OFFSET]!;
  if (magic === CURRENT_MAGIC) return undefined;
  const message = `record format magic ${magic} is not supported; only magic 2`;
  return refuse(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, message);
}

/** DefaultRecordBatch.isValid: big enough for the v2 header, and the CRC32C matches. */
function checkSizeAndCrc(buf: Buffer, pos: number, size: number): RecordsError | undefined {
  if (size < RECORD_BATCH_OVERHEAD) {
    const message = `batch of ${size} bytes is smaller than the ${RECORD_BATCH_OVERHEAD}-byte header`;
    return refuse(ErrorCode.CORRUPT_MESSAGE, message);
  }
  const stored = buf.readUInt32BE(pos + CRC_OFFSET);
  const computed = batchCrc(buf, pos, size);
  if (stored !== computed) {
    return refuse(ErrorCode.CORRUPT_MESSAGE, `batch CRC ${hex(stored)} does not match computed ${hex(computed)}`);
  }
  return undefined;
}

function checkCodec(buf: Buffer, pos: number): RecordsError | undefined {
  const codec = buf[pos + ATTRIBUTES_OFFSET + 1]! & COMPRESSION_CODEC_MASK;
  if (codec <= CompressionCodec.ZSTD) return undefined;
  return refuse(ErrorCode.CORRUPT_MESSAGE, `unknown compression codec ${codec}`);
}

/** CRC32C over the CRC-covered part of the batch at `pos`: attributes to the end. */
export function batchCrc(buf: Buffer, pos: number, size: number): number {
  return crc32c(buf.subarray(pos + ATTRIBUTES_OFFSET, pos + size));
}

/**
 * Validates the `records` of one partition of a Produce request, in Kafka's order:
 * KafkaApis → ProduceRequest.validateRecords (one batch, magic 2, zstd needs v7), then
 * UnifiedLog.analyzeAndValidateRecords (baseOffset 0, size, CRC), then LogValidator.validateBatch
 * (offsets and count agree, no control batches, a sequence with a producer id), then every
 * record's framing (structure.ts), as LogValidator reads every record.
 */
export function validateProducedRecords(records: Buffer, limits?: ProduceLimits): ValidatedBatch | RecordsError {
  const size = frameSize(records, 0);
  if (typeof size !== 'number') return size;
  if (size === INCOMPLETE) {
    // ProduceRequest.validateRecords: "must have at least one record batch per partition".
    return refuse(ErrorCode.INVALID_RECORD, `no complete record batch in ${records.length} bytes`);
  }
  const framing =
    checkMagic(records, 0) ??
    checkCodec(records, 0) ??
    checkZstdVersion(records, limits?.produceVersion) ??
    checkSingleBatch(records, size);
  if (framing !== undefined) return framing;
  // UnifiedLog.analyzeAndValidateRecords: a client batch must start at offset 0.
  const baseOffset = baseOffsetOf(records, 0);
  if (baseOffset !== 0) return refuse(ErrorCode.INVALID_RECORD, `batch baseOffset is ${baseOffset}, not 0`);
  const maxMessageBytes = limits?.maxMessageBytes ?? Infinity;
  if (size > maxMessageBytes) {
    return refuse(ErrorCode.MESSAGE_TOO_LARGE, `batch of ${size} bytes exceeds max.message.bytes ${maxMessageBytes}`);
  }
  const integrity = checkSizeAndCrc(records, 0, size);
  if (integrity !== undefined) return integrity;
  const batch = readValidatedHeader(records, 0, size);
  return checkClientBatch(batch) ?? checkRecordsStructure(records, batch) ?? batch;
}

function checkZstdVersion(records: Buffer, produceVersion: number | undefined): RecordsError | undefined {
  const codec = records[ATTRIBUTES_OFFSET + 1]! & COMPRESSION_CODEC_MASK;
  if (codec !== CompressionCodec.ZSTD || (produceVersion ?? ZSTD_PRODUCE_VERSION_MIN) >= ZSTD_PRODUCE_VERSION_MIN) {
    return undefined;
  }
  const message = `zstd needs Produce v${ZSTD_PRODUCE_VERSION_MIN}+, got v${produceVersion}`;
  return refuse(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, message);
}

/**
 * Kafka accepts exactly one batch per partition from produce v3 on. A second complete batch is
 * INVALID_RECORD (ProduceRequest.validateRecords), and a malformed one CORRUPT_MESSAGE (the batch
 * iterator throws). A partial tail Kafka silently trims (UnifiedLog.trimInvalidBytes); Tideline
 * refuses it as INVALID_RECORD instead, since no client sends one and accepting part of a
 * partition's records would hide a broken client or a framing bug.
 */
function checkSingleBatch(records: Buffer, size: number): RecordsError | undefined {
  if (size === records.length) return undefined;
  const next = frameSize(records, size);
  if (typeof next !== 'number') return next;
  if (next !== INCOMPLETE) return refuse(ErrorCode.INVALID_RECORD, 'more than one record batch for a partition');
  return refuse(ErrorCode.INVALID_RECORD, `${records.length - size} bytes trail the record batch`);
}

/** LogValidator.validateBatch for AppendOrigin.CLIENT; every failure is InvalidRecordException. */
function checkClientBatch(batch: ValidatedBatch): RecordsError | undefined {
  const countFromOffsets = batch.lastOffsetDelta + 1;
  if (countFromOffsets <= 0) {
    return refuse(ErrorCode.INVALID_RECORD, `invalid offset range: lastOffsetDelta ${batch.lastOffsetDelta}`);
  }
  if (batch.recordsCount <= 0) return refuse(ErrorCode.INVALID_RECORD, `invalid records count ${batch.recordsCount}`);
  // Producers write contiguous offset deltas 0..n-1, compressed or not, and Kafka holds them to it.
  if (batch.recordsCount !== countFromOffsets) {
    return refuse(
      ErrorCode.INVALID_RECORD,
      `records count ${batch.recordsCount} disagrees with lastOffsetDelta ${batch.lastOffsetDelta}`,
    );
  }
  if (batch.isControl) return refuse(ErrorCode.INVALID_RECORD, 'clients may not write control batches');
  if (batch.producerId >= 0 && batch.baseSequence < 0) {
    const message = `invalid base sequence ${batch.baseSequence} for producer ${batch.producerId}`;
    return refuse(ErrorCode.INVALID_RECORD, message);
  }
  return undefined;
}

/**
 * Validates the batch at `pos` of bytes that come from a log or a leader rather than a client:
 * framing, magic, codec, header size and CRC, and counts that are consistent (compaction may leave
 * a batch with fewer records than its offset range, even none). Control batches are fine here.
 */
export function validateBatchAt(buf: Buffer, pos: number): ValidatedBatch | RecordsError {
  const size = frameSize(buf, pos);
  if (typeof size !== 'number') return size;
  if (size === INCOMPLETE) return refuse(ErrorCode.CORRUPT_MESSAGE, `truncated batch at ${pos}`);
  const problem = checkMagic(buf, pos) ?? checkCodec(buf, pos) ?? checkSizeAndCrc(buf, pos, size);
  if (problem !== undefined) return problem;
  const batch = readValidatedHeader(buf, pos, size);
  if (batch.lastOffsetDelta < 0 || batch.recordsCount < 0 || batch.recordsCount > batch.lastOffsetDelta + 1) {
    return refuse(
      ErrorCode.CORRUPT_MESSAGE,
      `records count ${batch.recordsCount} does not fit lastOffsetDelta ${batch.lastOffsetDelta}`,
    );
  }
  return batch;
}

/** Where one batch lies in a buffer of batches. */
export interface BatchPosition {
  pos: number;
  size: number;
}

/**
 * The batches of a log segment or a fetched records field, in order, by framing alone (no CRC
 * check: pair each with validateBatchAt). Stops cleanly at a partial tail, which is normal at the
 * end of a fetch response and after a crash. A frame whose length or magic is invalid is yielded
 * once, with the rest of the buffer as its size, so validateBatchAt can report it; iteration then
 * stops, since nothing after it can be located.
 */
export function* iterateBatches(buf: Buffer): Generator<BatchPosition, void, undefined> {
  let pos = 0;
  for (;;) {
    const size = frameSize(buf, pos);
    if (size === INCOMPLETE) return;
    if (typeof size !== 'number') {
      yield { pos, size: buf.length - pos };
      return;
    }
    yield { pos, size };
    pos += size;
  }
}

/** Reads the header fields of the batch at `pos`; the caller has checked size and magic. */
export function readValidatedHeader(buf: Buffer, pos: number, size: number): ValidatedBatch {
  const attributes = buf.readInt16BE(pos + ATTRIBUTES_OFFSET);
  return {
    size,
    baseOffset: baseOffsetOf(buf, pos),
    partitionLeaderEpoch: buf.readInt32BE(pos + PARTITION_LEADER_EPOCH_OFFSET),
    lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET),
    recordsCount: buf.readInt32BE(pos + RECORDS_COUNT_OFFSET),
    baseTimestamp: readInt64(buf, pos + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: readInt64(buf, pos + MAX_TIMESTAMP_OFFSET),
    producerId: readInt64(buf, pos + PRODUCER_ID_OFFSET),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH_OFFSET),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE_OFFSET),
    isTransactional: (attributes & TRANSACTIONAL_FLAG_MASK) !== 0,
    isControl: (attributes & CONTROL_FLAG_MASK) !== 0,
    compression: (attributes & COMPRESSION_CODEC_MASK) as CompressionCodecValue,
    timestampType: (attributes & TIMESTAMP_TYPE_MASK) !== 0 ? 1 : 0,
  };
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
