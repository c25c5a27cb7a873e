// The read half of a fetch from one segment (Kafka's LogSegment.read), returning whole batches
// only: the caller (PartitionLog.read) has found the segment and the first batch to return.

import { LOG_OVERHEAD, batchSizeAt, lastOffsetOf } from '../protocol/records/batch-header.js';
import type { BatchLocation, LogSegment } from './segment.js';

export interface ReadResult {
  /** Whole batches, possibly none. */
  records: Buffer<ArrayBuffer>;
  /** Base offset of the first batch returned (it may start before the fetch offset), or -1. */
  firstBatchOffset: number;
}

export const EMPTY_READ: ReadResult = Object.freeze({ records: Buffer.alloc(0), firstBatchOffset: -1 });

/** Reads from `from` to the last whole batch that fits `maxBytes` and ends below `maxOffsetExclusive`. */
export function readFrom(segment: LogSegment, from: BatchLocation, maxBytes: number, maxOffsetExclusive: number, minOneBatch: boolean): ReadResult {
  if (from.lastOffset >= maxOffsetExclusive) return EMPTY_READ;
  const limit = minOneBatch ? Math.max(maxBytes, from.size) : maxBytes;
  if (limit < from.size) return EMPTY_READ;
  // An index entry at or past the bound marks a batch that may not be returned: read no further.
  const bound = segment.offsetIndex.positionAtOrAfter(maxOffsetExclusive);
  const end = bound >= 0 ? Math.min(bound, segment.size) : segment.size;
  const length = Math.min(limit, end - from.position);
  const buf = segment.readBytes(from.position, length);
  let pos = 0;
  while (pos + LOG_OVERHEAD <= length) {
    const size = batchSizeAt(buf, pos);
    if (pos + size > length || lastOffsetOf(buf, pos) >= maxOffsetExclusive) break;
    pos += size;
  }
  // Do not pin a large buffer for a small answer.
  const records = pos === length ? buf : pos < length / 2 ? Buffer.from(buf.subarray(0, pos)) : buf.subarray(0, pos);
  return { records, firstBatchOffset: from.baseOffset };
}
