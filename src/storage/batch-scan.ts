// Walking batches without decoding records: a chunked reader (FileWindow), the structural and CRC
// check recovery applies to every batch it walks (checkBatch), a scan loop over a byte range of a
// segment file (scanBatches), and the check of batches a follower fetched. The log stores batches
// as bytes and trusts what it wrote; only recovery and follower appends look at CRCs.

import { crc32c } from '@node-rs/crc32';
import {
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  ATTRIBUTES_OFFSET,
  CURRENT_MAGIC,
  HEADER_SIZE_UP_TO_MAGIC,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  RECORD_BATCH_OVERHEAD,
  baseOffsetOf,
  batchSizeAt,
  lastOffsetOf,
} from '../protocol/records/batch-header.js';
import { CorruptRecordError, RecordBatchTooLargeError, UnexpectedAppendOffsetError } from './errors.js';
import type { SegmentFile } from './file.js';

export const INT32_MAX = 2147483647;
/** Read size when walking whole batches (recovery). */
export const RECOVERY_CHUNK_BYTES = 1024 * 1024;
/** Read size when hopping from header to header. */
export const HEADER_CHUNK_BYTES = 16 * 1024;

export type BatchProblem = 'torn' | 'bad-length' | 'bad-magic' | 'bad-crc' | 'bad-offsets';

/**
 * Why the batch at `pos` cannot be kept, or null. `available` bytes follow `pos` in `buf`; offsets
 * must not fall below `minBaseOffset` (batches grow) nor leave the int32 range relative to
 * `segmentBaseOffset` (when given).
 * baseOffset and batchLength lie outside the CRC, hence the separate offset and length checks.
 */
export function checkBatch(
  buf: Buffer,
  pos: number,
  available: number,
  minBaseOffset: number,
  segmentBaseOffset: number | null,
): BatchProblem | null {
  if (available < HEADER_SIZE_UP_TO_MAGIC) return 'torn';
  const batchLength = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
  if (batchLength < RECORD_BATCH_OVERHEAD - LOG_OVERHEAD) return 'bad-length';
  if (buf[pos + MAGIC_OFFSET] !== CURRENT_MAGIC) return 'bad-magic';
  const size = LOG_OVERHEAD + batchLength;
  if (available < size) return 'torn';
  if (crc32c(buf.subarray(pos + ATTRIBUTES_OFFSET, pos + size)) !== buf.readUInt32BE(pos + CRC_OFFSET)) return 'bad-crc';
  const baseOffset = baseOffsetOf(buf, pos);
  const lastOffsetDelta = buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
  if (baseOffset < minBaseOffset || lastOffsetDelta < 0) return 'bad-offsets';
  if (segmentBaseOffset !== null && baseOffset + lastOffsetDelta - segmentBaseOffset > INT32_MAX) return 'bad-offsets';
  return null;
}

/** Serves byte ranges of a file from one reusable buffer, reading ahead `chunkBytes` at a time. */
export class FileWindow {
  buf: Buffer;
  private start = 0;
  private length = 0;

  constructor(
    private readonly file: SegmentFile,
    private readonly end: number,
    private readonly chunkBytes: number,
    buf?: Buffer,
  ) {
    this.buf = buf ?? Buffer.allocUnsafe(chunkBytes);
  }

  /**
   * Makes file bytes [position, position + length) available and returns where they start in
   * `buf`, or -1 if the range ends beyond `end`. The content of `buf` changes on the next call.
   */
  load(position: number, length: number): number {
    if (position >= this.start && position + length <= this.start + this.length) return position - this.start;
    if (position + length > this.end) return -1;
    const want = Math.min(Math.max(length, this.chunkBytes), this.end - position);
    if (want > this.buf.length) this.buf = Buffer.allocUnsafe(want);
    this.length = this.file.readAt(this.buf, 0, want, position);
    this.start = position;
    return this.length >= length ? 0 : -1;
  }
}

export interface ScanResult {
  /** File position where the scan stopped: `end`, the first bad batch, or where visit asked to stop. */
  position: number;
  problem: BatchProblem | null;
}

/**
 * Visits the batches in file bytes [from, end). With `segmentBaseOffset` set, each whole batch is
 * loaded and checked first and the scan stops at the first bad one; without it only the 61-byte
 * header is loaded, and a tail too short for a header ends the scan as 'torn'. `visit` gets the
 * buffer, the batch's index in it, its file position and size, and returns false to stop.
 */
export function scanBatches(
  file: SegmentFile,
  from: number,
  end: number,
  segmentBaseOffset: number | null,
  visit: (buf: Buffer, pos: number, position: number, size: number) => boolean | void,
): ScanResult {
  const isChecked = segmentBaseOffset !== null;
  // Header scans run on every fetch (offset lookups); they share one buffer rather than allocate
  // 16 KiB each time, which drove most of a replicating broker's garbage collections. A scan
  // started from inside a visit (none today) gets a buffer of its own.
  const shared = !isChecked && !headerScanBufferInUse;
  const window = new FileWindow(file, end, isChecked ? RECOVERY_CHUNK_BYTES : HEADER_CHUNK_BYTES, shared ? headerScanBuffer : undefined);
  if (shared) headerScanBufferInUse = true;
  try {
    let position = from;
    let minBaseOffset = segmentBaseOffset ?? 0;
    while (position < end) {
      const headerBytes = isChecked ? HEADER_SIZE_UP_TO_MAGIC : RECORD_BATCH_OVERHEAD;
      let pos = window.load(position, headerBytes);
      if (pos < 0) return { position, problem: 'torn' };
      const size = LOG_OVERHEAD + window.buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
      if (!isChecked && size < RECORD_BATCH_OVERHEAD) return { position, problem: 'bad-length' };
      if (isChecked) {
        // A length running past the end is a torn write (or garbage); either way, not worth loading.
        if (position + size > end) return { position, problem: size < RECORD_BATCH_OVERHEAD ? 'bad-length' : 'torn' };
        if (size > headerBytes) pos = window.load(position, size);
        const problem = checkBatch(window.buf, pos, size, minBaseOffset, segmentBaseOffset);
        if (problem !== null) return { position, problem };
        minBaseOffset = baseOffsetOf(window.buf, pos) + window.buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET) + 1;
      }
      if (visit(window.buf, pos, position, size) === false) return { position, problem: null };
      position += size;
    }
    return { position, problem: null };
  } finally {
    if (shared) headerScanBufferInUse = false;
  }
}

const headerScanBuffer = Buffer.allocUnsafeSlow(HEADER_CHUNK_BYTES);
let headerScanBufferInUse = false;

/**
 * Checks batches a follower fetched before any is written: whole v2 batches with good CRCs whose
 * offsets start at or after `logEndOffset` and grow. A trailing partial batch is left out, as
 * Kafka's fetch responses may end with one. Returns the end of the last whole batch.
 */
export function checkFollowerBatches(records: Buffer, logEndOffset: number, segmentBytes: number): number {
  let pos = 0;
  let minBaseOffset = logEndOffset;
  while (pos < records.length) {
    const remaining = records.length - pos;
    if (remaining < LOG_OVERHEAD) break;
    const size = batchSizeAt(records, pos);
    if (remaining < size && size >= RECORD_BATCH_OVERHEAD) break;
    if (pos === 0 && baseOffsetOf(records, 0) < minBaseOffset) throw new UnexpectedAppendOffsetError(baseOffsetOf(records, 0), minBaseOffset);
    const problem = checkBatch(records, pos, remaining, minBaseOffset, null);
    if (problem !== null) throw new CorruptRecordError(`${problem} batch at byte ${pos} of a follower append`);
    if (size > segmentBytes) throw new RecordBatchTooLargeError(size, segmentBytes);
    minBaseOffset = lastOffsetOf(records, pos) + 1;
    pos += size;
  }
  return pos;
}
