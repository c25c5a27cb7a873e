// Reads a partition's on-disk log the way Kafka lays it out (`<log.dirs>/<topic>-<partition>/`,
// segments named by 20-digit base offset with a `.log` suffix) so recovery tests can find the
// active segment and the batch boundaries inside it before damaging its tail.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASE_OFFSET_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  batchSizeAt,
  readInt64,
} from '../../src/protocol/records/batch-header.js';

export interface BatchLocation {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
}

/** The `.log` file with the highest base offset: the one appends go to. */
export function activeSegmentPath(dataDir: string, topic: string, partition: number): string {
  const dir = join(dataDir, `${topic}-${partition}`);
  const logs = readdirSync(dir).filter((name) => /^\d+\.log$/.test(name)).sort();
  const last = logs[logs.length - 1];
  if (last === undefined) throw new Error(`no .log segment in ${dir}: ${readdirSync(dir).join(', ')}`);
  return join(dir, last);
}

/** Walks whole batches from the start of a segment; stops at the first incomplete one. */
export function batchesIn(segmentPath: string): BatchLocation[] {
  const bytes = readFileSync(segmentPath);
  const batches: BatchLocation[] = [];
  let position = 0;
  while (position + LOG_OVERHEAD <= bytes.length) {
    const size = batchSizeAt(bytes, position);
    if (size <= LOG_OVERHEAD || position + size > bytes.length) break;
    const baseOffset = readInt64(bytes, position + BASE_OFFSET_OFFSET);
    const lastOffset = baseOffset + bytes.readInt32BE(position + LAST_OFFSET_DELTA_OFFSET);
    batches.push({ position, size, baseOffset, lastOffset });
    position += size;
  }
  return batches;
}
