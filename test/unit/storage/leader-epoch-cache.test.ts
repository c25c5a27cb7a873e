// Goal: the leader epoch cache answers as Kafka's LeaderEpochFileCache does (assign, endOffsetFor,
// epochForOffset, truncation from either end), and its checkpoint file keeps Kafka's text format,
// survives reopening the log, and is rebuilt from batch headers when lost.

import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { silentLogger } from '../../../src/common/logger.js';
import { nodeStorageFs } from '../../../src/storage/file.js';
import { LeaderEpochCache } from '../../../src/storage/leader-epoch-cache.js';
import { PartitionLog } from '../../../src/storage/partition-log.js';
import { makeBatch, recordingLogger, smallConfig, tempDir } from './batch-fixture.js';

let tmp: ReturnType<typeof tempDir>;

beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

function cacheWith(entries: [number, number][]): LeaderEpochCache {
  const cache = new LeaderEpochCache(nodeStorageFs, `${tmp.dir}/leader-epoch-checkpoint`);
  for (const [epoch, startOffset] of entries) cache.assign(epoch, startOffset);
  return cache;
}

const pairs = (cache: LeaderEpochCache): [number, number][] => cache.all.map((e) => [e.epoch, e.startOffset]);

describe('LeaderEpochCache', () => {
  it('assigns as Kafka does, dropping entries that would break monotonicity', () => {
    const cases: { name: string; assigns: [number, number][]; expected: [number, number][] }[] = [
      { name: 'growing', assigns: [[1, 0], [2, 10], [3, 20]], expected: [[1, 0], [2, 10], [3, 20]] },
      { name: 'same epoch later offset is ignored', assigns: [[1, 0], [1, 5]], expected: [[1, 0]] },
      { name: 'same epoch earlier offset replaces', assigns: [[1, 0], [3, 20], [3, 15]], expected: [[1, 0], [3, 15]] },
      { name: 'lower epoch at a later offset truncates', assigns: [[1, 0], [2, 10], [3, 20], [2, 25]], expected: [[1, 0], [2, 25]] },
      { name: 'higher epoch at an earlier offset truncates', assigns: [[1, 0], [2, 10], [3, 20], [4, 12]], expected: [[1, 0], [2, 10], [4, 12]] },
    ];
    for (const c of cases) assert.deepEqual(pairs(cacheWith(c.assigns)), c.expected, c.name);
  });

  it('answers OffsetForLeaderEpoch', () => {
    const cache = cacheWith([[1, 0], [2, 10], [4, 20]]);
    const cases: [number, number, number][] = [
      // requested epoch → answered epoch, end offset (log end offset 30)
      [4, 4, 30],
      [2, 2, 20],
      [3, 2, 20],
      [1, 1, 10],
      [0, 0, 0],
      [5, -1, -1],
      [-1, -1, -1],
    ];
    for (const [epoch, answerEpoch, endOffset] of cases) {
      assert.deepEqual(cache.endOffsetFor(epoch, 30), { epoch: answerEpoch, endOffset }, `epoch ${epoch}`);
    }
    assert.deepEqual(cacheWith([]).endOffsetFor(1, 30), { epoch: -1, endOffset: -1 });
    assert.deepEqual([0, 9, 10, 25].map((o) => cache.epochForOffset(o)), [1, 1, 2, 4]);
  });

  it('truncates from the end and from the start', () => {
    const cache = cacheWith([[1, 0], [2, 10], [4, 20]]);
    cache.truncateFromEnd(20);
    assert.deepEqual(pairs(cache), [[1, 0], [2, 10]]);
    cache.truncateFromStart(12);
    assert.deepEqual(pairs(cache), [[2, 12]]);
    cache.truncateFromStart(5);
    assert.deepEqual(pairs(cache), [[2, 12]]);
  });

  it('writes Kafka\'s checkpoint format and reads it back', () => {
    const cache = cacheWith([[1, 0], [2, 10]]);
    assert.equal(readFileSync(`${tmp.dir}/leader-epoch-checkpoint`, 'latin1'), '0\n2\n1 0\n2 10\n');
    const again = new LeaderEpochCache(nodeStorageFs, `${tmp.dir}/leader-epoch-checkpoint`);
    assert.equal(again.load(), null);
    assert.deepEqual(pairs(again), [[1, 0], [2, 10]]);
    writeFileSync(`${tmp.dir}/leader-epoch-checkpoint`, '0\n2\n1 0\n');
    assert.match(again.load() ?? '', /expected 2 entries/);
  });
});

describe('leader epochs in a PartitionLog', () => {
  function open(logger = silentLogger, cleanShutdown = false): PartitionLog {
    return PartitionLog.open(tmp.dir, 'p', 0, smallConfig(), logger, { cleanShutdown });
  }

  it('persist across reopen, and are trimmed to the recovered log end', () => {
    let log = open();
    log.appendAsLeader(makeBatch({ count: 3 }), 1, 0);
    log.appendAsLeader(makeBatch({ count: 3 }), 4, 0);
    log.leaderEpochs.assign(6, log.logEndOffset);
    assert.equal(log.leaderEpochs.latestEpoch(), 6);
    assert.deepEqual(log.leaderEpochs.endOffsetFor(4), { epoch: 4, endOffset: 6 });
    log.close();
    log = open();
    // Epoch 6 started at the log end and no batch carries it: loading trims the cache to the log
    // end (Kafka's truncateFromEnd), and the next leadership assigns an epoch again.
    assert.deepEqual(log.leaderEpochs.entries(), [{ epoch: 1, startOffset: 0 }, { epoch: 4, startOffset: 3 }]);
    assert.equal(log.leaderEpochs.epochForOffset(5), 4);
    log.close();
  });

  it('an epoch opened at the log end with no batch is dropped by a truncation that drops nothing', () => {
    // A broker led in epoch 6 without writing, then follows a leader that never had epoch 6: the
    // divergence answer truncates to its log end. Kept, epoch 6 would be its last fetched epoch
    // at every fetch, and the leader would answer "diverging" forever (seen as an ISR that a
    // healed broker never rejoined).
    const log = open();
    log.appendAsLeader(makeBatch({ count: 3 }), 4, 0);
    log.leaderEpochs.assign(6, log.logEndOffset);
    assert.equal(log.truncateTo(log.logEndOffset), false);
    assert.equal(log.leaderEpochs.latestEpoch(), 4);
    assert.equal(log.logEndOffset, 3);
    log.close();
  });

  it('are rebuilt from batch headers when the checkpoint is lost or damaged', () => {
    let log = open();
    for (const epoch of [1, 1, 3, 3, 7]) log.appendAsLeader(makeBatch({ count: 2 }), epoch, 0);
    log.close();
    const path = `${tmp.dir}/p-0/leader-epoch-checkpoint`;
    for (const damage of [() => rmSync(path), () => writeFileSync(path, '0\n1\nnonsense\n')]) {
      damage();
      const logger = recordingLogger();
      log = open(logger, true);
      assert.deepEqual(log.leaderEpochs.entries().map((e) => [e.epoch, e.startOffset]), [[1, 0], [3, 4], [7, 8]]);
      assert.ok(logger.lines.some((l) => l.level === 'warn' && /rebuilding leader-epoch-checkpoint/.test(l.msg)));
      log.close();
    }
  });
});
