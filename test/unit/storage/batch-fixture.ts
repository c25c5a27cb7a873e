// Test helpers for the storage tests: a writer of valid RecordBatch v2 bytes (header fields, fake
// record bytes that say which record they are, CRC32C), a reader of the batches in a buffer, temp
// log dirs, and a logger that records what it was told. The real batch builder lives in
// src/protocol/records/; the log never decodes records, so fake record bytes are enough here.

import { crc32c } from '@node-rs/crc32';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../../src/common/logger.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORDS_COUNT_OFFSET,
  RECORD_BATCH_OVERHEAD,
  batchSizeAt,
  baseOffsetOf,
  lastOffsetOf,
  readInt64,
  writeInt64,
} from '../../../src/protocol/records/batch-header.js';
import { defaultLogConfig, type LogConfig } from '../../../src/storage/config.js';

export interface BatchSpec {
  baseOffset?: number;
  count?: number;
  recordBytes?: number;
  /** Timestamp of every record; maxTimestamp defaults to it. */
  timestamp?: number;
  maxTimestamp?: number;
  leaderEpoch?: number;
  attributes?: number;
}

/** A valid v2 batch of `count` fake records of `recordBytes` bytes each. */
export function makeBatch(spec: BatchSpec = {}): Buffer {
  const count = spec.count ?? 1;
  const recordBytes = spec.recordBytes ?? 20;
  const timestamp = spec.timestamp ?? 1_000;
  const buf = Buffer.alloc(RECORD_BATCH_OVERHEAD + count * recordBytes);
  writeInt64(buf, 0, spec.baseOffset ?? 0);
  buf.writeInt32BE(buf.length - 12, BATCH_LENGTH_OFFSET);
  buf.writeInt32BE(spec.leaderEpoch ?? 0, PARTITION_LEADER_EPOCH_OFFSET);
  buf[MAGIC_OFFSET] = 2;
  buf.writeInt16BE(spec.attributes ?? 0, ATTRIBUTES_OFFSET);
  buf.writeInt32BE(count - 1, LAST_OFFSET_DELTA_OFFSET);
  writeInt64(buf, BASE_TIMESTAMP_OFFSET, timestamp);
  writeInt64(buf, MAX_TIMESTAMP_OFFSET, spec.maxTimestamp ?? timestamp);
  writeInt64(buf, PRODUCER_ID_OFFSET, -1);
  buf.writeInt16BE(-1, PRODUCER_EPOCH_OFFSET);
  buf.writeInt32BE(-1, BASE_SEQUENCE_OFFSET);
  buf.writeInt32BE(count, RECORDS_COUNT_OFFSET);
  for (let i = 0; i < count; i++) buf.fill(i % 251, RECORD_BATCH_OVERHEAD + i * recordBytes, RECORD_BATCH_OVERHEAD + (i + 1) * recordBytes);
  return sealBatch(buf);
}

/** Recomputes the CRC of the batch at `pos` (after editing CRC-covered fields). */
export function sealBatch(buf: Buffer, pos = 0): Buffer {
  buf.writeUInt32BE(crc32c(buf.subarray(pos + ATTRIBUTES_OFFSET, pos + batchSizeAt(buf, pos))), pos + CRC_OFFSET);
  return buf;
}

export interface BatchInfo {
  baseOffset: number;
  lastOffset: number;
  size: number;
  maxTimestamp: number;
  leaderEpoch: number;
  attributes: number;
}

/** The batches in `records`, which must hold whole batches only. */
export function listBatches(records: Buffer): BatchInfo[] {
  const batches: BatchInfo[] = [];
  for (let pos = 0; pos < records.length; ) {
    const size = batchSizeAt(records, pos);
    if (pos + size > records.length) throw new Error(`partial batch at ${pos}`);
    batches.push({
      baseOffset: baseOffsetOf(records, pos),
      lastOffset: lastOffsetOf(records, pos),
      size,
      maxTimestamp: readInt64(records, pos + MAX_TIMESTAMP_OFFSET),
      leaderEpoch: records.readInt32BE(pos + PARTITION_LEADER_EPOCH_OFFSET),
      attributes: records.readInt16BE(pos + ATTRIBUTES_OFFSET),
    });
    pos += size;
  }
  return batches;
}

/** A fresh directory under the OS temp dir, and a function that removes it. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tideline-storage-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}

/** A Logger that keeps every line (children included) in `lines`. */
export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const make = (bindings: object): Logger => ({
    debug: (obj, msg) => void lines.push({ level: 'debug', obj: { ...bindings, ...obj }, msg }),
    info: (obj, msg) => void lines.push({ level: 'info', obj: { ...bindings, ...obj }, msg }),
    warn: (obj, msg) => void lines.push({ level: 'warn', obj: { ...bindings, ...obj }, msg }),
    error: (obj, msg) => void lines.push({ level: 'error', obj: { ...bindings, ...obj }, msg }),
    child: (more) => make({ ...bindings, ...more }),
  });
  return Object.assign(make({}), { lines });
}

/** Small limits so a few batches span several segments and index entries. */
export function smallConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...defaultLogConfig, segmentBytes: 1024, indexIntervalBytes: 100, retentionMs: -1, ...overrides };
}
