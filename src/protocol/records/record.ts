// Decoding the records inside a RecordBatch v2, for the few places that must look inside a batch
// (timestamp lookups, __consumer_offsets and other internal topics, control records) and for
// tests. The produce and fetch paths never call this: batches stay bytes there.
//
// A record (Kafka protocol docs, "Record"): length varint, attributes int8 (unused), timestampDelta
// varlong, offsetDelta varint, key (varint length, -1 = null), value (likewise), then a varint
// count of headers, each a varint-length UTF-8 key and a varint-length value (-1 = null).
// The batch is validated first (framing, magic, CRC); every length is then checked against the
// bytes that remain, and each record must end exactly where its length says. Anything else throws
// KafkaError(CORRUPT_MESSAGE). Keys, values and header values are views into the batch (or into
// its decompressed body), not copies: copy them to keep them past the buffer's reuse.

import { ErrorCode, KafkaError } from '../errors.js';
import { RECORD_BATCH_OVERHEAD } from './batch-header.js';
import { CompressionCodec, DECOMPRESSED_BYTES_MAX_DEFAULT, decompress } from './compression.js';
import { isRecordsError, validateBatchAt, type ValidatedBatch } from './validate.js';
import { type Cursor, readVarint, readVarlong } from './varint.js';

export type BatchHeaderInfo = ValidatedBatch;

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface DecodedBatch {
  header: BatchHeaderInfo;
  records: DecodedRecord[];
}

export interface DecodeOptions {
  /** Ceiling on the decompressed body, against decompression bombs. */
  decompressedBytesMax?: number;
}

/** Decodes the one batch that `batch` holds exactly; throws KafkaError on malformed data. */
export function decodeRecords(batch: Buffer, options?: DecodeOptions): DecodedBatch {
  const header = validateBatchAt(batch, 0);
  if (isRecordsError(header)) throw new KafkaError(header.errorCode, header.message);
  if (header.size !== batch.length) {
    throw corrupt(`buffer holds ${batch.length} bytes but the batch is ${header.size}`);
  }
  const body = batch.subarray(RECORD_BATCH_OVERHEAD, header.size);
  // An empty body needs no codec: compaction leaves header-only batches (Kafka writes them with
  // no compression, but an empty body is empty whatever the attributes say).
  const records =
    header.compression === CompressionCodec.NONE || body.length === 0
      ? body
      : decompress(header.compression, body, options?.decompressedBytesMax ?? DECOMPRESSED_BYTES_MAX_DEFAULT);
  return { header, records: decodeRecordsBody(header, records) };
}

/** Decodes `header.recordsCount` records that must fill `body` exactly. */
function decodeRecordsBody(header: BatchHeaderInfo, body: Buffer): DecodedRecord[] {
  const records: DecodedRecord[] = [];
  const cursor: Cursor = { pos: 0 };
  try {
    for (let i = 0; i < header.recordsCount; i++) records.push(decodeRecord(header, body, cursor));
  } catch (err) {
    if (err instanceof KafkaError) throw err;
    throw corrupt(`record ${records.length}: ${(err as Error).message}`, err);
  }
  if (cursor.pos !== body.length) {
    throw corrupt(`${body.length - cursor.pos} bytes follow the ${header.recordsCount} records the batch declares`);
  }
  return records;
}

function decodeRecord(header: BatchHeaderInfo, body: Buffer, cursor: Cursor): DecodedRecord {
  const length = readVarint(body, cursor);
  const end = cursor.pos + length;
  if (length < 0 || end > body.length) throw corrupt(`record length ${length} overruns the batch at ${cursor.pos}`);
  const view = body.subarray(0, end); // reads past the record's own end fail as truncation
  cursor.pos += 1; // attributes: unused in magic 2
  const timestampDelta = readVarlong(view, cursor);
  const offsetDelta = readVarint(view, cursor);
  const key = readBytes(view, cursor);
  const value = readBytes(view, cursor);
  const headerCount = readVarint(view, cursor);
  if (headerCount < 0) throw corrupt(`negative header count ${headerCount}`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const keyBytes = readBytes(view, cursor);
    if (keyBytes === null) throw corrupt('null header key');
    headers.push({ key: keyBytes.toString('utf8'), value: readBytes(view, cursor) });
  }
  if (cursor.pos !== end) {
    throw corrupt(`record declares ${length} bytes but its fields take ${length + cursor.pos - end}`);
  }
  return {
    offset: header.baseOffset + offsetDelta,
    // LogAppendTime: every record carries the batch's maxTimestamp (Kafka's DefaultRecordBatch).
    timestamp: header.timestampType === 1 ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  };
}

/** A varint length then that many bytes; -1 is null. */
function readBytes(buf: Buffer, cursor: Cursor): Buffer | null {
  const length = readVarint(buf, cursor);
  if (length === -1) return null;
  if (length < -1 || cursor.pos + length > buf.length) {
    throw corrupt(`field length ${length} overruns the record at ${cursor.pos}`);
  }
  const bytes = buf.subarray(cursor.pos, cursor.pos + length);
  cursor.pos += length;
  return bytes;
}

function corrupt(message: string, cause?: unknown): KafkaError {
  return new KafkaError(ErrorCode.CORRUPT_MESSAGE, `corrupt record batch: ${message}`, { cause });
}
