// Start-up of one partition directory (Kafka's LogLoader): clear what an interrupted operation
// left behind, open the segments, and make sure what the log serves is whole and checked.
//
// After a clean shutdown the files are trusted: indexes are loaded (and rebuilt when missing, short,
// not monotonic or beyond the log) and only the active segment's tail is checked. After a crash,
// every segment from the one holding the recovery point onward is walked batch by batch; the first
// torn, malformed or CRC-failing batch ends the log there, and later segments are deleted. Every
// acknowledged batch that reached the page cache is whole and survives; garbage does not.

import type { Logger } from '../common/logger.js';
import { LAST_OFFSET_DELTA_OFFSET, PARTITION_LEADER_EPOCH_OFFSET, baseOffsetOf } from '../protocol/records/batch-header.js';
import { scanBatches } from './batch-scan.js';
import type { LogConfig } from './config.js';
import type { StorageFs } from './file.js';
import type { LeaderEpochCache } from './leader-epoch-cache.js';
import { DELETED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, LogSegment, TIME_INDEX_SUFFIX, segmentFileName } from './segment.js';

export interface LoadOptions {
  /** Offset below which data was flushed before the last shutdown; 0 when unknown. */
  recoveryPoint?: number;
  /** Log start offset from the log dir's checkpoint; the first segment's base when unknown. */
  logStartOffset?: number;
  /** Whether the log dir holds the clean-shutdown marker. */
  cleanShutdown: boolean;
  /** Creation time for a segment made here; the file's mtime when absent. */
  nowMs?: number;
}

export interface LoadedLog {
  segments: LogSegment[];
  logStartOffset: number;
  recoveryPoint: number;
}

const SEGMENT_NAME = /^(\d{20})\.log$/;
const SWAP_SUFFIX = '.swap';
const LEFTOVER_SUFFIXES = [DELETED_SUFFIX, '.cleaned', '.tmp'];

interface LoadContext {
  fs: StorageFs;
  dir: string;
  config: LogConfig;
  logger: Logger;
  leaderEpochs: LeaderEpochCache;
}

export function loadLog(ctx: LoadContext, opts: LoadOptions): LoadedLog {
  const { fs, dir, config, logger, leaderEpochs } = ctx;
  fs.mkdir(dir);
  removeLeftovers(ctx);
  let segments = openSegments(ctx);
  const epochProblem = leaderEpochs.load();
  let isChanged = false;
  if (segments.length > 0) {
    const recovered = opts.cleanShutdown ? loadClean(ctx, segments) : recoverUnclean(ctx, segments, opts.recoveryPoint ?? 0);
    isChanged = recovered.isChanged;
    segments = recovered.segments;
  }
  if (epochProblem !== null && segments.some((s) => s.size > 0)) {
    logger.warn({ problem: epochProblem }, 'rebuilding leader-epoch-checkpoint from batch headers');
    rebuildLeaderEpochs(segments, leaderEpochs);
  }
  const checkpointStart = opts.logStartOffset ?? 0;
  if (segments.length > 0 && segments[segments.length - 1]!.nextOffset < checkpointStart) {
    // Kafka's deleteSegmentsIfLogStartGreaterThanLogEnd: the files lost data the checkpoint says existed.
    logger.warn(
      { logEndOffset: segments[segments.length - 1]!.nextOffset, logStartOffset: checkpointStart },
      'log end offset is below the log start offset checkpoint; deleting all segments',
    );
    for (const segment of segments) removeSegmentFiles(fs, segment);
    segments = [];
    leaderEpochs.clear();
    isChanged = true;
  }
  if (segments.length === 0) {
    segments.push(LogSegment.create(fs, dir, checkpointStart, config.segmentIndexBytes, opts.nowMs ?? null));
  }
  const logEndOffset = segments[segments.length - 1]!.nextOffset;
  const logStartOffset = Math.max(checkpointStart, segments[0]!.baseOffset);
  leaderEpochs.truncateFromEnd(logEndOffset);
  leaderEpochs.truncateFromStart(logStartOffset);
  // As Kafka: only a clean, unchanged log may claim everything is flushed; otherwise the recovery
  // point advances with the next flush.
  const recoveryPoint =
    opts.cleanShutdown && !isChanged ? logEndOffset : Math.min(opts.recoveryPoint ?? 0, logEndOffset);
  return { segments, logStartOffset, recoveryPoint };
}

interface Recovered {
  segments: LogSegment[];
  isChanged: boolean;
}

function loadClean(ctx: LoadContext, segments: LogSegment[]): Recovered {
  for (let i = 0; i < segments.length - 1; i++) loadOrRebuild(ctx, segments[i]!, segments[i + 1]!.baseOffset);
  const active = segments[segments.length - 1]!;
  const problem = active.loadIndexes(null) ?? active.checkTail();
  if (problem === null) return { segments, isChanged: false };
  ctx.logger.warn({ segment: active.file.path, problem }, 'active segment fails its check after a clean shutdown; recovering it');
  recoverSegment(ctx, active);
  return { segments, isChanged: true };
}

function recoverUnclean(ctx: LoadContext, segments: LogSegment[], recoveryPoint: number): Recovered {
  // Recovery starts at the segment holding the recovery point; those before were flushed.
  let first = 0;
  while (first + 1 < segments.length && segments[first + 1]!.baseOffset <= recoveryPoint) first++;
  ctx.logger.info(
    { recoveryPoint, segments: segments.length - first },
    'no clean shutdown marker; recovering segments from the recovery point',
  );
  for (let i = 0; i < first; i++) loadOrRebuild(ctx, segments[i]!, segments[i + 1]!.baseOffset);
  for (let i = first; i < segments.length; i++) {
    const truncatedBytes = recoverSegment(ctx, segments[i]!);
    if (truncatedBytes === 0) continue;
    for (const later of segments.slice(i + 1)) {
      ctx.logger.warn({ segment: later.file.path, sizeBytes: later.size }, 'deleting segment after the corrupt one');
      removeSegmentFiles(ctx.fs, later);
    }
    return { segments: segments.slice(0, i + 1), isChanged: true };
  }
  return { segments, isChanged: false };
}

function loadOrRebuild(ctx: LoadContext, segment: LogSegment, nextOffset: number): void {
  const problem = segment.loadIndexes(nextOffset);
  if (problem === null) return;
  ctx.logger.warn({ segment: segment.file.path, problem }, 'rebuilding segment indexes from the log');
  recoverSegment(ctx, segment);
}

/** Recovers one segment, logging what was cut; returns the bytes truncated. */
function recoverSegment(ctx: LoadContext, segment: LogSegment): number {
  const { truncatedBytes, problem } = segment.recover(ctx.config.indexIntervalBytes, ctx.leaderEpochs);
  // The partition's logger carries topic and partition.
  ctx.logger.info({ baseOffset: segment.baseOffset, nextOffset: segment.nextOffset, sizeBytes: segment.size, truncatedBytes }, 'segment recovered');
  if (truncatedBytes > 0) {
    ctx.logger.warn(
      { segment: segment.file.path, offset: segment.nextOffset, position: segment.size, truncatedBytes, problem },
      'truncated a corrupt or torn log tail',
    );
  }
  ctx.leaderEpochs.write();
  return truncatedBytes;
}

function rebuildLeaderEpochs(segments: LogSegment[], leaderEpochs: LeaderEpochCache): void {
  leaderEpochs.clear();
  for (const segment of segments) {
    scanBatches(segment.file, 0, segment.size, null, (buf, pos) => {
      const epoch = buf.readInt32BE(pos + PARTITION_LEADER_EPOCH_OFFSET);
      if (epoch > leaderEpochs.latestEpoch()) leaderEpochs.assign(epoch, baseOffsetOf(buf, pos), false);
    });
  }
  leaderEpochs.write();
}

/** Opens every `<20 digits>.log` in order and removes index files that lost their log. */
function openSegments(ctx: LoadContext): LogSegment[] {
  const { fs, dir, config, logger } = ctx;
  const names = fs.list(dir);
  const baseOffsets: number[] = [];
  for (const name of names) {
    const match = SEGMENT_NAME.exec(name);
    if (match) baseOffsets.push(Number(match[1]));
  }
  const present = new Set(baseOffsets);
  for (const name of names) {
    const suffix = name.endsWith(INDEX_SUFFIX) ? INDEX_SUFFIX : name.endsWith(TIME_INDEX_SUFFIX) ? TIME_INDEX_SUFFIX : null;
    if (suffix === null) continue;
    const baseOffset = Number(name.slice(0, -suffix.length));
    if (present.has(baseOffset)) continue;
    logger.warn({ file: name }, 'removing an index file without its segment');
    fs.remove(`${dir}/${name}`);
  }
  baseOffsets.sort((a, b) => a - b);
  return baseOffsets.map((baseOffset) => LogSegment.open(fs, dir, baseOffset, config.segmentIndexBytes));
}

/**
 * Removes `.deleted`, `.cleaned` and `.tmp` files, and completes a compaction swap as Kafka does:
 * a `.log.swap` was written and synced before the segments it replaces began to go, so it wins over
 * any of them still present; its indexes are rebuilt.
 */
function removeLeftovers(ctx: LoadContext): void {
  const { fs, dir, logger } = ctx;
  for (const name of fs.list(dir)) {
    if (LEFTOVER_SUFFIXES.some((suffix) => name.endsWith(suffix))) {
      logger.info({ file: name }, 'removing leftover file');
      fs.remove(`${dir}/${name}`);
    }
  }
  for (const name of fs.list(dir)) {
    if (!name.endsWith(SWAP_SUFFIX)) continue;
    const target = name.slice(0, -SWAP_SUFFIX.length);
    if (!target.endsWith(LOG_SUFFIX)) {
      fs.remove(`${dir}/${name}`);
      continue;
    }
    const baseOffset = Number(target.slice(0, -LOG_SUFFIX.length));
    const lastOffset = lastOffsetOfFile(fs, `${dir}/${name}`);
    for (const other of fs.list(dir)) {
      const match = SEGMENT_NAME.exec(other);
      const otherBase = match ? Number(match[1]) : -1;
      if (otherBase >= baseOffset && otherBase <= lastOffset) {
        logger.info({ file: other, swap: name }, 'removing a segment replaced by a swap file');
        for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) fs.remove(`${dir}/${segmentFileName(otherBase, suffix)}`);
      }
    }
    fs.rename(`${dir}/${name}`, `${dir}/${target}`);
    logger.info({ file: target }, 'completed an interrupted segment swap');
  }
}

function lastOffsetOfFile(fs: StorageFs, path: string): number {
  const file = fs.openFile(path);
  let lastOffset = -1;
  try {
    scanBatches(file, 0, file.size(), null, (buf, pos) => {
      lastOffset = baseOffsetOf(buf, pos) + buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
    });
  } finally {
    file.close();
  }
  return lastOffset;
}

function removeSegmentFiles(fs: StorageFs, segment: LogSegment): void {
  segment.file.close();
  fs.remove(segment.file.path);
  fs.remove(segment.indexPath);
  fs.remove(segment.timeIndexPath);
}
