// In-place edits the broker makes to a batch it has validated, before appending it. baseOffset and
// partitionLeaderEpoch lie outside the CRC, so setting them costs two writes. LogAppendTime does
// not: the timestamp type bit and maxTimestamp are CRC-covered, so the CRC is recomputed, as
// Kafka's DefaultRecordBatch.setMaxTimestamp does for message.timestamp.type=LogAppendTime.

import {
  ATTRIBUTES_OFFSET,
  CRC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  TIMESTAMP_TYPE_MASK,
  batchSizeAt,
  readInt64,
  writeInt64,
} from './batch-header.js';
import { batchCrc } from './validate.js';

export function setBaseOffset(buf: Buffer, pos: number, baseOffset: number): void {
  writeInt64(buf, pos, baseOffset);
}

export function setPartitionLeaderEpoch(buf: Buffer, pos: number, partitionLeaderEpoch: number): void {
  buf.writeInt32BE(partitionLeaderEpoch, pos + PARTITION_LEADER_EPOCH_OFFSET);
}

/**
 * Marks the batch at `pos` as LogAppendTime with `timestampMs` as its maxTimestamp and rewrites the
 * CRC. Readers then give every record of the batch that timestamp; baseTimestamp and the records'
 * deltas stay as the producer wrote them. A batch already carrying exactly this is left untouched.
 */
export function setLogAppendTime(buf: Buffer, pos: number, timestampMs: number): void {
  const attributes = buf.readInt16BE(pos + ATTRIBUTES_OFFSET);
  const isLogAppendTime = (attributes & TIMESTAMP_TYPE_MASK) !== 0;
  if (isLogAppendTime && readInt64(buf, pos + MAX_TIMESTAMP_OFFSET) === timestampMs) return;
  buf.writeInt16BE(attributes | TIMESTAMP_TYPE_MASK, pos + ATTRIBUTES_OFFSET);
  writeInt64(buf, pos + MAX_TIMESTAMP_OFFSET, timestampMs);
  buf.writeUInt32BE(batchCrc(buf, pos, batchSizeAt(buf, pos)), pos + CRC_OFFSET);
}
