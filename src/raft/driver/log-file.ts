// The durable Raft log: one append-only file of entries, each framed as
//
//   uint32 payloadLength, uint32 crc32c(payload), payload = int64 offset, int32 epoch,
//   int8 isControl, data (the rest)
//
// Invariants: offsets in the file are contiguous, and `positions[i]` is the file position of the
// entry at `startOffset + i`, so truncating to an offset is one ftruncate at a recorded position.
// Recovery reads frames until the first short, CRC-failing or non-contiguous one and cuts the
// file there: a crash mid-append leaves a torn tail, never a hole, because fsync happens before
// anything that depends on the entries is sent. Dropping a prefix (after a snapshot) rewrites
// the kept suffix to a new file and renames it over the old one.

import { crc32c } from '@node-rs/crc32';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { assert } from '../../common/assert.js';
import { readInt64, writeInt64 } from '../../protocol/records/batch-header.js';
import type { Entry } from '../types.js';

const FRAME_HEADER_BYTES = 8;
const PAYLOAD_HEADER_BYTES = 13;

export class LogFile {
  private positions: number[] = [];
  private startOffsetValue = 0;
  private sizeBytes = 0;

  private constructor(
    private readonly path: string,
    private handle: FileHandle,
  ) {}

  /** Opens (or creates) the file, drops a torn tail and returns the file and its entries. */
  static async open(path: string): Promise<{ file: LogFile; entries: Entry[] }> {
    const handle = await open(path, 'a+');
    const file = new LogFile(path, handle);
    const buf = await readFile(path);
    const { entries, positions, validBytes } = scan(buf);
    if (validBytes < buf.length) {
      await handle.truncate(validBytes);
      await handle.sync();
    }
    file.positions = positions;
    file.startOffsetValue = entries[0]?.offset ?? 0;
    file.sizeBytes = validBytes;
    return { file, entries };
  }

  get startOffset(): number {
    return this.startOffsetValue;
  }
  get endOffset(): number {
    return this.startOffsetValue + this.positions.length;
  }

  /** Cuts the file to hold only entries below `offset`. */
  async truncateTo(offset: number): Promise<void> {
    if (offset >= this.endOffset) return;
    if (offset <= this.startOffsetValue) {
      await this.handle.truncate(0);
      this.positions = [];
      this.sizeBytes = 0;
      this.startOffsetValue = offset;
      return;
    }
    const index = offset - this.startOffsetValue;
    this.sizeBytes = this.positions[index]!;
    this.positions.length = index;
    await this.handle.truncate(this.sizeBytes);
  }

  /** Appends contiguous entries; durable only after sync(). */
  async append(entries: readonly Entry[]): Promise<void> {
    if (entries.length === 0) return;
    if (this.positions.length === 0) this.startOffsetValue = entries[0]!.offset;
    const frames: Buffer[] = [];
    for (const e of entries) {
      assert(e.offset === this.endOffset, `log file append of ${e.offset} at end ${this.endOffset}`);
      const frame = encodeFrame(e);
      this.positions.push(this.sizeBytes);
      this.sizeBytes += frame.length;
      frames.push(frame);
    }
    // 'a+' opens in append mode, so writes land at the end whatever the handle position.
    await this.handle.write(Buffer.concat(frames));
  }

  /** Drops entries below `offset` by rewriting the rest to a new file; an empty log starts there. */
  async dropBefore(offset: number): Promise<void> {
    if (offset <= this.startOffsetValue) return;
    const keepFrom = offset >= this.endOffset ? this.sizeBytes : this.positions[offset - this.startOffsetValue]!;
    const rest = Buffer.alloc(this.sizeBytes - keepFrom);
    if (rest.length > 0) await this.handle.read(rest, 0, rest.length, keepFrom);
    const tmp = `${this.path}.tmp`;
    const out = await open(tmp, 'w');
    try {
      await out.write(rest);
      await out.sync();
    } finally {
      await out.close();
    }
    await this.handle.close();
    await rename(tmp, this.path);
    this.handle = await open(this.path, 'a+');
    const base = keepFrom;
    this.positions = offset >= this.endOffset ? [] : this.positions.slice(offset - this.startOffsetValue).map((p) => p - base);
    this.startOffsetValue = offset;
    this.sizeBytes = rest.length;
  }

  async sync(): Promise<void> {
    await this.handle.sync();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

function encodeFrame(e: Entry): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + PAYLOAD_HEADER_BYTES + e.data.length);
  const payloadLength = PAYLOAD_HEADER_BYTES + e.data.length;
  frame.writeUInt32BE(payloadLength, 0);
  writeInt64(frame, 8, e.offset);
  frame.writeInt32BE(e.epoch, 16);
  frame.writeInt8(e.isControl ? 1 : 0, 20);
  e.data.copy(frame, 21);
  frame.writeUInt32BE(crc32c(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return frame;
}

/** Reads whole, CRC-valid, contiguous frames from the start of `buf`. */
export function scan(buf: Buffer): { entries: Entry[]; positions: number[]; validBytes: number } {
  const entries: Entry[] = [];
  const positions: number[] = [];
  let pos = 0;
  while (pos + FRAME_HEADER_BYTES + PAYLOAD_HEADER_BYTES <= buf.length) {
    const payloadLength = buf.readUInt32BE(pos);
    const end = pos + FRAME_HEADER_BYTES + payloadLength;
    if (payloadLength < PAYLOAD_HEADER_BYTES || end > buf.length) break;
    const payload = buf.subarray(pos + FRAME_HEADER_BYTES, end);
    if (crc32c(payload) !== buf.readUInt32BE(pos + 4)) break;
    const offset = readInt64(payload, 0);
    if (entries.length > 0 && offset !== entries[entries.length - 1]!.offset + 1) break;
    const data = Buffer.from(payload.subarray(PAYLOAD_HEADER_BYTES));
    entries.push({ offset, epoch: payload.readInt32BE(8), isControl: payload.readInt8(12) === 1, data });
    positions.push(pos);
    pos = end;
  }
  return { entries, positions, validBytes: pos };
}
