// Micro-benchmark of the produce hot path's per-batch check: validateProducedRecords on batches of
// 100 records × 100-byte values, as a client would send them. It cycles through a pool of distinct
// batches larger than the CPU caches, so the CRC reads memory the way fresh request bytes would.
// Run: npx tsx bench/micro-validate.ts [seconds per case, default 2]

import { performance } from 'node:perf_hooks';
import {
  CompressionCodec,
  type CompressionCodecValue,
  buildBatch,
  isRecordsError,
  validateProducedRecords,
} from '../src/protocol/records/index.js';

const RECORDS_PER_BATCH = 100;
const VALUE_BYTES = 100;
const POOL_BYTES_MIN = 64 * 1024 * 1024; // well past L2/L3, so each batch comes from memory
const secondsPerCase = Number(process.argv[2] ?? 2);

function makeBatch(seed: number, compression: CompressionCodecValue): Buffer {
  const records = [];
  for (let i = 0; i < RECORDS_PER_BATCH; i++) {
    const value = Buffer.alloc(VALUE_BYTES);
    for (let j = 0; j < VALUE_BYTES; j++) value[j] = (seed * 31 + i * 7 + j * 13) & 0xff;
    records.push({ key: `key-${seed}-${i}`, value, timestamp: 1_700_000_000_000 + i });
  }
  return buildBatch({ compression, producerId: 1000, producerEpoch: 0, baseSequence: seed * RECORDS_PER_BATCH, records });
}

function runCase(name: string, compression: CompressionCodecValue): void {
  const first = makeBatch(0, compression);
  const poolSize = Math.max(16, Math.ceil(POOL_BYTES_MIN / first.length));
  const pool = [first];
  for (let i = 1; i < poolSize; i++) pool.push(makeBatch(i, compression));

  // Warm up the JIT, then time whole passes until the budget is spent.
  for (const batch of pool) if (isRecordsError(validateProducedRecords(batch))) throw new Error('invalid batch');
  let batches = 0;
  let bytes = 0;
  const start = performance.now();
  const deadline = start + secondsPerCase * 1000;
  while (performance.now() < deadline) {
    for (const batch of pool) {
      const result = validateProducedRecords(batch);
      if (isRecordsError(result)) throw new Error(result.message);
      bytes += result.size;
    }
    batches += pool.length;
  }
  const seconds = (performance.now() - start) / 1000;
  const batchesPerSecond = batches / seconds;
  console.log(
    `${name.padEnd(6)} batch ${String(first.length).padStart(6)} B  ` +
      `${Math.round(batchesPerSecond).toLocaleString('en-US').padStart(10)} batches/s  ` +
      `${Math.round(batchesPerSecond * RECORDS_PER_BATCH).toLocaleString('en-US').padStart(13)} records/s  ` +
      `${(bytes / seconds / 1e9).toFixed(2)} GB/s  ` +
      `${((seconds * 1e6) / batches).toFixed(2)} µs/batch`,
  );
}

console.log(
  `validateProducedRecords: ${RECORDS_PER_BATCH} records × ${VALUE_BYTES}-byte values per batch, ` +
    `node ${process.version}, ${secondsPerCase}s per case`,
);
runCase('none', CompressionCodec.NONE);
runCase('lz4', CompressionCodec.LZ4);
runCase('zstd', CompressionCodec.ZSTD);
