// Micro-benchmark of the storage layer alone: append 1,000,000 records as 10,000 batches of
// 100 × 100-byte records to one PartitionLog, fdatasync, then read them back with 1 MiB fetches.
// Run: npx tsx bench/micro-log.ts [--segment-bytes N] [--keep]
// Prints appends (batches) per second, records per second and MB/s for each phase.

import { crc32c } from '@node-rs/crc32';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../src/common/logger.js';
import {
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  RECORDS_COUNT_OFFSET,
  RECORD_BATCH_OVERHEAD,
  batchSizeAt,
  lastOffsetOf,
  writeInt64,
} from '../src/protocol/records/batch-header.js';
import { defaultLogConfig } from '../src/storage/config.js';
import { PartitionLog } from '../src/storage/partition-log.js';

const BATCHES = 10_000;
const RECORDS_PER_BATCH = 100;
const RECORD_BYTES = 100;
const FETCH_BYTES = 1024 * 1024;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A v2 batch header over fake record bytes; the log never decodes records. */
function makeBatch(timestamp: number): Buffer {
  const buf = Buffer.alloc(RECORD_BATCH_OVERHEAD + RECORDS_PER_BATCH * RECORD_BYTES, 0x61);
  buf.fill(0, 0, RECORD_BATCH_OVERHEAD);
  buf.writeInt32BE(buf.length - 12, BATCH_LENGTH_OFFSET);
  buf[MAGIC_OFFSET] = 2;
  buf.writeInt32BE(RECORDS_PER_BATCH - 1, LAST_OFFSET_DELTA_OFFSET);
  writeInt64(buf, 27, timestamp);
  writeInt64(buf, MAX_TIMESTAMP_OFFSET, timestamp);
  writeInt64(buf, 43, -1);
  buf.writeInt16BE(-1, 51);
  buf.writeInt32BE(-1, 53);
  buf.writeInt32BE(RECORDS_PER_BATCH, RECORDS_COUNT_OFFSET);
  buf.writeUInt32BE(crc32c(buf.subarray(21)), 17);
  return buf;
}

function report(phase: string, ms: number, batches: number, bytes: number): void {
  const seconds = ms / 1000;
  console.log(
    `${phase.padEnd(8)} ${ms.toFixed(0).padStart(6)} ms  ${Math.round(batches / seconds).toLocaleString('en-US').padStart(10)} batches/s  ` +
      `${Math.round((batches * RECORDS_PER_BATCH) / seconds).toLocaleString('en-US').padStart(12)} records/s  ` +
      `${(bytes / 1e6 / seconds).toFixed(0).padStart(6)} MB/s`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tideline-micro-log-'));
  const segmentBytes = Number(argValue('--segment-bytes') ?? defaultLogConfig.segmentBytes);
  const config = { ...defaultLogConfig, segmentBytes, retentionMs: -1 };
  const log = PartitionLog.open(dir, 'bench', 0, config, silentLogger, { cleanShutdown: false });
  // Each produce request arrives in its own buffer; prepare them outside the timed loop.
  const batches = Array.from({ length: BATCHES }, (_, i) => makeBatch(1_700_000_000_000 + i));
  const totalBytes = batches.reduce((sum, b) => sum + b.length, 0);

  let start = performance.now();
  for (let i = 0; i < BATCHES; i++) log.appendAsLeader(batches[i]!, 0, 1_700_000_000_000 + i);
  report('append', performance.now() - start, BATCHES, totalBytes);

  start = performance.now();
  await log.flush();
  console.log(`flush    ${(performance.now() - start).toFixed(0).padStart(6)} ms  (fdatasync of ${(totalBytes / 1e6).toFixed(0)} MB)`);

  start = performance.now();
  let offset = 0;
  let readBytes = 0;
  let readBatches = 0;
  while (offset < log.logEndOffset) {
    const { records } = log.read(offset, FETCH_BYTES, log.logEndOffset, true);
    let pos = 0;
    while (pos < records.length) {
      offset = lastOffsetOf(records, pos) + 1;
      pos += batchSizeAt(records, pos);
      readBatches++;
    }
    readBytes += records.length;
  }
  report('read', performance.now() - start, readBatches, readBytes);

  if (readBytes !== totalBytes || offset !== BATCHES * RECORDS_PER_BATCH) {
    throw new Error(`read back ${readBytes} bytes to offset ${offset}, expected ${totalBytes} to ${BATCHES * RECORDS_PER_BATCH}`);
  }
  console.log(`segments ${log.segmentCount}, log end offset ${log.logEndOffset}, ${(log.size / 1e6).toFixed(1)} MB`);
  log.close();
  if (process.argv.includes('--keep')) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

await main();
