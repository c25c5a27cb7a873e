// Goal: data leaves the log only the ways Kafka lets it — whole segments by retention.ms and
// retention.bytes (never past the high watermark, the active one only by rolling first), the log
// start by DeleteRecords, the tail by follower truncation — and `.deleted` files go after the delay.

import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { silentLogger } from '../../../src/common/logger.js';
import type { LogConfig } from '../../../src/storage/config.js';
import { OffsetOutOfRangeError } from '../../../src/storage/errors.js';
import { PartitionLog } from '../../../src/storage/partition-log.js';
import { listBatches, makeBatch, recordingLogger, smallConfig, tempDir } from './batch-fixture.js';

let tmp: ReturnType<typeof tempDir>;
let log: PartitionLog;

beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => {
  log.close();
  tmp.cleanup();
});

function openLog(overrides: Partial<LogConfig> = {}, logger = silentLogger): PartitionLog {
  log = PartitionLog.open(tmp.dir, 'events', 0, smallConfig({ segmentBytes: 400, ...overrides }), logger, { cleanShutdown: false });
  return log;
}

/** Appends batches of 5 records (161 bytes): two per 400-byte segment. */
function append(timestamps: number[], epoch = 0): void {
  for (const timestamp of timestamps) log.appendAsLeader(makeBatch({ count: 5, timestamp }), epoch, timestamp);
}

function files(): string[] {
  return readdirSync(`${tmp.dir}/events-0`);
}

describe('retention', () => {
  it('deletes the oldest segments whose newest record passed retention.ms, then removes the files later', () => {
    openLog({ retentionMs: 1000, fileDeleteDelayMs: 500 });
    append([100, 200, 300, 2_000, 150, 250]);
    assert.deepEqual(log.segmentBaseOffsets, [0, 10, 20]);
    // Segment 10 holds 300 and 2000: its newest record is not old enough, and retention stops there
    // even though segment 20 is older.
    assert.deepEqual(log.applyRetention(2_250), { deletedSegments: 1, newLogStartOffset: 10 });
    assert.deepEqual(log.segmentBaseOffsets, [10, 20]);
    assert.ok(files().includes('00000000000000000000.log.deleted'));
    log.deleteExpiredFiles(3_000);
    assert.ok(files().includes('00000000000000000000.log.deleted'), 'the delay starts at the first tick');
    log.deleteExpiredFiles(3_499);
    assert.ok(files().includes('00000000000000000000.index.deleted'));
    log.deleteExpiredFiles(3_500);
    assert.deepEqual(files().filter((f) => f.endsWith('.deleted')), []);
    assert.throws(() => log.read(9, 1000, 30, true), OffsetOutOfRangeError);
  });

  it('rolls and deletes the active segment too once everything expired', () => {
    openLog({ retentionMs: 1000 });
    append([100, 200, 300]);
    assert.deepEqual(log.applyRetention(5_000), { deletedSegments: 2, newLogStartOffset: 15 });
    assert.deepEqual(log.segmentBaseOffsets, [15]);
    assert.equal(log.logEndOffset, 15);
    assert.equal(log.size, 0);
    assert.equal(log.read(15, 1000, 15, true).records.length, 0);
    assert.deepEqual(log.applyRetention(50_000), { deletedSegments: 0, newLogStartOffset: 15 }, 'an empty active segment stays');
    append([5_000]);
    assert.equal(listBatches(log.read(15, 1000, 20, true).records)[0]!.baseOffset, 15);
  });

  it('never deletes a segment reaching past the high watermark', () => {
    openLog({ retentionMs: 1000 });
    append([100, 200, 300, 400]);
    log.highWatermark = 12;
    assert.deepEqual(log.applyRetention(5_000).deletedSegments, 1);
    assert.deepEqual(log.segmentBaseOffsets, [10]);
    log.highWatermark = 20;
    assert.deepEqual(log.applyRetention(5_000).deletedSegments, 1);
    assert.deepEqual(log.segmentBaseOffsets, [20], 'rolled, and the old active segment went');
  });

  it('deletes the oldest segments while the log exceeds retention.bytes', () => {
    openLog({ retentionBytes: 700 });
    append([1, 2, 3, 4, 5, 6, 7]);
    assert.equal(log.size, 7 * 161);
    // 1127 - 700 = 427 excess: the first two segments (322 bytes each) would take 644 > 427, so one goes.
    assert.deepEqual(log.applyRetention(0), { deletedSegments: 1, newLogStartOffset: 10 });
    assert.equal(log.size, 5 * 161);
    assert.deepEqual(log.applyRetention(0).deletedSegments, 0, '805 - 700 = 105 is less than a segment');
  });

  it('uses the file time for a segment without timestamps', () => {
    openLog({ retentionMs: 1000 });
    log.appendAsLeader(makeBatch({ count: 5, timestamp: -1 }), 0, 10_000);
    log.appendAsLeader(makeBatch({ count: 5, timestamp: -1 }), 0, 10_000);
    log.appendAsLeader(makeBatch({ count: 5, timestamp: -1 }), 0, 10_000);
    assert.equal(log.applyRetention(10_900).deletedSegments, 0);
    assert.equal(log.applyRetention(11_001).deletedSegments, 2, 'the active segment too, by rolling');
    assert.equal(log.logStartOffset, 15);
  });
});

describe('DeleteRecords', () => {
  it('moves the log start offset and deletes segments wholly below it', () => {
    const logger = recordingLogger();
    openLog({}, logger);
    append([1, 2, 3, 4, 5, 6], 3);
    assert.equal(log.deleteRecordsBefore(12), 12);
    assert.deepEqual(log.segmentBaseOffsets, [10, 20]);
    assert.equal(log.logStartOffset, 12);
    assert.deepEqual(log.leaderEpochs.entries(), [{ epoch: 3, startOffset: 12 }]);
    assert.equal(log.deleteRecordsBefore(5), 12, 'lower is a no-op');
    assert.throws(() => log.deleteRecordsBefore(31), OffsetOutOfRangeError);
    assert.equal(log.deleteRecordsBefore(30), 30);
    assert.deepEqual(log.segmentBaseOffsets, [20], 'the active segment stays');
    assert.equal(log.read(30, 1000, 30, true).records.length, 0);
    assert.ok(logger.lines.some((l) => l.msg === 'deleted segments' && l.obj['reason'] === 'DeleteRecords'));
  });

  it('lets retention finish what the high watermark held back', () => {
    openLog();
    append([1, 2, 3, 4]);
    log.highWatermark = 5;
    log.deleteRecordsBefore(15);
    assert.deepEqual(log.segmentBaseOffsets, [0, 10]);
    log.highWatermark = 20;
    assert.equal(log.applyRetention(0).deletedSegments, 1);
    assert.deepEqual(log.segmentBaseOffsets, [10]);
  });
});

describe('truncation', () => {
  it('truncateTo drops the tail, later segments and epochs, and appends continue there', () => {
    openLog();
    append([1, 2, 3], 1);
    append([4, 5, 6], 2);
    assert.deepEqual(log.leaderEpochs.entries().map((e) => e.epoch), [1, 2]);
    assert.equal(log.truncateTo(10), true);
    assert.equal(log.logEndOffset, 10);
    assert.deepEqual(log.segmentBaseOffsets, [0, 10]);
    assert.equal(log.size, 2 * 161);
    assert.deepEqual(log.leaderEpochs.entries(), [{ epoch: 1, startOffset: 0 }]);
    assert.equal(log.truncateTo(10), false);
    log.appendAsLeader(makeBatch({ count: 5, timestamp: 9 }), 3, 0);
    assert.deepEqual(listBatches(log.read(10, 1000, 15, true).records).map((b) => [b.baseOffset, b.leaderEpoch]), [[10, 3]]);
    assert.equal(log.truncateTo(7), true);
    assert.equal(log.logEndOffset, 7, 'inside a batch: that batch goes, the log end is the offset (as Kafka)');
    assert.deepEqual(listBatches(log.read(0, 1000, 7, true).records).map((b) => b.lastOffset), [4]);
  });

  it('truncateTo below the first segment and truncateFullyAndStartAt restart the log', async () => {
    openLog();
    append([1, 2, 3, 4, 5]);
    log.deleteRecordsBefore(20);
    assert.deepEqual(log.segmentBaseOffsets, [20]);
    log.truncateTo(12);
    assert.deepEqual([log.logStartOffset, log.logEndOffset, log.segmentCount], [12, 12, 1]);
    log.truncateFullyAndStartAt(500);
    assert.deepEqual([log.logStartOffset, log.logEndOffset, log.recoveryPoint, log.size], [500, 500, 12, 0]);
    await log.flush();
    assert.equal(log.recoveryPoint, 500, 'as in Kafka, the recovery point moves with the next flush');
    assert.deepEqual(log.leaderEpochs.entries(), []);
    log.appendAsLeader(makeBatch(), 0, 0);
    assert.equal(log.logEndOffset, 501);
    assert.ok(!existsSync(`${tmp.dir}/events-0/00000000000000000020.log`));
  });
});
