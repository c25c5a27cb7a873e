// Read-only searches over a partition's segments that look at batch headers only: by timestamp
// (ListOffsets), for the largest timestamp (ListOffsets MAX_TIMESTAMP, KIP-734), and a walk of all
// headers from an offset (rebuilding producer state at start-up). Batches wholly below the log
// start offset are invisible to all of them, as they are to fetches.

import {
  ATTRIBUTES_OFFSET,
  CONTROL_FLAG_MASK,
  MAX_TIMESTAMP_OFFSET,
  baseOffsetOf,
  lastOffsetOf,
  readInt64,
} from '../protocol/records/batch-header.js';
import { scanBatches } from './batch-scan.js';
import type { LogSegment } from './segment.js';

export interface FoundBatch {
  /** A copy of the whole batch. */
  batch: Buffer<ArrayBuffer>;
  baseOffset: number;
}

/** Index of the last segment whose base offset is ≤ `offset` (0 when all start above it). */
export function segmentIndexFor(segments: readonly LogSegment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid]!.baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

function isBelowLogStart(segments: readonly LogSegment[], i: number, logStartOffset: number): boolean {
  const next = segments[i + 1];
  return next !== undefined && next.baseOffset <= logStartOffset;
}

/** The first batch (in offset order) at or after the log start whose maxTimestamp is ≥ `timestamp`. */
export function findBatchByTimestamp(segments: readonly LogSegment[], logStartOffset: number, timestamp: number): FoundBatch | null {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (isBelowLogStart(segments, i, logStartOffset) || segment.maxTimestamp < timestamp) continue;
    // Batches up to the time index entry below `timestamp` are all older than it.
    const before = segment.timeIndex.offsetBefore(timestamp);
    let from = before < 0 ? 0 : segment.offsetIndex.lookup(before);
    if (logStartOffset > segment.baseOffset) from = Math.max(from, segment.offsetIndex.lookup(logStartOffset));
    let found = null as { position: number; size: number; baseOffset: number } | null;
    scanBatches(segment.file, from, segment.size, null, (buf, pos, position, size) => {
      if (lastOffsetOf(buf, pos) < logStartOffset || readInt64(buf, pos + MAX_TIMESTAMP_OFFSET) < timestamp) return true;
      found = { position, size, baseOffset: baseOffsetOf(buf, pos) };
      return false;
    });
    if (found !== null) {
      const { position, size, baseOffset } = found;
      return { batch: segment.readBytes(position, size), baseOffset };
    }
  }
  return null;
}

/** The earliest batch carrying the log's largest timestamp, or null when no batch has one. */
export function maxTimestampBatch(segments: readonly LogSegment[], logStartOffset: number): FoundBatch | null {
  let best: { segment: LogSegment; timestamp: number; offset: number } | null = null;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (isBelowLogStart(segments, i, logStartOffset)) continue;
    let timestamp = segment.maxTimestamp;
    let offset = segment.offsetOfMaxTimestamp;
    // Only the segment holding the log start can have its maximum in a batch that is gone.
    if (offset >= 0 && offset < logStartOffset) ({ timestamp, offset } = visibleMaxTimestamp(segment, logStartOffset));
    if (timestamp >= 0 && timestamp > (best?.timestamp ?? -1)) best = { segment, timestamp, offset };
  }
  if (best === null) return null;
  const location = best.segment.translateOffset(best.offset);
  if (location === null) return null;
  return { batch: best.segment.readBytes(location.position, location.size), baseOffset: location.baseOffset };
}

function visibleMaxTimestamp(segment: LogSegment, logStartOffset: number): { timestamp: number; offset: number } {
  let timestamp = -1;
  let offset = -1;
  scanBatches(segment.file, segment.offsetIndex.lookup(logStartOffset), segment.size, null, (buf, pos) => {
    const lastOffset = lastOffsetOf(buf, pos);
    const batchTimestamp = readInt64(buf, pos + MAX_TIMESTAMP_OFFSET);
    if (lastOffset >= logStartOffset && batchTimestamp > timestamp) {
      timestamp = batchTimestamp;
      offset = lastOffset;
    }
  });
  return { timestamp, offset };
}

/**
 * Calls `visit(buf, pos)` for every batch from the one holding `fromOffset` to the log end. `buf`
 * holds at least the 61-byte header at `pos` and is reused between calls; control batches (the
 * transaction markers producer state needs to read) are passed whole, in their own buffer.
 */
export function scanBatchHeaders(
  segments: readonly LogSegment[],
  fromOffset: number,
  visit: (buf: Buffer, pos: number) => void,
): void {
  const first = segmentIndexFor(segments, fromOffset);
  for (let i = first; i < segments.length; i++) {
    const segment = segments[i]!;
    const from = i === first ? (segment.translateOffset(fromOffset)?.position ?? segment.size) : 0;
    scanBatches(segment.file, from, segment.size, null, (buf, pos, position, size) => {
      if ((buf.readInt16BE(pos + ATTRIBUTES_OFFSET) & CONTROL_FLAG_MASK) !== 0) visit(segment.readBytes(position, size), 0);
      else visit(buf, pos);
    });
  }
}
