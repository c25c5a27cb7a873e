// Goal: timestamp lookups find exactly the batch a scan of the whole log would (first batch whose
// maxTimestamp reaches the target; the earliest batch with the largest timestamp), and segments roll
// for Kafka's reasons: size, record time span, wall time, full indexes, relative offset overflow.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { silentLogger } from '../../../src/common/logger.js';
import type { LogConfig } from '../../../src/storage/config.js';
import { PartitionLog } from '../../../src/storage/partition-log.js';
import { listBatches, makeBatch, recordingLogger, smallConfig, tempDir } from './batch-fixture.js';

let tmp: ReturnType<typeof tempDir>;
const opened: PartitionLog[] = [];

beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => {
  for (const log of opened.splice(0)) log.close();
  tmp.cleanup();
});

function openLog(overrides: Partial<LogConfig> = {}, logger = silentLogger): PartitionLog {
  const log = PartitionLog.open(tmp.dir, 'clicks', 0, smallConfig(overrides), logger, { cleanShutdown: false });
  opened.push(log);
  return log;
}

// Out of order on purpose: producers' clocks disagree.
const TIMESTAMPS = [100, 300, 200, 400, 350, 500, 450, 450, 600, 550, 700, 650, 300, 800, 800, 750, 900, 100, 950, 920];

describe('timestamp lookups', () => {
  it('finds the first batch whose maxTimestamp reaches the target, for every target', () => {
    const log = openLog({ segmentBytes: 600 });
    for (const timestamp of TIMESTAMPS) log.appendAsLeader(makeBatch({ count: 2, timestamp }), 0, 0);
    assert.ok(log.segmentCount > 3);
    for (let target = 0; target <= 1000; target += 10) {
      const expected = TIMESTAMPS.findIndex((t) => t >= target);
      const found = log.findBatchByTimestamp(target);
      if (expected < 0) {
        assert.equal(found, null, `target ${target}`);
        continue;
      }
      assert.equal(found?.baseOffset, expected * 2, `target ${target}`);
      assert.equal(listBatches(found!.batch)[0]!.maxTimestamp, TIMESTAMPS[expected]);
    }
  });

  it('skips batches below the log start offset', () => {
    const log = openLog({ segmentBytes: 600 });
    for (const timestamp of TIMESTAMPS) log.appendAsLeader(makeBatch({ count: 2, timestamp }), 0, 0);
    log.deleteRecordsBefore(7);
    assert.equal(log.findBatchByTimestamp(0)?.baseOffset, 6);
    assert.equal(log.findBatchByTimestamp(310)?.baseOffset, 6);
  });

  it('returns the earliest batch carrying the largest timestamp', () => {
    const log = openLog({ segmentBytes: 600 });
    assert.equal(log.maxTimestampBatch(), null);
    for (const timestamp of TIMESTAMPS) log.appendAsLeader(makeBatch({ count: 2, timestamp }), 0, 0);
    assert.equal(log.maxTimestampBatch()?.baseOffset, 18 * 2);
    log.appendAsLeader(makeBatch({ timestamp: 950 }), 0, 0);
    assert.equal(log.maxTimestampBatch()?.baseOffset, 18 * 2, 'a tie keeps the earlier batch');
    log.appendAsLeader(makeBatch({ timestamp: 951 }), 0, 0);
    assert.equal(log.maxTimestampBatch()?.baseOffset, 41);
  });

  it('ignores a maximum that DeleteRecords removed', () => {
    const log = openLog({ segmentBytes: 100_000 });
    for (const timestamp of [900, 100, 300, 200]) log.appendAsLeader(makeBatch({ timestamp }), 0, 0);
    log.deleteRecordsBefore(1);
    assert.equal(log.maxTimestampBatch()?.baseOffset, 2);
  });
});

describe('segment rolls', () => {
  it('rolls before a batch would push a segment past segment.bytes', () => {
    const log = openLog({ segmentBytes: 1000 });
    const sizes = [161, 300, 161, 500, 161, 161, 161, 900, 161];
    for (const size of sizes) log.appendAsLeader(makeBatch({ count: 1, recordBytes: size - 61 }), 0, 0);
    // [161, 300, 161] = 622, +500 > 1000 → roll; [500, 161, 161, 161] = 983; [900]; [161]
    assert.deepEqual(log.segmentBaseOffsets, [0, 3, 7, 8]);
  });

  it('rolls once the records span segment.ms, or wall time does when they carry no timestamps', () => {
    const log = openLog({ segmentMs: 1000 });
    log.appendAsLeader(makeBatch({ timestamp: 5_000 }), 0, 0);
    log.appendAsLeader(makeBatch({ timestamp: 6_000 }), 0, 0);
    assert.equal(log.segmentCount, 1);
    log.appendAsLeader(makeBatch({ timestamp: 6_001 }), 0, 0);
    assert.deepEqual(log.segmentBaseOffsets, [0, 2]);

    const untimed = PartitionLog.open(tmp.dir, 'untimed', 0, smallConfig({ segmentMs: 1000 }), silentLogger, { cleanShutdown: false, nowMs: 0 });
    opened.push(untimed);
    untimed.appendAsLeader(makeBatch({ timestamp: -1 }), 0, 500);
    untimed.appendAsLeader(makeBatch({ timestamp: -1 }), 0, 1000);
    untimed.appendAsLeader(makeBatch({ timestamp: -1 }), 0, 1001);
    assert.deepEqual(untimed.segmentBaseOffsets, [0, 2]);
  });

  it('maybeRoll rolls an idle, old, non-empty active segment only', () => {
    const logger = recordingLogger();
    const log = openLog({ segmentMs: 1000 }, logger);
    assert.equal(log.maybeRoll(10_000), false, 'empty segment');
    log.appendAsLeader(makeBatch({ timestamp: 5_000 }), 0, 5_000);
    assert.equal(log.maybeRoll(6_000), false);
    assert.equal(log.maybeRoll(6_001), true);
    assert.equal(log.maybeRoll(60_000), false, 'the new segment is empty');
    assert.deepEqual(log.segmentBaseOffsets, [0, 1]);
    assert.ok(logger.lines.some((l) => l.level === 'info' && l.msg === 'rolled segment' && l.obj['baseOffset'] === 1));
  });

  it('rolls when an index is full (segment.index.bytes)', () => {
    // 24 bytes: three offset-index entries, but only two time-index entries.
    const log = openLog({ segmentBytes: 100_000, segmentIndexBytes: 24, indexIntervalBytes: 100 });
    for (let i = 0; i < 4; i++) log.appendAsLeader(makeBatch({ count: 5, timestamp: i }), 0, 0);
    // Batch 0 is never indexed; batches 1 and 2 add entries with timestamps 1 and 2: time index full.
    assert.deepEqual(log.segmentBaseOffsets, [0, 15]);
  });

  it('rolls before a relative offset would overflow int32', () => {
    const log = openLog({ segmentBytes: 100_000 });
    const far = 2 ** 31 + 10;
    log.appendBatchesAsFollower(Buffer.concat([makeBatch({ baseOffset: 0 }), makeBatch({ baseOffset: far })]), 0);
    assert.deepEqual(log.segmentBaseOffsets, [0, far], 'the new segment starts at the batch, past the gap');
    assert.equal(log.logEndOffset, far + 1);
    assert.equal(listBatches(log.read(far, 1000, far + 1, true).records)[0]!.baseOffset, far);

    const empty = PartitionLog.open(tmp.dir, 'empty', 0, smallConfig(), silentLogger, { cleanShutdown: false });
    opened.push(empty);
    empty.appendBatchesAsFollower(makeBatch({ baseOffset: far, count: 3 }), 0);
    assert.deepEqual(empty.segmentBaseOffsets, [0, far], 'an empty segment cannot take it either');
    assert.equal(listBatches(empty.read(5, 1000, far + 3, true).records)[0]!.baseOffset, far);
  });
});
