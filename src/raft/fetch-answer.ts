// The leader's side of the pull replication (KIP-595): given its log and a follower's Fetch,
// decide whether the follower's log matches (send records), diverges (send the epoch and end
// offset to truncate to), or lies behind the log start (send the snapshot id); and serve
// FetchSnapshot chunks. Also the follower's truncation point for a diverging answer. Pure.

import { assert } from '../common/assert.js';
import { ErrorCode } from '../protocol/errors.js';
import type { RaftLog } from './raft-log.js';
import type { Entry, SnapshotId } from './types.js';

export interface FetchAnswer {
  readonly divergingEpoch: { epoch: number; endOffset: number } | null;
  readonly snapshotId: SnapshotId | null;
  readonly records: Entry[];
  /** Set when the follower's log matches ours below fetchOffset. */
  readonly matchOffset: number | null;
}

export function answerFetch(log: RaftLog, fetchOffset: number, lastFetchedEpoch: number, entriesMax: number): FetchAnswer {
  const snapshot = log.snapshot;
  // Below our log start, or an epoch older than our snapshot's last one: the entries the
  // follower needs (or must compare against) exist only inside the snapshot.
  if (snapshot !== null && snapshot.id.endOffset > 0 && (fetchOffset < log.startOffset || lastFetchedEpoch < snapshot.id.epoch)) {
    return { divergingEpoch: null, snapshotId: snapshot.id, records: [], matchOffset: null };
  }
  const known = log.endOffsetForEpoch(lastFetchedEpoch);
  if (known.epoch !== lastFetchedEpoch || known.endOffset < fetchOffset) {
    return { divergingEpoch: known, snapshotId: null, records: [], matchOffset: null };
  }
  // Our entry at fetchOffset - 1 has the follower's epoch, so by log matching its whole prefix is ours.
  const records = log.slice(fetchOffset, Math.min(log.endOffset, fetchOffset + entriesMax));
  return { divergingEpoch: null, snapshotId: null, records, matchOffset: fetchOffset };
}

/**
 * Where a follower truncates on a diverging answer: no further than the leader's end offset for
 * that epoch, nor than our own end of the same epoch. Repeated fetches converge on the common
 * prefix. Committed entries (below the high watermark) always match, so never go.
 */
export function truncationOffset(log: RaftLog, diverging: { epoch: number; endOffset: number }, highWatermark: number): number {
  const ours = log.endOffsetForEpoch(diverging.epoch);
  const offset = Math.min(diverging.endOffset, ours.endOffset, log.endOffset);
  assert(offset >= highWatermark, `divergence would truncate committed offset ${offset} < high watermark ${highWatermark}`);
  assert(offset >= log.startOffset, `divergence below the log start ${log.startOffset}`);
  return offset;
}

export interface SnapshotChunk {
  readonly errorCode: number;
  readonly size: number;
  readonly chunk: Buffer;
}

export function answerFetchSnapshot(log: RaftLog, id: SnapshotId, position: number, chunkBytesMax: number): SnapshotChunk {
  const snapshot = log.snapshot;
  if (snapshot === null || !log.isSnapshotId(id)) return { errorCode: ErrorCode.SNAPSHOT_NOT_FOUND, size: 0, chunk: Buffer.alloc(0) };
  const size = snapshot.data.length;
  if (position < 0 || position > size) return { errorCode: ErrorCode.POSITION_OUT_OF_RANGE, size, chunk: Buffer.alloc(0) };
  return { errorCode: 0, size, chunk: snapshot.data.subarray(position, Math.min(size, position + chunkBytesMax)) };
}
