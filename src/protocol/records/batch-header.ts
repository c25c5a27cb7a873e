// Byte layout of a RecordBatch v2 header (Kafka's "magic 2" format, see the protocol docs,
// "Record Batch"). Every field sits at a fixed offset, so hot paths read and patch the header
// in place without decoding records. The CRC32C at CRC_OFFSET covers bytes from ATTRIBUTES_OFFSET
// to the end of the batch; baseOffset, batchLength and partitionLeaderEpoch lie outside it, which
// is why the broker may set them without recomputing the CRC.

export const BASE_OFFSET_OFFSET = 0; // int64
export const BATCH_LENGTH_OFFSET = 8; // int32: bytes after this field
export const PARTITION_LEADER_EPOCH_OFFSET = 12; // int32
export const MAGIC_OFFSET = 16; // int8, 2
export const CRC_OFFSET = 17; // uint32, CRC32C
export const ATTRIBUTES_OFFSET = 21; // int16
export const LAST_OFFSET_DELTA_OFFSET = 23; // int32
export const BASE_TIMESTAMP_OFFSET = 27; // int64
export const MAX_TIMESTAMP_OFFSET = 35; // int64
export const PRODUCER_ID_OFFSET = 43; // int64
export const PRODUCER_EPOCH_OFFSET = 51; // int16
export const BASE_SEQUENCE_OFFSET = 53; // int32
export const RECORDS_COUNT_OFFSET = 57; // int32
export const RECORD_BATCH_OVERHEAD = 61; // header size; records follow
/** baseOffset + batchLength: the bytes before the length-counted part of a batch. */
export const LOG_OVERHEAD = 12;
/** Up to and including the magic byte: enough to tell a batch's size and format. */
export const HEADER_SIZE_UP_TO_MAGIC = 17;

export const CURRENT_MAGIC = 2;

// attributes bits
export const COMPRESSION_CODEC_MASK = 0x07; // 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd
export const TIMESTAMP_TYPE_MASK = 0x08; // 0 CreateTime, 1 LogAppendTime
export const TRANSACTIONAL_FLAG_MASK = 0x10;
export const CONTROL_FLAG_MASK = 0x20;
export const DELETE_HORIZON_FLAG_MASK = 0x40;

export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;

/** Total size in bytes of the batch starting at `pos` (LOG_OVERHEAD + batchLength). */
export function batchSizeAt(buf: Buffer, pos: number): number {
  return LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
}

/**
 * Reads an int64 as a JS number. Offsets, timestamps and producer ids stay far below 2^53 in
 * practice; Tideline uses numbers for them everywhere (see docs/decisions/0001-int64-as-number.md).
 */
export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * 4294967296 + buf.readUInt32BE(pos + 4);
}

export function writeInt64(buf: Buffer, pos: number, value: number): void {
  const hi = Math.floor(value / 4294967296);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(value - hi * 4294967296, pos + 4);
}

export function baseOffsetOf(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + BASE_OFFSET_OFFSET);
}

export function lastOffsetOf(buf: Buffer, pos: number): number {
  return baseOffsetOf(buf, pos) + buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
}
