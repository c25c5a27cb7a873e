// Goal: reopening a log — after a clean close or a crash — keeps every complete batch before any
// damage and nothing after it: torn tails, flipped bytes, appended garbage, lost or damaged index
// files, leftovers of interrupted operations, and checkpoints that disagree with the files.

import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { LogConfig } from '../../../src/storage/config.js';
import type { StorageFs } from '../../../src/storage/file.js';
import type { LoadOptions } from '../../../src/storage/log-loader.js';
import { OffsetOutOfRangeError } from '../../../src/storage/errors.js';
import { PartitionLog } from '../../../src/storage/partition-log.js';
import { listBatches, makeBatch, recordingLogger, smallConfig, tempDir } from './batch-fixture.js';
import { crashableFs } from './crash-fs.js';

const CONFIG: LogConfig = smallConfig({ segmentBytes: 1000, indexIntervalBytes: 100 });
const BATCHES = 20; // 5 records, 161 bytes each: six per segment, segments at 0, 30, 60, 90
const FLUSHED = 14; // batches appended before the flush that sets the recovery point (70)

let tmp: ReturnType<typeof tempDir>;
let dir: string;
let stored: Buffer[];
let crashable: ReturnType<typeof crashableFs>;
let log: PartitionLog;
let logger: ReturnType<typeof recordingLogger>;

beforeEach(() => {
  tmp = tempDir();
  dir = `${tmp.dir}/payments-7`;
  crashable = crashableFs();
  logger = recordingLogger();
});
afterEach(() => {
  log.close();
  tmp.cleanup();
});

function open(opts: LoadOptions, fs: StorageFs = crashable.fs): PartitionLog {
  logger = recordingLogger();
  log = PartitionLog.open(tmp.dir, 'payments', 7, CONFIG, logger, { ...opts, fs });
  return log;
}

/** Twenty batches with a flush after the fourteenth, as a broker with a flush policy would leave them. */
async function build(): Promise<void> {
  open({ cleanShutdown: false });
  stored = [];
  for (let i = 0; i < BATCHES; i++) {
    const batch = makeBatch({ count: 5, timestamp: 1_000 + i });
    log.appendAsLeader(batch, 1, 0);
    stored.push(batch);
    if (i === FLUSHED - 1) await log.flush();
  }
  assert.equal(log.recoveryPoint, FLUSHED * 5);
  assert.deepEqual(log.segmentBaseOffsets, [0, 30, 60, 90]);
}

type Shutdown = 'clean' | 'crash';

/** Ends the log the given way and returns the options its next open gets. */
function stop(how: Shutdown): LoadOptions {
  const recoveryPoint = log.recoveryPoint;
  if (how === 'clean') log.close();
  else crashable.crash();
  return { cleanShutdown: how === 'clean', recoveryPoint };
}

function segmentPath(baseOffset: number, suffix: string): string {
  return `${dir}/${String(baseOffset).padStart(20, '0')}${suffix}`;
}

function readAll(): Buffer {
  const parts: Buffer[] = [];
  for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
    const { records } = log.read(offset, 1 << 20, log.logEndOffset, true);
    if (records.length === 0) break;
    parts.push(records);
    const batches = listBatches(records);
    offset = batches[batches.length - 1]!.lastOffset + 1;
  }
  return Buffer.concat(parts);
}

/** The log holds exactly the first `kept` batches, serves them by offset and time, and takes more. */
function assertKeeps(kept: number): void {
  assert.equal(log.logEndOffset, kept * 5);
  assert.deepEqual(readAll(), Buffer.concat(stored.slice(0, kept)));
  for (let i = 0; i < kept; i += 3) assert.equal(log.findBatchByTimestamp(1_000 + i)?.baseOffset, i * 5, `timestamp of batch ${i}`);
  assert.equal(log.findBatchByTimestamp(1_000 + kept), null);
  assert.equal(log.appendAsLeader(makeBatch({ count: 5 }), 2, 0).firstOffset, kept * 5);
}

function warnings(): string[] {
  return logger.lines.filter((l) => l.level === 'warn').map((l) => l.msg);
}

const damages: { name: string; kept: number; damage: () => void; warns?: RegExp }[] = [
  { name: 'a torn last batch', kept: BATCHES - 1, damage: () => truncateSync(segmentPath(90, '.log'), 161 * 2 - 10) },
  {
    name: 'a flipped byte in the last batch',
    kept: BATCHES - 1,
    damage: () => {
      const path = segmentPath(90, '.log');
      const bytes = readFileSync(path);
      bytes[161 + 100]! ^= 0x40;
      writeFileSync(path, bytes);
    },
  },
  { name: 'zeros appended after the last batch', kept: BATCHES, damage: () => appendFileSync(segmentPath(90, '.log'), Buffer.alloc(4096)) },
  {
    name: 'deleted .index files',
    kept: BATCHES,
    warns: /rebuilding segment indexes/,
    damage: () => {
      rmSync(segmentPath(30, '.index'));
      rmSync(segmentPath(90, '.index'));
    },
  },
  {
    name: 'truncated .timeindex files',
    kept: BATCHES,
    warns: /rebuilding segment indexes/,
    damage: () => {
      for (const base of [0, 30, 90]) truncateSync(segmentPath(base, '.timeindex'), Math.max(0, statSync(segmentPath(base, '.timeindex')).size - 5));
    },
  },
  {
    name: 'an .index entry beyond the log and one that does not grow',
    kept: BATCHES,
    warns: /rebuilding segment indexes/,
    damage: () => {
      const entry = (relativeOffset: number, position: number): Buffer => {
        const buf = Buffer.alloc(8);
        buf.writeInt32BE(relativeOffset, 0);
        buf.writeInt32BE(position, 4);
        return buf;
      };
      appendFileSync(segmentPath(0, '.index'), entry(29, 5_000));
      writeFileSync(segmentPath(30, '.index'), Buffer.concat([entry(9, 161), entry(4, 322)]));
    },
  },
];

describe('reopening a damaged log', () => {
  for (const how of ['clean', 'crash'] as const) {
    for (const { name, kept, damage, warns } of damages) {
      it(`after a ${how} shutdown with ${name}, keeps the ${kept} whole batches before it`, async () => {
        await build();
        const opts = stop(how);
        damage();
        open(opts);
        assertKeeps(kept);
        if (warns) assert.ok(warnings().some((w) => warns.test(w)), `warned: ${warnings().join('; ')}`);
        if (kept < BATCHES) {
          const line = logger.lines.find((l) => l.msg === 'truncated a corrupt or torn log tail');
          assert.ok(line, `warned: ${warnings().join('; ')}`);
          assert.equal(line.obj['offset'], kept * 5);
          assert.ok((line.obj['truncatedBytes'] as number) > 0);
        }
        log.close();
        open({ cleanShutdown: true, recoveryPoint: log.recoveryPoint });
        assert.deepEqual(warnings(), [], 'the repaired files load cleanly');
        assert.equal(log.logEndOffset, kept * 5 + 5);
      });
    }
  }

  it('after a clean shutdown trusts the files: no recovery, only the tail check', async () => {
    await build();
    open(stop('clean'));
    assertKeeps(BATCHES);
    assert.deepEqual(warnings(), []);
    assert.equal(log.recoveryPoint, log.logEndOffset - 5, 'the clean log end, before the extra append');
  });

  it('after a crash truncates at a bad batch past the recovery point and drops the later segments', async () => {
    await build();
    const opts = stop('crash');
    const path = segmentPath(60, '.log');
    const bytes = readFileSync(path);
    bytes[2 * 161 + 70]! ^= 0x01; // the third batch of segment 60: offsets 70–74
    writeFileSync(path, bytes);
    open(opts);
    assertKeeps(14);
    assert.deepEqual(log.segmentBaseOffsets, [0, 30, 60]);
    assert.ok(!existsSync(segmentPath(90, '.log')));
    assert.ok(warnings().includes('deleting segment after the corrupt one'));
  });

  it('after a crash catches an offset that went backwards, which the CRC does not cover', async () => {
    await build();
    const opts = stop('crash');
    const path = segmentPath(90, '.log');
    const bytes = readFileSync(path);
    bytes.writeInt32BE(80, 161 + 4); // the last batch's baseOffset low word: 95 → 80
    writeFileSync(path, bytes);
    open(opts);
    assertKeeps(BATCHES - 1);
  });
});

describe('loading unusual directories', () => {
  it('opens an empty or missing directory as an empty log', () => {
    open({ cleanShutdown: false });
    assert.deepEqual([log.logStartOffset, log.logEndOffset, log.segmentCount, log.size], [0, 0, 1, 0]);
    assert.ok(existsSync(segmentPath(0, '.log')) && existsSync(segmentPath(0, '.index')) && existsSync(segmentPath(0, '.timeindex')));
  });

  it('loads zero-byte segments, with or without index files', async () => {
    await build();
    log.close();
    writeFileSync(segmentPath(100, '.log'), '');
    open({ cleanShutdown: true, recoveryPoint: 100 });
    assert.deepEqual(log.segmentBaseOffsets, [0, 30, 60, 90, 100]);
    assertKeeps(BATCHES);
    log.close();
    rmSync(dir, { recursive: true });
    mkdirSync(dir);
    writeFileSync(segmentPath(0, '.log'), '');
    open({ cleanShutdown: false });
    assert.equal(log.logEndOffset, 0);
  });

  it('removes .deleted, .cleaned and .tmp leftovers and orphaned index files', async () => {
    await build();
    log.close();
    for (const name of ['00000000000000000030.log.deleted', '00000000000000000030.log.cleaned', 'leader-epoch-checkpoint.tmp', '00000000000000000500.index']) {
      writeFileSync(`${dir}/${name}`, 'junk');
    }
    open({ cleanShutdown: true, recoveryPoint: 100 });
    assertKeeps(BATCHES);
    assert.deepEqual(readdirSync(dir).filter((n) => /deleted|cleaned|tmp|^0+500/.test(n)), []);
  });

  it('completes an interrupted swap: the .swap replaces the segments it covers', async () => {
    await build();
    log.close();
    const merged = Buffer.concat([readFileSync(segmentPath(30, '.log')), readFileSync(segmentPath(60, '.log'))]);
    writeFileSync(segmentPath(30, '.log.swap'), merged);
    writeFileSync(segmentPath(30, '.index.swap'), 'stale');
    open({ cleanShutdown: true, recoveryPoint: 100 });
    assert.deepEqual(log.segmentBaseOffsets, [0, 30, 90]);
    assertKeeps(BATCHES);
    assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.swap')), []);
  });

  it('honours a log start offset checkpoint ahead of the first segment', async () => {
    await build();
    log.close();
    open({ cleanShutdown: true, recoveryPoint: 100, logStartOffset: 42 });
    assert.equal(log.logStartOffset, 42);
    assert.throws(() => log.read(41, 1000, 100, true), OffsetOutOfRangeError);
    assert.equal(log.read(42, 1000, 100, true).firstBatchOffset, 40);
    assert.equal(log.applyRetention(0).deletedSegments, 1);
    assert.deepEqual(log.segmentBaseOffsets, [30, 60, 90]);
  });

  it('starts over at a log start offset checkpoint beyond the log end', async () => {
    await build();
    log.close();
    open({ cleanShutdown: true, recoveryPoint: 100, logStartOffset: 500 });
    assert.deepEqual([log.logStartOffset, log.logEndOffset, log.segmentBaseOffsets], [500, 500, [500]]);
    assert.deepEqual(log.leaderEpochs.entries(), []);
    assert.ok(warnings().some((w) => /below the log start offset checkpoint/.test(w)));
  });
});
