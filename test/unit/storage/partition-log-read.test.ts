// Goal: what goes into a PartitionLog comes back out byte for byte, with Kafka's read semantics —
// whole batches from the one holding the fetch offset, one segment per read, maxBytes with KIP-74's
// minOneBatch, never past maxOffsetExclusive — for leader and follower appends alike.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { silentLogger } from '../../../src/common/logger.js';
import { CorruptRecordError, OffsetOutOfRangeError, UnexpectedAppendOffsetError } from '../../../src/storage/errors.js';
import { PartitionLog } from '../../../src/storage/partition-log.js';
import { listBatches, makeBatch, sealBatch, smallConfig, tempDir } from './batch-fixture.js';

const TOPIC = 'orders.eu-west_1';
let tmp: ReturnType<typeof tempDir>;
let log: PartitionLog;

beforeEach(() => {
  tmp = tempDir();
  log = PartitionLog.open(tmp.dir, TOPIC, 3, smallConfig(), silentLogger, { cleanShutdown: false });
});
afterEach(() => {
  log.close();
  tmp.cleanup();
});

/** Appends `n` batches of 5 records (161 bytes each); returns them as stored. */
function appendBatches(n: number, epoch = 1): Buffer[] {
  const stored: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const batch = makeBatch({ count: 5, timestamp: 1_000 + i });
    log.appendAsLeader(batch, epoch, 5_000);
    stored.push(batch);
  }
  return stored;
}

/** Everything from `from` to the log end, fetched as a consumer would. */
function readAll(from: number, maxBytes: number): Buffer {
  const parts: Buffer[] = [];
  let offset = from;
  while (offset < log.logEndOffset) {
    const { records } = log.read(offset, maxBytes, log.logEndOffset, true);
    assert.ok(records.length > 0, `no progress at ${offset}`);
    parts.push(records);
    const batches = listBatches(records);
    offset = batches[batches.length - 1]!.lastOffset + 1;
  }
  return Buffer.concat(parts);
}

describe('PartitionLog append and read', () => {
  it('assigns offsets and epochs and reads every batch back across segments', () => {
    const stored = appendBatches(40);
    assert.equal(log.logEndOffset, 200);
    assert.ok(log.segmentCount >= 6, `segments: ${log.segmentCount}`);
    assert.deepEqual(readAll(0, 100_000), Buffer.concat(stored));
    assert.deepEqual(readAll(0, 1), Buffer.concat(stored));
    const first = listBatches(stored[7]!)[0]!;
    assert.deepEqual([first.baseOffset, first.lastOffset, first.leaderEpoch], [35, 39, 1]);
    assert.equal(log.size, 40 * 161);
  });

  it('starts at the batch holding the fetch offset, mid-batch and at every offset', () => {
    appendBatches(40);
    for (let offset = 0; offset < 200; offset++) {
      const { records, firstBatchOffset } = log.read(offset, 1, 200, true);
      const batches = listBatches(records);
      assert.equal(batches.length, 1);
      assert.equal(firstBatchOffset, offset - (offset % 5));
      assert.equal(batches[0]!.baseOffset, firstBatchOffset);
    }
  });

  it('reads from one segment only, starting with the next segment at a boundary', () => {
    appendBatches(40);
    const bases = log.segmentBaseOffsets;
    const second = bases[1]!;
    const third = bases[2]!;
    const fromBoundary = listBatches(log.read(second, 100_000, 200, false).records);
    assert.equal(fromBoundary[0]!.baseOffset, second);
    assert.equal(fromBoundary[fromBoundary.length - 1]!.lastOffset, third - 1);
    const lastOfFirst = listBatches(log.read(second - 1, 100_000, 200, false).records);
    assert.deepEqual(lastOfFirst.map((b) => b.baseOffset), [second - 5]);
  });

  it('honours maxBytes with whole batches, and minOneBatch for an oversized first batch', () => {
    appendBatches(4);
    assert.equal(listBatches(log.read(0, 161 * 2 + 100, 20, false).records).length, 2);
    assert.equal(listBatches(log.read(0, 161 * 2, 20, false).records).length, 2);
    assert.equal(log.read(0, 100, 20, false).records.length, 0);
    assert.equal(listBatches(log.read(0, 100, 20, true).records).length, 1);
    assert.equal(listBatches(log.read(3, 0, 20, true).records).length, 1);
  });

  it('never returns a batch reaching maxOffsetExclusive', () => {
    appendBatches(4);
    assert.deepEqual(listBatches(log.read(0, 10_000, 10, false).records).map((b) => b.lastOffset), [4, 9]);
    assert.deepEqual(listBatches(log.read(0, 10_000, 12, true).records).map((b) => b.lastOffset), [4, 9]);
    assert.equal(log.read(10, 10_000, 12, true).records.length, 0);
    assert.equal(log.read(10, 10_000, 10, true).records.length, 0);
  });

  it('bounds reads by maxOffsetExclusive through the index on a large segment', () => {
    const big = PartitionLog.open(tmp.dir, 'big', 0, smallConfig({ segmentBytes: 1 << 20 }), silentLogger, { cleanShutdown: false });
    for (let i = 0; i < 100; i++) big.appendAsLeader(makeBatch({ count: 2 }), 0, 0);
    const batches = listBatches(big.read(0, 1 << 20, 101, false).records);
    assert.equal(batches.length, 50);
    assert.equal(batches[49]!.lastOffset, 99);
    big.close();
  });

  it('finds batches among the latest appends as a reopened log finds them from its files', () => {
    // One large segment: the latest appends are answered from memory, older ones by a scan, and a
    // reopened log has only the scan. Every offset must read the same bytes either way, for
    // leader and follower appends, also after a truncation and an unclean restart.
    const config = smallConfig({ segmentBytes: 1 << 20 });
    const open = (topic: string, cleanShutdown: boolean): PartitionLog => PartitionLog.open(tmp.dir, topic, 0, config, silentLogger, { cleanShutdown });
    const readEach = (l: PartitionLog): string[] => [...Array(l.logEndOffset).keys()].map((o) => l.read(o, 1, l.logEndOffset, true).records.toString('hex'));
    const append = (l: PartitionLog, n: number): void => {
      for (let i = 0; i < n; i++) l.appendAsLeader(makeBatch({ count: 1 + (i % 3) }), 0, 0);
    };
    let leader = open('recent', true);
    append(leader, 60);
    const live = readEach(leader);
    // A follower gets the same batches in a few fetch-sized groups.
    const follower = open('recent-follower', true);
    for (let o = 0; o < leader.logEndOffset; o = follower.logEndOffset) follower.appendBatchesAsFollower(leader.read(o, 2_000, leader.logEndOffset, true).records, 0);
    assert.deepEqual(readEach(follower), live);
    follower.close();
    leader.close();
    leader = open('recent', true);
    assert.deepEqual(readEach(leader), live);
    append(leader, 30); // offsets 120..179 in batches of 1, 2 and 3 records
    leader.truncateTo(171); // inside the remembered batches
    append(leader, 5);
    const truncated = readEach(leader);
    leader.close();
    leader = open('recent', false);
    assert.deepEqual(readEach(leader), truncated);
    assert.equal(leader.logEndOffset, 171 + 1 + 2 + 3 + 1 + 2);
    leader.close();
  });

  it('answers the log end with nothing and throws OffsetOutOfRange outside the log', () => {
    appendBatches(2);
    assert.equal(log.read(10, 1000, 10, true).records.length, 0);
    assert.throws(() => log.read(11, 1000, 11, true), OffsetOutOfRangeError);
    assert.throws(() => log.read(-1, 1000, 10, true), OffsetOutOfRangeError);
    log.deleteRecordsBefore(7);
    assert.throws(() => log.read(6, 1000, 10, true), (err: OffsetOutOfRangeError) => err.logStartOffset === 7);
    assert.equal(listBatches(log.read(7, 1000, 10, true).records)[0]!.baseOffset, 5);
  });

  it('sets LogAppendTime and recomputes the CRC', () => {
    const batch = makeBatch({ count: 2, timestamp: 10 });
    const result = log.appendAsLeader(batch, 0, 77_000, { logAppendTime: true });
    assert.equal(result.logAppendTimeMs, 77_000);
    const [stored] = listBatches(log.read(0, 1000, 2, true).records);
    assert.equal(stored!.maxTimestamp, 77_000);
    assert.equal(stored!.attributes & 0x08, 0x08);
    assert.deepEqual(sealBatch(Buffer.from(batch)), batch, 'CRC matches the new content');
    assert.equal(log.appendAsLeader(makeBatch(), 0, 1).logAppendTimeMs, -1);
  });

  it('appends follower batches as given, many per call, across rolls', () => {
    const batches = Array.from({ length: 20 }, (_, i) => makeBatch({ baseOffset: i * 5, count: 5, leaderEpoch: i < 10 ? 2 : 4 }));
    const records = Buffer.concat(batches);
    assert.deepEqual(log.appendBatchesAsFollower(records, 1), { firstOffset: 0, lastOffset: 99 });
    assert.ok(log.segmentCount > 1);
    assert.deepEqual(readAll(0, 100_000), records);
    assert.deepEqual(log.leaderEpochs.entries(), [
      { epoch: 2, startOffset: 0 },
      { epoch: 4, startOffset: 50 },
    ]);
  });

  it('ignores a trailing partial follower batch and rejects bad ones before writing', () => {
    const whole = makeBatch({ baseOffset: 0, count: 2 });
    const next = makeBatch({ baseOffset: 2, count: 2 });
    log.appendBatchesAsFollower(Buffer.concat([whole, next.subarray(0, 40)]), 1);
    assert.equal(log.logEndOffset, 2);
    assert.throws(() => log.appendBatchesAsFollower(makeBatch({ baseOffset: 1 }), 1), UnexpectedAppendOffsetError);
    const corrupt = Buffer.from(next);
    corrupt[corrupt.length - 1]! ^= 0xff;
    assert.throws(() => log.appendBatchesAsFollower(Buffer.concat([next, makeBatch({ baseOffset: 4 }), corrupt]), 1), CorruptRecordError);
    const overlapping = Buffer.concat([next, makeBatch({ baseOffset: 3 })]);
    assert.throws(() => log.appendBatchesAsFollower(overlapping, 1), CorruptRecordError);
    assert.equal(log.logEndOffset, 2);
    assert.equal(log.size, whole.length);
  });

  it('walks batch headers from an offset, passing control batches whole', () => {
    appendBatches(3);
    log.appendAsLeader(makeBatch({ attributes: 0x20 | 0x10, count: 1 }), 1, 1);
    appendBatches(1);
    const seen: { base: number; whole: boolean }[] = [];
    log.scanBatchHeaders(7, (buf, pos) => {
      seen.push({ base: Number(buf.readBigInt64BE(pos)), whole: pos === 0 && buf.length === 61 + 20 });
    });
    assert.deepEqual(seen, [
      { base: 5, whole: false },
      { base: 10, whole: false },
      { base: 15, whole: true },
      { base: 16, whole: false },
    ]);
  });
});
