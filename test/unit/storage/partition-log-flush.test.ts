// Goal: flush() is a group commit that moves the recovery point only over data it made durable:
// calls made during a flush share the next one, a failed fdatasync moves nothing and the next
// flush retries, and a truncation during a flush keeps the recovery point at or below it.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { silentLogger } from '../../../src/common/logger.js';
import { nodeStorageFs, type SegmentFile, type StorageFs } from '../../../src/storage/file.js';
import { PartitionLog } from '../../../src/storage/partition-log.js';
import { makeBatch, smallConfig, tempDir } from './batch-fixture.js';

let tmp: ReturnType<typeof tempDir>;
let log: PartitionLog;

beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => {
  log.close();
  tmp.cleanup();
});

/** A file system whose segment fdatasyncs are counted and can be made to fail. */
function countingFs(): { fs: StorageFs; syncs: () => number; failNext: () => void } {
  let syncs = 0;
  let shouldFail = false;
  const fs: StorageFs = {
    ...nodeStorageFs,
    openFile(path) {
      const file = nodeStorageFs.openFile(path);
      const wrapped: SegmentFile = {
        get path() {
          return file.path;
        },
        size: () => file.size(),
        append: (data) => file.append(data),
        readAt: (target, targetOffset, length, position) => file.readAt(target, targetOffset, length, position),
        truncate: (size) => file.truncate(size),
        mtimeMs: () => file.mtimeMs(),
        rename: (to) => file.rename(to),
        close: () => file.close(),
        fdatasync: async () => {
          syncs++;
          if (shouldFail) {
            shouldFail = false;
            throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
          }
          await file.fdatasync();
        },
      };
      return wrapped;
    },
  };
  return { fs, syncs: () => syncs, failNext: () => void (shouldFail = true) };
}

function open(fs: StorageFs): PartitionLog {
  log = PartitionLog.open(tmp.dir, 'f', 0, smallConfig({ segmentBytes: 1 << 20 }), silentLogger, { cleanShutdown: false, fs });
  return log;
}

describe('PartitionLog.flush', () => {
  it('shares one queued flush between the calls made while a flush runs', async () => {
    const counting = countingFs();
    open(counting.fs);
    log.appendAsLeader(makeBatch({ count: 3 }), 0, 0);
    const first = log.flush();
    log.appendAsLeader(makeBatch({ count: 3 }), 0, 0);
    const second = log.flush();
    const third = log.flush();
    assert.equal(second, third);
    await first;
    assert.equal(log.recoveryPoint, 3, 'the first flush covers what existed when it started');
    await Promise.all([second, third]);
    assert.equal(log.recoveryPoint, 6);
    assert.equal(counting.syncs(), 2);
    await log.flush();
    assert.equal(counting.syncs(), 2, 'nothing dirty: no fdatasync');
  });

  it('moves nothing when fdatasync fails, and the next flush retries', async () => {
    const counting = countingFs();
    open(counting.fs);
    log.appendAsLeader(makeBatch({ count: 3 }), 0, 0);
    counting.failNext();
    const failing = log.flush();
    const queued = log.flush();
    await assert.rejects(failing, /EIO/);
    assert.equal(log.recoveryPoint, 0);
    await queued;
    assert.equal(log.recoveryPoint, 3);
  });

  it('keeps the recovery point at or below a truncation made during the flush', async () => {
    open(nodeStorageFs);
    for (let i = 0; i < 4; i++) log.appendAsLeader(makeBatch({ count: 5 }), 0, 0);
    const flushing = log.flush();
    log.truncateTo(10);
    log.appendAsLeader(makeBatch({ count: 5 }), 1, 0);
    await flushing;
    assert.ok(log.recoveryPoint <= 10, `recovery point ${log.recoveryPoint}`);
    await log.flush();
    assert.equal(log.recoveryPoint, 15);
  });
});
