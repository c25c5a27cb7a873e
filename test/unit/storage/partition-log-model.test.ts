// Goal: under random sequences of leader and follower appends, truncations to batch boundaries,
// DeleteRecords, flushes and clean or crashed reopens — with small segments and indexes so rolls of
// every kind happen — the log always agrees with a plain list of batches: log end, log start, every
// byte read back, reads with random limits, and timestamp lookups.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { silentLogger } from '../../../src/common/logger.js';
import type { LogConfig } from '../../../src/storage/config.js';
import { PartitionLog } from '../../../src/storage/partition-log.js';
import { listBatches, makeBatch, smallConfig, tempDir } from './batch-fixture.js';
import { crashableFs } from './crash-fs.js';

interface ModelBatch {
  bytes: Buffer;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

type Op =
  | { kind: 'leader'; count: number; recordBytes: number; timestamp: number }
  | { kind: 'follower'; batches: { count: number; timestamp: number }[] }
  | { kind: 'truncate'; pick: number }
  | { kind: 'deleteRecords'; pick: number }
  | { kind: 'flush' }
  | { kind: 'reopen'; isClean: boolean }
  | { kind: 'read'; pick: number; maxBytes: number; boundPick: number; minOneBatch: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('leader' as const), count: fc.integer({ min: 1, max: 8 }), recordBytes: fc.integer({ min: 1, max: 60 }), timestamp: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('follower' as const), batches: fc.array(fc.record({ count: fc.integer({ min: 1, max: 5 }), timestamp: fc.integer({ min: 0, max: 1000 }) }), { minLength: 1, maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteRecords' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), isClean: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('read' as const), pick: fc.nat(), maxBytes: fc.integer({ min: 0, max: 2000 }), boundPick: fc.nat(), minOneBatch: fc.boolean() }) },
);

const configArb: fc.Arbitrary<LogConfig> = fc
  .record({ segmentBytes: fc.integer({ min: 541, max: 3000 }), indexIntervalBytes: fc.integer({ min: 1, max: 600 }), segmentIndexBytes: fc.integer({ min: 24, max: 400 }) })
  .map((limits) => smallConfig(limits)); // 541: the largest generated batch must fit a segment

class Harness {
  batches: ModelBatch[] = [];
  logStartOffset = 0;
  logEndOffset = 0;
  log: PartitionLog;
  private crashable = crashableFs();

  constructor(
    private readonly dir: string,
    private readonly config: LogConfig,
  ) {
    this.log = this.open({ cleanShutdown: false });
  }

  open(opts: { cleanShutdown: boolean; recoveryPoint?: number; logStartOffset?: number }): PartitionLog {
    return PartitionLog.open(this.dir, 'model', 0, this.config, silentLogger, { ...opts, fs: this.crashable.fs });
  }

  /** Offsets a truncation or DeleteRecords may pick: batch boundaries, the log start and end. */
  boundary(pick: number): number {
    const choices = [this.logStartOffset, this.logEndOffset, ...this.batches.map((b) => b.baseOffset)].filter((o) => o >= this.logStartOffset);
    return choices[pick % choices.length]!;
  }

  async apply(op: Op): Promise<void> {
    switch (op.kind) {
      case 'leader': {
        const bytes = makeBatch({ count: op.count, recordBytes: op.recordBytes, timestamp: op.timestamp });
        const { firstOffset, lastOffset } = this.log.appendAsLeader(bytes, 1, op.timestamp);
        assert.equal(firstOffset, this.logEndOffset);
        this.record(bytes, firstOffset, lastOffset, op.timestamp);
        return;
      }
      case 'follower': {
        let offset = this.logEndOffset;
        const parts = op.batches.map(({ count, timestamp }) => {
          const bytes = makeBatch({ baseOffset: offset, count, timestamp, leaderEpoch: 2 });
          this.record(bytes, offset, offset + count - 1, timestamp);
          offset += count;
          return bytes;
        });
        this.log.appendBatchesAsFollower(Buffer.concat(parts), 0);
        return;
      }
      case 'truncate': {
        const offset = this.boundary(op.pick);
        this.log.truncateTo(offset);
        this.batches = this.batches.filter((b) => b.lastOffset < offset);
        this.logEndOffset = Math.min(this.logEndOffset, offset);
        this.logStartOffset = Math.min(this.logStartOffset, offset);
        return;
      }
      case 'deleteRecords': {
        const offset = this.boundary(op.pick);
        assert.equal(this.log.deleteRecordsBefore(offset), Math.max(this.logStartOffset, offset));
        this.logStartOffset = Math.max(this.logStartOffset, offset);
        return;
      }
      case 'flush':
        await this.log.flush();
        assert.equal(this.log.recoveryPoint, this.logEndOffset);
        return;
      case 'reopen': {
        const opts = { cleanShutdown: op.isClean, recoveryPoint: this.log.recoveryPoint, logStartOffset: this.log.logStartOffset };
        if (op.isClean) this.log.close();
        else this.crashable.crash();
        this.log = this.open(opts);
        return;
      }
      case 'read':
        this.checkRead(op);
        return;
    }
  }

  check(): void {
    assert.equal(this.log.logEndOffset, this.logEndOffset);
    assert.equal(this.log.logStartOffset, this.logStartOffset);
    const visible = this.visible();
    const parts: Buffer[] = [];
    for (let offset = this.logStartOffset; offset < this.logEndOffset; ) {
      const { records } = this.log.read(offset, 1 << 20, this.logEndOffset, true);
      if (records.length === 0) break;
      parts.push(records);
      const got = listBatches(records);
      offset = got[got.length - 1]!.lastOffset + 1;
    }
    assert.deepEqual(Buffer.concat(parts), Buffer.concat(visible.map((b) => b.bytes)));
    for (const timestamp of [0, 250, 500, 999]) {
      const expected = visible.find((b) => b.maxTimestamp >= timestamp);
      assert.equal(this.log.findBatchByTimestamp(timestamp)?.baseOffset ?? null, expected?.baseOffset ?? null, `timestamp ${timestamp}`);
    }
    const max = visible.reduce<ModelBatch | null>((best, b) => (best === null || b.maxTimestamp > best.maxTimestamp ? b : best), null);
    assert.equal(this.log.maxTimestampBatch()?.baseOffset ?? null, max?.baseOffset ?? null);
  }

  private checkRead(op: Extract<Op, { kind: 'read' }>): void {
    const span = this.logEndOffset - this.logStartOffset + 1;
    const fetchOffset = this.logStartOffset + (op.pick % span);
    const bound = this.logStartOffset + (op.boundPick % (span + 1));
    const { records, firstBatchOffset } = this.log.read(fetchOffset, op.maxBytes, bound, op.minOneBatch);
    const got = listBatches(records);
    const start = this.batches.findIndex((b) => b.lastOffset >= fetchOffset);
    if (got.length === 0) {
      const first = this.batches[start];
      const isReturnable = first !== undefined && first.lastOffset < bound && (op.minOneBatch || first.bytes.length <= op.maxBytes);
      // One segment per read: an empty answer is right only if the first batch cannot be returned.
      assert.ok(!isReturnable || fetchOffset >= bound, `empty read at ${fetchOffset}`);
      return;
    }
    assert.equal(firstBatchOffset, this.batches[start]!.baseOffset);
    assert.deepEqual(records, Buffer.concat(this.batches.slice(start, start + got.length).map((b) => b.bytes)));
    assert.ok(got.every((b) => b.lastOffset < bound));
    assert.ok(records.length <= op.maxBytes || (op.minOneBatch && got.length === 1));
  }

  private visible(): ModelBatch[] {
    return this.batches.filter((b) => b.lastOffset >= this.logStartOffset);
  }

  private record(bytes: Buffer, baseOffset: number, lastOffset: number, maxTimestamp: number): void {
    this.batches.push({ bytes, baseOffset, lastOffset, maxTimestamp });
    this.logEndOffset = lastOffset + 1;
  }
}

describe('PartitionLog against a model', () => {
  it('agrees with a list of batches under random operations', async () => {
    await fc.assert(
      fc.asyncProperty(configArb, fc.array(opArb, { minLength: 1, maxLength: 60 }), async (config, ops) => {
        const tmp = tempDir();
        const harness = new Harness(tmp.dir, config);
        try {
          for (const op of ops) {
            await harness.apply(op);
            harness.check();
          }
        } finally {
          harness.log.close();
          tmp.cleanup();
        }
      }),
      { numRuns: Number(process.env.MODEL_RUNS ?? 150) },
    );
  });
});
