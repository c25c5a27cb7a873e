// A voter's durable Raft state in one directory: `quorum-state` (JSON shaped like KRaft's
// QuorumStateData v1 file: leaderId, leaderEpoch, votedId, data_version), `snapshot` (the latest
// snapshot: uint32 crc32c of the rest, int64 endOffset, int32 epoch, data) and `log` (LogFile).
// Quorum state and snapshot are replaced atomically (tmp, fsync, rename, fsync the directory),
// so a crash leaves the old or the new file, never a mix. persist() applies the persistence part
// of a Ready in the order the core asks (snapshot, log, quorum state) and returns only once all
// of it is on disk, so the shell may then send. A missing or corrupt snapshot or quorum-state
// file at load is an operating error and is thrown, not repaired: they are never torn.

import { crc32c } from '@node-rs/crc32';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { readInt64, writeInt64 } from '../../protocol/records/batch-header.js';
import type { Entry, QuorumState, RaftStorage, Ready, Snapshot } from '../types.js';
import { LogFile } from './log-file.js';

const QUORUM_STATE_FILE = 'quorum-state';
const SNAPSHOT_FILE = 'snapshot';
const LOG_FILE = 'log';
const SNAPSHOT_HEADER_BYTES = 16;

export class RaftDisk {
  private constructor(
    private readonly dir: string,
    private readonly log: LogFile,
  ) {}

  /** Opens `dir` (created if missing) and reads back what an earlier incarnation persisted. */
  static async open(dir: string): Promise<{ disk: RaftDisk; storage: RaftStorage }> {
    await mkdir(dir, { recursive: true });
    const quorumState = await readQuorumState(join(dir, QUORUM_STATE_FILE));
    const snapshot = await readSnapshot(join(dir, SNAPSHOT_FILE));
    const { file, entries } = await LogFile.open(join(dir, LOG_FILE));
    const disk = new RaftDisk(dir, file);
    const start = snapshot?.id.endOffset ?? 0;
    let kept: Entry[] = entries.filter((e) => e.offset >= start);
    // A crash between writing a snapshot and dropping the log prefix leaves entries below it;
    // entries that do not reach the snapshot's end cannot follow it at all.
    if (kept.length > 0 && kept[0]!.offset !== start) kept = [];
    if (kept.length === 0 && entries.length > 0) await file.truncateTo(file.startOffset);
    else if (kept.length > 0 && entries[0]!.offset < start) await file.dropBefore(start);
    return { disk, storage: { quorumState, snapshot, entries: kept } };
  }

  /** Persists the durable part of `ready` and fsyncs it. */
  async persist(ready: Ready): Promise<void> {
    if (ready.snapshot !== null) await this.writeSnapshot(ready.snapshot);
    if (ready.logFromOffset !== null) {
      await this.log.truncateTo(ready.logFromOffset);
      await this.log.append(ready.entries);
      await this.log.sync();
    }
    if (ready.quorumState !== null) await this.writeQuorumState(ready.quorumState);
  }

  async close(): Promise<void> {
    await this.log.close();
  }

  private async writeSnapshot(snapshot: Snapshot): Promise<void> {
    const buf = Buffer.allocUnsafe(SNAPSHOT_HEADER_BYTES + snapshot.data.length);
    writeInt64(buf, 4, snapshot.id.endOffset);
    buf.writeInt32BE(snapshot.id.epoch, 12);
    snapshot.data.copy(buf, SNAPSHOT_HEADER_BYTES);
    buf.writeUInt32BE(crc32c(buf.subarray(4)), 0);
    await this.replaceFile(SNAPSHOT_FILE, buf);
    // The snapshot is durable; the log below (or, if it does not reach it, all of it) goes.
    const end = snapshot.id.endOffset;
    if (this.log.endOffset < end || this.log.startOffset > end) await this.log.truncateTo(this.log.startOffset);
    await this.log.dropBefore(end);
  }

  private async writeQuorumState(qs: QuorumState): Promise<void> {
    const json = JSON.stringify({ leaderId: qs.leaderId, leaderEpoch: qs.leaderEpoch, votedId: qs.votedId, data_version: 1 });
    await this.replaceFile(QUORUM_STATE_FILE, Buffer.from(json));
  }

  private async replaceFile(name: string, data: Buffer): Promise<void> {
    const path = join(this.dir, name);
    const tmp = `${path}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.write(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    await syncDir(this.dir);
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readOptional(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function readQuorumState(path: string): Promise<QuorumState | null> {
  const buf = await readOptional(path);
  if (buf === null) return null;
  const o = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
  const { leaderId, leaderEpoch, votedId } = o;
  if (typeof leaderId !== 'number' || typeof leaderEpoch !== 'number' || typeof votedId !== 'number') {
    throw new Error(`corrupt quorum state in ${path}`);
  }
  return { leaderId, leaderEpoch, votedId };
}

async function readSnapshot(path: string): Promise<Snapshot | null> {
  const buf = await readOptional(path);
  if (buf === null) return null;
  if (buf.length < SNAPSHOT_HEADER_BYTES || crc32c(buf.subarray(4)) !== buf.readUInt32BE(0)) {
    throw new Error(`corrupt snapshot in ${path}`);
  }
  return { id: { endOffset: readInt64(buf, 4), epoch: buf.readInt32BE(12) }, data: Buffer.from(buf.subarray(SNAPSHOT_HEADER_BYTES)) };
}
