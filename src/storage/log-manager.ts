// The broker's logs across its log.dirs (Kafka's LogManager): loading every partition directory at
// start-up (recovering after a crash), placing new partitions, per-topic config, deleting
// partitions, and the periodic work the shell drives through tick(nowMs): time-based rolls,
// retention, flush.ms/flush.messages, removal of `.deleted` files and the offset checkpoints.
//
// Each log dir holds `recovery-point-offset-checkpoint`, `log-start-offset-checkpoint`,
// `replication-offset-checkpoint` (high watermarks) and, only
// between a clean close and the next open, the `.kafka_cleanshutdown` marker. The marker is removed
// (and the removal synced) before open returns, so a crash after any write is never taken for a
// clean shutdown.

import { randomUUID } from 'node:crypto';
import type { Logger } from '../common/logger.js';
import { CheckpointFormatError, formatOffsetCheckpoint, parseOffsetCheckpoint, type PartitionOffset } from './checkpoint.js';
import type { LogConfig } from './config.js';
import { nodeStorageFs, type StorageFs } from './file.js';
import { parsePartitionDirName } from './partition-dir.js';

/** The Raft metadata log's directory (KRaft's name); its files are not a partition log. */
export const METADATA_LOG_DIR = '__cluster_metadata-0';
import { PartitionLog } from './partition-log.js';

export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
export const RECOVERY_POINT_CHECKPOINT_FILE = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT_FILE = 'log-start-offset-checkpoint';
/** Kafka's name: each partition's high watermark, so a restarted replica does not expose more. */
export const HIGH_WATERMARK_CHECKPOINT_FILE = 'replication-offset-checkpoint';
const DELETE_DIR_SUFFIX = '-delete';

export interface LogManagerOptions {
  fs?: StorageFs;
  /** log.flush.offset.checkpoint.interval.ms: how often the recovery points are checkpointed. */
  recoveryPointCheckpointIntervalMs?: number;
  /** log.retention.check.interval.ms: how often retention runs. */
  retentionCheckIntervalMs?: number;
  /** Creation time for segments made while loading; their files' mtime when absent. */
  nowMs?: number;
}

interface Entry {
  log: PartitionLog;
  logDir: string;
}

function key(topic: string, partition: number): string {
  return `${topic} ${partition}`;
}

export class LogManager {
  private readonly logs = new Map<string, Entry>();
  private readonly topicOverrides = new Map<string, Partial<LogConfig>>();
  /** Checkpoint contents last written, by path: unchanged files are not rewritten. */
  private readonly written = new Map<string, string>();
  private checkpointChain: Promise<void> = Promise.resolve();
  private lastRetentionMs: number | null = null;
  private lastRecoveryCheckpointMs: number | null = null;
  private isClosed = false;
  private readonly logger: Logger;
  private readonly fs: StorageFs;
  private readonly logLogger: Logger;
  private readonly recoveryPointCheckpointIntervalMs: number;
  private readonly retentionCheckIntervalMs: number;

  private constructor(
    readonly logDirs: readonly string[],
    private readonly defaults: LogConfig,
    logger: Logger,
    opts: LogManagerOptions,
  ) {
    this.logger = logger.child({ component: 'log-manager' });
    this.logLogger = logger.child({ component: 'log' });
    this.fs = opts.fs ?? nodeStorageFs;
    this.recoveryPointCheckpointIntervalMs = opts.recoveryPointCheckpointIntervalMs ?? 60_000;
    this.retentionCheckIntervalMs = opts.retentionCheckIntervalMs ?? 300_000;
  }

  static open(logDirs: readonly string[], defaults: LogConfig, logger: Logger, opts: LogManagerOptions = {}): LogManager {
    const manager = new LogManager(logDirs, defaults, logger, opts);
    for (const logDir of logDirs) manager.loadLogDir(logDir, opts.nowMs);
    return manager;
  }

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(key(topic, partition))?.log;
  }

  /** The partition's log, created in the log dir holding the fewest partitions if it has none. */
  getOrCreate(topic: string, partition: number, overrides?: Partial<LogConfig>): PartitionLog {
    if (overrides !== undefined) this.setConfig(topic, overrides);
    const existing = this.get(topic, partition);
    if (existing !== undefined) return existing;
    const counts = new Map(this.logDirs.map((dir) => [dir, 0]));
    for (const entry of this.logs.values()) counts.set(entry.logDir, (counts.get(entry.logDir) ?? 0) + 1);
    const logDir = [...counts].reduce((best, next) => (next[1] < best[1] ? next : best))[0];
    // cleanShutdown false: should an old directory linger here, its contents are checked, not trusted.
    const log = PartitionLog.open(logDir, topic, partition, this.configFor(topic), this.logLogger, { cleanShutdown: false, fs: this.fs });
    this.logs.set(key(topic, partition), { log, logDir });
    this.logger.info({ topic, partition, logDir }, 'created log');
    return log;
  }

  /**
   * Closes the log and removes its directory: first renamed to `<dir>.<uuid>-delete`, so a crash
   * part-way leaves a directory start-up removes rather than a partition half gone.
   */
  delete(topic: string, partition: number): boolean {
    const entry = this.logs.get(key(topic, partition));
    if (entry === undefined) return false;
    entry.log.close();
    const doomed = `${entry.log.dir}.${randomUUID().replaceAll('-', '')}${DELETE_DIR_SUFFIX}`;
    this.fs.rename(entry.log.dir, doomed);
    this.fs.removeTree(doomed);
    this.logs.delete(key(topic, partition));
    this.logger.info({ topic, partition }, 'deleted log');
    return true;
  }

  all(): PartitionLog[] {
    return [...this.logs.values()].map((entry) => entry.log);
  }

  /** Sets the topic's config overrides (replacing earlier ones) and applies them to its logs. */
  setConfig(topic: string, overrides: Partial<LogConfig>): void {
    this.topicOverrides.set(topic, overrides);
    const config = this.configFor(topic);
    for (const log of this.all()) if (log.topic === topic) log.updateConfig(config);
  }

  configFor(topic: string): LogConfig {
    return { ...this.defaults, ...this.topicOverrides.get(topic) };
  }

  /** The periodic work; the shell calls it every so often and awaits it before the next call. */
  async tick(nowMs: number): Promise<void> {
    const logs = this.all();
    for (const log of logs) log.maybeRoll(nowMs);
    this.lastRetentionMs ??= nowMs;
    if (nowMs - this.lastRetentionMs >= this.retentionCheckIntervalMs) {
      this.lastRetentionMs = nowMs;
      for (const log of logs) log.applyRetention(nowMs);
    }
    for (const log of logs) log.deleteExpiredFiles(nowMs);
    await Promise.all(logs.filter((log) => log.needsFlush(nowMs)).map((log) => log.flush(nowMs)));
    this.lastRecoveryCheckpointMs ??= nowMs;
    const isRecoveryCheckpointDue = nowMs - this.lastRecoveryCheckpointMs >= this.recoveryPointCheckpointIntervalMs;
    if (isRecoveryCheckpointDue) this.lastRecoveryCheckpointMs = nowMs;
    // Log start offsets are written whenever they change: DeleteRecords must not come undone.
    await this.writeCheckpoints(isRecoveryCheckpointDue);
  }

  /** Writes both checkpoint files of every log dir (those whose content changed). */
  checkpoint(): Promise<void> {
    return this.writeCheckpoints(true);
  }

  /** Flushes every log, writes the checkpoints, closes the logs and leaves the clean-shutdown marker. */
  async close(): Promise<void> {
    // A second close would checkpoint an empty set of logs over the real checkpoints.
    if (this.isClosed) return;
    this.isClosed = true;
    const logs = this.all();
    await Promise.all(logs.map((log) => log.flush()));
    await this.checkpoint();
    for (const log of logs) log.close();
    this.logs.clear();
    await Promise.all(this.logDirs.map((dir) => this.fs.writeFileDurable(`${dir}/${CLEAN_SHUTDOWN_FILE}`, '')));
    this.logger.info({ logs: logs.length }, 'closed logs cleanly');
  }

  private loadLogDir(logDir: string, nowMs: number | undefined): void {
    const fs = this.fs;
    fs.mkdir(logDir);
    const marker = `${logDir}/${CLEAN_SHUTDOWN_FILE}`;
    const cleanShutdown = fs.exists(marker);
    const recoveryPoints = this.readCheckpoint(`${logDir}/${RECOVERY_POINT_CHECKPOINT_FILE}`);
    const logStartOffsets = this.readCheckpoint(`${logDir}/${LOG_START_OFFSET_CHECKPOINT_FILE}`);
    const highWatermarks = this.readCheckpoint(`${logDir}/${HIGH_WATERMARK_CHECKPOINT_FILE}`);
    for (const name of fs.list(logDir)) {
      const dir = `${logDir}/${name}`;
      if (!fs.isDirectory(dir) || name === METADATA_LOG_DIR) continue;
      if (name.endsWith(DELETE_DIR_SUFFIX)) {
        this.logger.info({ dir }, 'removing a partition directory left from a deletion');
        fs.removeTree(dir);
        continue;
      }
      const parsed = parsePartitionDirName(name);
      if (parsed === null) {
        this.logger.warn({ dir }, 'ignoring a directory that is not a partition');
        continue;
      }
      const { topic, partition } = parsed;
      const other = this.logs.get(key(topic, partition));
      if (other !== undefined) throw new Error(`partition ${name} exists in both ${other.logDir} and ${logDir}`);
      const log = PartitionLog.open(logDir, topic, partition, this.configFor(topic), this.logLogger, {
        recoveryPoint: recoveryPoints.get(key(topic, partition)),
        logStartOffset: logStartOffsets.get(key(topic, partition)),
        cleanShutdown,
        nowMs,
        fs,
      });
      const hw = highWatermarks.get(key(topic, partition));
      if (hw !== undefined) log.highWatermark = Math.min(hw, log.logEndOffset);
      this.logs.set(key(topic, partition), { log, logDir });
    }
    if (cleanShutdown) {
      fs.remove(marker);
      fs.syncDirSync(logDir);
    }
    this.logger.info({ logDir, cleanShutdown }, 'loaded log dir');
  }

  private readCheckpoint(path: string): Map<string, number> {
    const offsets = new Map<string, number>();
    const data = this.fs.readFile(path);
    if (data === null) return offsets;
    try {
      for (const entry of parseOffsetCheckpoint(data.toString('utf8'))) offsets.set(key(entry.topic, entry.partition), entry.offset);
      this.written.set(path, data.toString('utf8'));
    } catch (err) {
      if (!(err instanceof CheckpointFormatError)) throw err;
      this.logger.warn({ path, err }, 'ignoring a malformed checkpoint file');
    }
    return offsets;
  }

  private writeCheckpoints(includeRecoveryPoints: boolean): Promise<void> {
    const run = async (): Promise<void> => {
      const writes: Promise<void>[] = [];
      for (const logDir of this.logDirs) {
        const entries = [...this.logs.values()].filter((entry) => entry.logDir === logDir).map((entry) => entry.log);
        const offsets = (pick: (log: PartitionLog) => number): PartitionOffset[] =>
          entries.map((log) => ({ topic: log.topic, partition: log.partition, offset: pick(log) }));
        writes.push(this.writeIfChanged(`${logDir}/${LOG_START_OFFSET_CHECKPOINT_FILE}`, formatOffsetCheckpoint(offsets((log) => log.logStartOffset))));
        writes.push(this.writeIfChanged(`${logDir}/${HIGH_WATERMARK_CHECKPOINT_FILE}`, formatOffsetCheckpoint(offsets((log) => log.highWatermark ?? log.logEndOffset))));
        if (includeRecoveryPoints) {
          writes.push(this.writeIfChanged(`${logDir}/${RECOVERY_POINT_CHECKPOINT_FILE}`, formatOffsetCheckpoint(offsets((log) => log.recoveryPoint))));
        }
      }
      await Promise.all(writes);
    };
    // One writer at a time: two writes of one file would share its `.tmp`.
    this.checkpointChain = this.checkpointChain.then(run, run);
    return this.checkpointChain;
  }

  private async writeIfChanged(path: string, text: string): Promise<void> {
    if (this.written.get(path) === text) return;
    await this.fs.writeFileDurable(path, text);
    this.written.set(path, text);
  }
}
