// Structural check of the records inside a produced batch: Kafka's LogValidator reads every
// record of every produced batch, so a batch whose CRC is right but whose records do not parse
// (a client bug) is refused with CORRUPT_MESSAGE instead of being stored and choking every
// consumer. This walks the record framing without building anything: per record one length
// and a handful of varints, no objects, no copies. Compressed batches are decompressed first
// (bounded), as Kafka does; that is the price of never storing a batch nobody can read.
//
// Checked: each record's length fits, its fields (attributes, timestamp delta, offset delta,
// key, value, headers) end exactly at its length, offset deltas run 0..n-1, header keys are not
// null, and the records fill the body exactly.

import { ErrorCode, KafkaError } from '../errors.js';
import { RECORD_BATCH_OVERHEAD } from './batch-header.js';
import { CompressionCodec, DECOMPRESSED_BYTES_MAX_DEFAULT, decompress } from './compression.js';
import type { RecordsError, ValidatedBatch } from './validate.js';

/** Position of the walk; module-level so the hot loop allocates nothing. */
let pos = 0;
const EMPTY = Buffer.alloc(0);
let body: Buffer = EMPTY;

class Malformed extends Error {}

function varint(): number {
  let raw = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= body.length) throw new Malformed(`truncated varint at ${pos}`);
    const byte = body[pos++]!;
    raw |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return (raw >>> 1) ^ -(raw & 1);
  }
  throw new Malformed(`over-long varint at ${pos}`);
}

function skipVarlong(): void {
  for (let i = 0; i < 10; i++) {
    if (pos >= body.length) throw new Malformed(`truncated varlong at ${pos}`);
    if ((body[pos++]! & 0x80) === 0) return;
  }
  throw new Malformed(`over-long varlong at ${pos}`);
}

function skipBytes(end: number, isNullable: boolean): void {
  const length = varint();
  if (length === -1 && isNullable) return;
  if (length < 0 || pos + length > end) throw new Malformed(`field length ${length} overruns its record at ${pos}`);
  pos += length;
}

function walk(recordsCount: number): void {
  for (let i = 0; i < recordsCount; i++) {
    const length = varint();
    const end = pos + length;
    if (length < 0 || end > body.length) throw new Malformed(`record ${i} length ${length} overruns the batch`);
    pos += 1; // attributes
    skipVarlong(); // timestamp delta
    const offsetDelta = varint();
    if (offsetDelta !== i) throw new Malformed(`record ${i} has offset delta ${offsetDelta}`);
    skipBytes(end, true); // key
    skipBytes(end, true); // value
    const headers = varint();
    if (headers < 0) throw new Malformed(`record ${i} has ${headers} headers`);
    for (let h = 0; h < headers; h++) {
      skipBytes(end, false);
      skipBytes(end, true);
    }
    if (pos !== end) throw new Malformed(`record ${i} fields do not end at its declared length`);
  }
  if (pos !== body.length) throw new Malformed(`${body.length - pos} bytes follow the last record`);
}

/** Undefined when every record parses; CORRUPT_MESSAGE (or the codec's error) otherwise. */
export function checkRecordsStructure(batch: Buffer, header: ValidatedBatch, decompressedBytesMax = DECOMPRESSED_BYTES_MAX_DEFAULT): RecordsError | undefined {
  const raw = batch.subarray(RECORD_BATCH_OVERHEAD, header.size);
  try {
    body = header.compression === CompressionCodec.NONE ? raw : decompress(header.compression, raw, decompressedBytesMax);
    pos = 0;
    walk(header.recordsCount);
    return undefined;
  } catch (err) {
    if (err instanceof Malformed) return { errorCode: ErrorCode.CORRUPT_MESSAGE, message: `unreadable records: ${err.message}` };
    if (err instanceof KafkaError) return { errorCode: err.code as RecordsError['errorCode'], message: err.message };
    throw err;
  } finally {
    body = EMPTY;
  }
}
