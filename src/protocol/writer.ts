// Writer: encodes Kafka's wire primitives into a list of chunks. Small values go into an internal
// buffer that starts small and doubles; when it fills, the written part is kept as a chunk and a
// larger buffer is started, so nothing is copied while growing. Large buffers handed to
// appendChunk() (record batches read from a segment) join the list by reference, so a Fetch
// response carries file reads without a copy. toChunks() suits writev; toBuffer() concatenates.
//
// Encoding errors (a value the chosen version cannot carry, null in a non-nullable field) are bugs
// in the caller and throw ProtocolEncodeError; out-of-range integers throw Node's RangeError.

import { STRING_LENGTH_MAX } from './reader.js';

/** Buffers up to this size are copied by appendChunk(); larger ones are kept by reference. */
export const CHUNK_COPY_MAX = 1024;

/** A message that cannot be encoded as asked: the caller's bug, not the peer's. */
export class ProtocolEncodeError extends Error {
  override name = 'ProtocolEncodeError';
  readonly code = 'ERR_PROTOCOL_ENCODE';
}

export class Writer {
  private chunks: Buffer[] = [];
  /** Bytes held in `chunks`. */
  private chunkedBytes = 0;
  private buf: Buffer;
  /** Where the current, not yet chunked, segment of `buf` starts. */
  private start = 0;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.chunkedBytes + this.pos - this.start;
  }

  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    this.closeSegment();
    this.buf = Buffer.allocUnsafe(Math.max(this.buf.length * 2, n));
    this.start = 0;
    this.pos = 0;
  }

  private closeSegment(): void {
    if (this.pos === this.start) return;
    this.chunks.push(this.buf.subarray(this.start, this.pos));
    this.chunkedBytes += this.pos - this.start;
    this.start = this.pos;
  }

  writeInt8(v: number): void {
    this.ensure(1);
    this.pos = this.buf.writeInt8(v, this.pos);
  }

  writeInt16(v: number): void {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
  }

  writeUInt16(v: number): void {
    this.ensure(2);
    this.pos = this.buf.writeUInt16BE(v, this.pos);
  }

  writeInt32(v: number): void {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(v, this.pos);
  }

  writeUInt32(v: number): void {
    this.ensure(4);
    this.pos = this.buf.writeUInt32BE(v, this.pos);
  }

  /** int64 from a JS number, exact for every safe integer (docs/decisions/0001). */
  writeInt64(v: number): void {
    this.ensure(8);
    const high = Math.floor(v / 4294967296);
    this.buf.writeInt32BE(high, this.pos);
    this.pos = this.buf.writeUInt32BE(v - high * 4294967296, this.pos + 4);
  }

  writeFloat64(v: number): void {
    this.ensure(8);
    this.pos = this.buf.writeDoubleBE(v, this.pos);
  }

  writeBoolean(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  /** Unsigned LEB128 of a uint32. */
  writeUnsignedVarint(v: number): void {
    if (v < 0 || v > 0xffffffff) throw new RangeError(`unsigned varint out of range: ${v}`);
    this.ensure(5);
    const b = this.buf;
    let at = this.pos;
    while (v >= 0x80) {
      b[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[at++] = v;
    this.pos = at;
  }

  /** Zigzag int32. */
  writeVarint(v: number): void {
    this.writeUnsignedVarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /**
   * Zigzag int64 from a number. The value is split into two 32-bit words first, so the zigzag
   * step stays exact for values the float could not double without rounding.
   */
  writeVarlong(v: number): void {
    this.ensure(10);
    const high = Math.floor(v / 4294967296);
    const low = v - high * 4294967296;
    const sign = high >> 31;
    let zzHigh = (((high << 1) | (low >>> 31)) ^ sign) >>> 0;
    let zzLow = ((low << 1) ^ sign) >>> 0;
    const b = this.buf;
    let at = this.pos;
    while (zzHigh !== 0 || zzLow >= 0x80) {
      b[at++] = (zzLow & 0x7f) | 0x80;
      zzLow = ((zzLow >>> 7) | (zzHigh << 25)) >>> 0;
      zzHigh >>>= 7;
    }
    b[at++] = zzLow;
    this.pos = at;
  }

  /** A UUID in Kafka's text form (22 chars of URL-safe base64), decoded straight into place. */
  writeUuid(uuid: string): void {
    this.ensure(16);
    const n = uuid.length === 22 ? this.buf.write(uuid, this.pos, 16, 'base64url') : 0;
    if (n !== 16) throw new ProtocolEncodeError(`invalid uuid "${uuid}"`);
    this.pos += 16;
  }

  writeString(v: string): void {
    const n = Buffer.byteLength(v, 'utf8');
    checkStringLength(n);
    this.ensure(2 + n);
    this.pos = this.buf.writeInt16BE(n, this.pos);
    this.pos += this.buf.write(v, this.pos, n, 'utf8');
  }

  writeNullableString(v: string | null): void {
    if (v === null) this.writeInt16(-1);
    else this.writeString(v);
  }

  writeCompactString(v: string): void {
    const n = Buffer.byteLength(v, 'utf8');
    checkStringLength(n);
    this.writeUnsignedVarint(n + 1);
    this.ensure(n);
    this.pos += this.buf.write(v, this.pos, n, 'utf8');
  }

  writeCompactNullableString(v: string | null): void {
    if (v === null) this.writeUnsignedVarint(0);
    else this.writeCompactString(v);
  }

  writeBytes(v: Uint8Array): void {
    this.writeInt32(v.length);
    this.writeRaw(v);
  }

  writeNullableBytes(v: Uint8Array | null): void {
    if (v === null) this.writeInt32(-1);
    else this.writeBytes(v);
  }

  writeCompactBytes(v: Uint8Array): void {
    this.writeUnsignedVarint(v.length + 1);
    this.writeRaw(v);
  }

  writeCompactNullableBytes(v: Uint8Array | null): void {
    if (v === null) this.writeUnsignedVarint(0);
    else this.writeCompactBytes(v);
  }

  /** A records field: nullable bytes whose content may come in several chunks. */
  writeRecords(v: Buffer | readonly Buffer[] | null): void {
    if (v === null) this.writeInt32(-1);
    else {
      this.writeInt32(recordsLength(v));
      this.appendRecords(v);
    }
  }

  writeCompactRecords(v: Buffer | readonly Buffer[] | null): void {
    if (v === null) this.writeUnsignedVarint(0);
    else {
      this.writeUnsignedVarint(recordsLength(v) + 1);
      this.appendRecords(v);
    }
  }

  private appendRecords(v: Buffer | readonly Buffer[]): void {
    if (Buffer.isBuffer(v)) this.appendChunk(v);
    else for (const chunk of v) this.appendChunk(chunk);
  }

  /** An array length, -1 for null. */
  writeArrayLength(n: number): void {
    this.writeInt32(n);
  }

  /** A compact array length (n + 1), -1 for null. */
  writeCompactArrayLength(n: number): void {
    this.writeUnsignedVarint(n + 1);
  }

  /** Copies `v` in. */
  writeRaw(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Appends `v` by reference if it is large, so its bytes are never copied; copies small ones. */
  appendChunk(v: Buffer): void {
    if (v.length <= CHUNK_COPY_MAX) {
      this.writeRaw(v);
      return;
    }
    this.closeSegment();
    this.chunks.push(v);
    this.chunkedBytes += v.length;
  }

  /** Appends everything another writer holds (used for sized tagged fields). */
  appendWriter(other: Writer): void {
    for (const chunk of other.toChunks()) this.appendChunk(chunk);
  }

  /** Reserves 4 bytes (say a frame's size prefix) and returns their position for patchInt32(). */
  reserveInt32(): number {
    this.ensure(4);
    const at = this.length;
    this.pos += 4;
    return at;
  }

  /** Writes an int32 at a position returned by reserveInt32(). */
  patchInt32(at: number, v: number): void {
    let base = 0;
    for (const chunk of this.chunks) {
      if (at < base + chunk.length) {
        chunk.writeInt32BE(v, at - base);
        return;
      }
      base += chunk.length;
    }
    if (at < base || at + 4 > this.length) throw new RangeError(`no reserved int32 at ${at}`);
    this.buf.writeInt32BE(v, this.start + at - base);
  }

  /** The bytes written so far as chunks (a fresh array); the writer may continue afterwards. */
  toChunks(): Buffer[] {
    this.closeSegment();
    return this.chunks.slice();
  }

  /** The bytes written so far as one buffer; copies only when there is more than one chunk. */
  toBuffer(): Buffer {
    this.closeSegment();
    if (this.chunks.length === 1) return this.chunks[0]!;
    return Buffer.concat(this.chunks, this.chunkedBytes);
  }
}

function checkStringLength(n: number): void {
  if (n > STRING_LENGTH_MAX) {
    throw new ProtocolEncodeError(`string of ${n} bytes exceeds the ${STRING_LENGTH_MAX} maximum`);
  }
}

function recordsLength(v: Buffer | readonly Buffer[]): number {
  if (Buffer.isBuffer(v)) return v.length;
  let n = 0;
  for (const chunk of v) n += chunk.length;
  return n;
}

/** Bytes an unsigned varint takes. */
export function unsignedVarintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

/** The error generated encoders throw for a non-default value the version cannot carry. */
export function unsupportedField(field: string, version: number): ProtocolEncodeError {
  return new ProtocolEncodeError(`${field} is not in v${version}, so it must hold its default`);
}

/** The error generated encoders throw for null where the version does not allow it. */
export function nonNullable(field: string, version: number): ProtocolEncodeError {
  return new ProtocolEncodeError(`${field} is not nullable in v${version}`);
}

/** The error generated encoders throw for a version outside the schema's valid range. */
export function unsupportedVersion(message: string, version: number): ProtocolEncodeError {
  return new ProtocolEncodeError(`${message} has no version ${version}`);
}
