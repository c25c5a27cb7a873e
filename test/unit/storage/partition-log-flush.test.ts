// Goal: flush() is a group commit that moves the recovery point only over data it made durable:
// calls made during a flush share the next one, a failed fdatasync moves nothing and the next
// flush retries, and a truncation during a flush keeps the recovery point at or below it. The
// active segment's index files stay open across flushes (group commit) and close when it rolls,
// and what a flush wrote through them is in the files.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

/** A file system whose segment (.log) fdatasyncs are counted, and whose next fdatasync of any file can be made to fail. */
function countingFs(): { fs: StorageFs; syncs: () => number; failNext: () => void; opened: string[]; closed: string[] } {
  let syncs = 0;
  let shouldFail = false;
  const opened: string[] = [];
  const closed: string[] = [];
  const fs: StorageFs = {
    ...nodeStorageFs,
    openFile(path) {
      opened.push(path);
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
        close: () => {
          closed.push(file.path);
          file.close();
        },
        fdatasync: async () => {
          if (path.endsWith('.log')) syncs++;
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
  return { fs, syncs: () => syncs, failNext: () => void (shouldFail = true), opened, closed };
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

  it('keeps the active segment\'s index files open from its second flush on and closes them at a roll', async () => {
    const counting = countingFs();
    const isIndex = (p: string): boolean => p.endsWith('.index') || p.endsWith('.timeindex');
    const openedIndexes = (): string[] => counting.opened.filter(isIndex).map((p) => p.split('/').pop()!);
    log = PartitionLog.open(tmp.dir, 'f', 0, smallConfig({ segmentBytes: 4096 }), silentLogger, { cleanShutdown: false, fs: counting.fs });
    log.appendAsLeader(makeBatch({ count: 3, recordBytes: 200 }), 0, 0);
    await log.flush();
    assert.deepEqual(openedIndexes(), [], 'one flush per active segment (the default policy) uses paths');
    for (let i = 0; i < 4; i++) {
      log.appendAsLeader(makeBatch({ count: 3, recordBytes: 200 }), 0, 0);
      await log.flush();
    }
    const first = ['00000000000000000000.index', '00000000000000000000.timeindex'];
    assert.deepEqual(openedIndexes(), first, 'opened once for the next four flushes');
    assert.deepEqual(counting.closed.filter(isIndex), []);
    const indexBytes = readFileSync(`${tmp.dir}/f-0/00000000000000000000.index`).length;
    assert.ok(indexBytes > 0 && indexBytes % 8 === 0, `the flushes wrote index entries (${indexBytes} bytes)`);
    while (log.segmentCount === 1) log.appendAsLeader(makeBatch({ count: 3, recordBytes: 200 }), 0, 0);
    assert.deepEqual(counting.closed.filter(isIndex).map((p) => p.split('/').pop()), first, 'the roll closed them');
    await log.flush();
    await log.flush();
    assert.equal(openedIndexes().length, 4, 'the new active segment opened its own at its second flush');
  });

  it('a flush queued behind a running one, on a log closed in between, opens nothing', async () => {
    const counting = countingFs();
    log = PartitionLog.open(tmp.dir, 'f', 0, smallConfig({ segmentBytes: 1 << 20 }), silentLogger, { cleanShutdown: false, fs: counting.fs });
    log.appendAsLeader(makeBatch({ count: 3 }), 0, 0);
    await log.flush();
    log.appendAsLeader(makeBatch({ count: 3 }), 0, 0);
    const running = log.flush();
    const queued = log.flush();
    log.close();
    await Promise.all([running, queued]);
    const opened = counting.opened.filter((p) => p.endsWith('.index') || p.endsWith('.timeindex')).length;
    assert.equal(counting.closed.filter((p) => p.endsWith('.index') || p.endsWith('.timeindex')).length, opened, 'every index descriptor opened was closed');
  });
});
