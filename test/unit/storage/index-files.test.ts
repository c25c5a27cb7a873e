// Goal: the in-memory indexes look up, truncate and persist as Kafka's `.index`/`.timeindex`
// files do, refuse files they cannot trust, and the text checkpoints and partition directory names
// parse exactly as Kafka writes them.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CheckpointFormatError,
  formatOffsetCheckpoint,
  parseLeaderEpochCheckpoint,
  parseOffsetCheckpoint,
} from '../../../src/storage/checkpoint.js';
import { OffsetIndex } from '../../../src/storage/offset-index.js';
import { parsePartitionDirName } from '../../../src/storage/partition-dir.js';
import { TimeIndex } from '../../../src/storage/time-index.js';

/** Collects what persist() writes into one buffer, as the file would hold it. */
function fileOf(persist: (write: (data: Buffer, truncateTo: number | null) => void) => boolean, file: Buffer = Buffer.alloc(0)): Buffer {
  let content = file;
  persist((data, truncateTo) => {
    if (truncateTo !== null) content = content.subarray(0, truncateTo);
    content = Buffer.concat([content, data]);
  });
  return content;
}

describe('OffsetIndex', () => {
  const index = new OffsetIndex(100, 4);
  index.append(109, 200);
  index.append(119, 450);
  index.append(125, 700);

  it('finds the scan start for an offset and the read bound past one', () => {
    const lookups: [number, number][] = [[100, 0], [108, 0], [109, 200], [118, 200], [119, 450], [130, 700]];
    for (const [offset, position] of lookups) assert.equal(index.lookup(offset), position, `lookup ${offset}`);
    const bounds: [number, number][] = [[100, 200], [109, 200], [110, 450], [125, 700], [126, -1]];
    for (const [offset, position] of bounds) assert.equal(index.positionAtOrAfter(offset), position, `bound ${offset}`);
    assert.equal(index.isFull, false);
  });

  it('persists entries big-endian, then only new ones, rewriting after a truncation', () => {
    const first = fileOf((w) => index.persist(w));
    assert.deepEqual([...first.subarray(0, 8)], [0, 0, 0, 9, 0, 0, 0, 200]);
    const copy = OffsetIndex.parse(first, 100, 4, 1000, null);
    assert.ok(copy instanceof OffsetIndex);
    assert.equal(copy.persist(() => assert.fail('nothing new to write')), false);
    copy.append(130, 900);
    const second = fileOf((w) => copy.persist(w), first);
    assert.deepEqual([second.length, second.readInt32BE(24), second.readInt32BE(28)], [32, 30, 900]);
    assert.equal(copy.isFull, true);
    copy.truncateToPosition(450);
    assert.deepEqual([...fileOf((w) => copy.persist(w), second)], [0, 0, 0, 9, 0, 0, 0, 200]);
  });

  it('refuses files that are short, do not grow or point past the log', () => {
    const entries = (...pairs: [number, number][]): Buffer => Buffer.concat(pairs.map(([o, p]) => Buffer.from([0, 0, 0, o, 0, 0, 0, p])));
    assert.match(OffsetIndex.parse(Buffer.alloc(7), 0, 10, 1000, null) as string, /whole entries/);
    assert.match(OffsetIndex.parse(entries([5, 10], [5, 20]), 0, 10, 1000, null) as string, /grow/);
    assert.match(OffsetIndex.parse(entries([5, 10], [6, 9]), 0, 10, 1000, null) as string, /grow/);
    assert.match(OffsetIndex.parse(entries([5, 200]), 0, 10, 100, null) as string, /past the log/);
    assert.match(OffsetIndex.parse(entries([5, 20]), 0, 10, 100, 5) as string, /past the last offset/);
    assert.ok(OffsetIndex.parse(entries([5, 20]), 0, 10, 100, 6) instanceof OffsetIndex);
  });
});

describe('TimeIndex', () => {
  it('keeps only growing timestamps and finds the last entry below a target', () => {
    const index = new TimeIndex(50, 10);
    index.maybeAppend(-1, 50);
    index.maybeAppend(100, 55);
    index.maybeAppend(100, 60);
    index.maybeAppend(90, 62);
    index.maybeAppend(300, 70);
    assert.equal(index.count, 2);
    assert.deepEqual(index.lastEntry, { timestamp: 300, offset: 70 });
    const cases: [number, number][] = [[50, -1], [100, -1], [101, 55], [300, 55], [301, 70]];
    for (const [timestamp, offset] of cases) assert.equal(index.offsetBefore(timestamp), offset, `before ${timestamp}`);
    const file = fileOf((w) => index.persist(w));
    assert.equal(file.length, 24);
    const copy = TimeIndex.parse(file, 50, 10, null);
    assert.ok(copy instanceof TimeIndex);
    assert.deepEqual(copy.lastEntry, { timestamp: 300, offset: 70 });
    copy.truncateToOffset(70);
    assert.deepEqual(copy.lastEntry, { timestamp: 100, offset: 55 });
    assert.match(TimeIndex.parse(Buffer.alloc(13), 0, 10, null) as string, /whole entries/);
    assert.match(TimeIndex.parse(file, 50, 10, 60) as string, /past the last offset/);
  });
});

describe('checkpoint files', () => {
  it('round-trips offsets for topic names with dots, dashes and underscores', () => {
    const entries = [
      { topic: 'orders.eu-west_1', partition: 12, offset: 9_007_199_254_740_000 },
      { topic: '__consumer_offsets', partition: 0, offset: 0 },
    ];
    const text = formatOffsetCheckpoint(entries);
    assert.equal(text, '0\n2\norders.eu-west_1 12 9007199254740000\n__consumer_offsets 0 0\n');
    assert.deepEqual(parseOffsetCheckpoint(text), entries);
    assert.deepEqual(parseOffsetCheckpoint('0\n0\n'), []);
  });

  it('rejects what Kafka would not have written', () => {
    for (const text of ['1\n0\n', '0\n2\nt 0 1\n', '0\n1\nt 0\n', '0\n1\nt x 1\n', '0\n1\nt 0 -1\n', '', '0\n1\n 0 1\n']) {
      assert.throws(() => parseOffsetCheckpoint(text), CheckpointFormatError, JSON.stringify(text));
    }
    assert.throws(() => parseLeaderEpochCheckpoint('0\n1\n1 2 3\n'), CheckpointFormatError);
  });

  it('splits partition directory names at the last dash', () => {
    const cases: [string, { topic: string; partition: number } | null][] = [
      ['orders-0', { topic: 'orders', partition: 0 }],
      ['orders.eu-west_1-12', { topic: 'orders.eu-west_1', partition: 12 }],
      ['a-b-c-3', { topic: 'a-b-c', partition: 3 }],
      ['orders', null],
      ['-3', null],
      ['orders-0.7f1e-delete', null],
      ['orders-x', null],
    ];
    for (const [name, expected] of cases) assert.deepEqual(parsePartitionDirName(name), expected, name);
  });
});
