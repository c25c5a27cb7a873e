// Goal: the LogManager keeps a broker's logs across log dirs and restarts — placement, per-topic
// config, deletion, the clean-shutdown marker and Kafka-format checkpoints — and its tick drives
// rolls, retention, flush policy and checkpoints from the time it is given.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { LogConfig } from '../../../src/storage/config.js';
import { LogManager, type LogManagerOptions } from '../../../src/storage/log-manager.js';
import { listBatches, makeBatch, recordingLogger, smallConfig, tempDir } from './batch-fixture.js';
import { crashableFs } from './crash-fs.js';

let tmp: ReturnType<typeof tempDir>;
let dirs: string[];
let manager: LogManager | null;

beforeEach(() => {
  tmp = tempDir();
  dirs = [`${tmp.dir}/a`, `${tmp.dir}/b`];
  manager = null;
});
afterEach(async () => {
  await manager?.close();
  tmp.cleanup();
});

function open(opts: LogManagerOptions = {}, defaults: LogConfig = smallConfig(), logger = recordingLogger()): LogManager {
  manager = LogManager.open(dirs, defaults, logger, opts);
  return manager;
}

function fill(topic: string, partition: number, batches: number): void {
  const log = manager!.getOrCreate(topic, partition);
  for (let i = 0; i < batches; i++) log.appendAsLeader(makeBatch({ count: 5, timestamp: 1_000 + i }), 0, 1_000 + i);
}

describe('LogManager', () => {
  it('places new partitions in the log dir with the fewest, and finds them again after a clean close', async () => {
    open();
    for (let p = 0; p < 3; p++) fill('orders.eu-west_1', p, 4);
    fill('audit', 0, 1);
    assert.deepEqual(readdirSync(dirs[0]!).sort(), ['orders.eu-west_1-0', 'orders.eu-west_1-2']);
    assert.deepEqual(readdirSync(dirs[1]!).sort(), ['audit-0', 'orders.eu-west_1-1']);
    await manager!.close();
    for (const dir of dirs) assert.ok(existsSync(`${dir}/.kafka_cleanshutdown`));
    assert.equal(
      readFileSync(`${dirs[1]}/recovery-point-offset-checkpoint`, 'utf8'),
      '0\n2\norders.eu-west_1 1 20\naudit 0 5\n',
    );
    const logger = recordingLogger();
    open({}, smallConfig(), logger);
    for (const dir of dirs) assert.ok(!existsSync(`${dir}/.kafka_cleanshutdown`), 'marker removed on open');
    assert.equal(manager!.all().length, 4);
    assert.equal(manager!.get('orders.eu-west_1', 2)?.logEndOffset, 20);
    assert.equal(manager!.get('orders.eu-west_1', 2)?.recoveryPoint, 20);
    assert.ok(logger.lines.every((l) => l.level !== 'warn'));
    assert.equal(manager!.get('nope', 0), undefined);
  });

  it('recovers after a crash, and keeps DeleteRecords through the log start checkpoint', async () => {
    const crashable = crashableFs();
    open({ fs: crashable.fs });
    fill('t', 0, 6);
    manager!.get('t', 0)!.deleteRecordsBefore(12);
    await manager!.tick(0);
    assert.match(readFileSync(`${dirs[0]}/log-start-offset-checkpoint`, 'utf8'), /^t 0 12$/m);
    crashable.crash();
    manager = null;
    const logger = recordingLogger();
    open({}, smallConfig(), logger);
    const log = manager!.get('t', 0)!;
    assert.deepEqual([log.logStartOffset, log.logEndOffset], [12, 30]);
    assert.equal(listBatches(log.read(12, 1000, 30, true).records)[0]!.baseOffset, 10);
    assert.ok(logger.lines.some((l) => /no clean shutdown marker/.test(l.msg)));
  });

  it('deletes a partition by renaming its directory first, and clears leftovers on open', async () => {
    open();
    fill('t', 0, 2);
    fill('t', 1, 2);
    assert.equal(manager!.delete('t', 0), true);
    assert.equal(manager!.delete('t', 0), false);
    assert.equal(manager!.get('t', 0), undefined);
    assert.ok(!existsSync(`${dirs[0]}/t-0`));
    await manager!.close();
    mkdirSync(`${dirs[1]}/t-7.0123456789abcdef0123456789abcdef-delete`);
    mkdirSync(`${dirs[1]}/not_a_partition`);
    const logger = recordingLogger();
    open({}, smallConfig(), logger);
    assert.ok(!existsSync(`${dirs[1]}/t-7.0123456789abcdef0123456789abcdef-delete`));
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /not a partition/.test(l.msg)));
    assert.deepEqual(manager!.all().map((log) => `${log.topic}-${log.partition}`), ['t-1']);
  });

  it('refuses a partition found in two log dirs', async () => {
    open();
    fill('t', 0, 1);
    await manager!.close();
    mkdirSync(`${dirs[1]}/t-0`);
    assert.throws(() => open(), /exists in both/);
    manager = null;
  });

  it('applies per-topic overrides to existing and new logs', () => {
    open({}, smallConfig({ segmentBytes: 100_000 }));
    fill('small', 0, 1);
    manager!.setConfig('small', { segmentBytes: 400 });
    fill('small', 0, 4);
    fill('small', 1, 4);
    fill('big', 0, 5);
    assert.deepEqual(manager!.get('small', 0)!.segmentBaseOffsets, [0, 10, 20]);
    assert.deepEqual(manager!.get('small', 1)!.segmentBaseOffsets, [0, 10]);
    assert.equal(manager!.get('big', 0)!.segmentCount, 1);
    assert.equal(manager!.configFor('small').segmentBytes, 400);
  });

  it('flushes after a roll even without a flush policy, so crash recovery stays short', async () => {
    open({}, smallConfig({ segmentBytes: 400 }));
    fill('t', 0, 2);
    await manager!.tick(0);
    assert.equal(manager!.get('t', 0)!.recoveryPoint, 0);
    fill('t', 0, 1);
    await manager!.tick(1);
    assert.equal(manager!.get('t', 0)!.recoveryPoint, 15);
  });

  it('ticks: flush.messages, recovery checkpoint interval, retention interval, time rolls, file removal', async () => {
    open(
      { recoveryPointCheckpointIntervalMs: 1_000, retentionCheckIntervalMs: 5_000 },
      smallConfig({ flushMessages: 10, retentionMs: 2_000, segmentMs: 3_000, segmentBytes: 400, fileDeleteDelayMs: 0 }),
    );
    fill('t', 0, 1);
    const log = manager!.get('t', 0)!;
    await manager!.tick(1_000);
    assert.equal(log.recoveryPoint, 0, '5 unflushed < flush.messages');
    fill('t', 0, 1);
    await manager!.tick(1_500);
    assert.equal(log.recoveryPoint, 10);
    assert.ok(!existsSync(`${dirs[0]}/recovery-point-offset-checkpoint`), 'interval not reached');
    await manager!.tick(2_000);
    assert.equal(readFileSync(`${dirs[0]}/recovery-point-offset-checkpoint`, 'utf8'), '0\n1\nt 0 10\n');
    assert.equal(log.segmentCount, 1);
    await manager!.tick(4_002);
    assert.deepEqual(log.segmentBaseOffsets, [0, 10], 'segment.ms passed since the first record (1000)');
    await manager!.tick(6_000);
    assert.deepEqual(log.segmentBaseOffsets, [10], 'retention ran at the 5 s interval');
    assert.equal(log.logStartOffset, 10);
    assert.deepEqual(readdirSync(`${dirs[0]}/t-0`).filter((n) => n.endsWith('.deleted')), [], 'removed with no delay');
  });
});
