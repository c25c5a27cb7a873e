// Reader: decodes Kafka's wire primitives from a Buffer, front to back. It owns bounds checking:
// every read verifies the bytes exist and that lengths and varints are well formed, and throws a
// ProtocolDecodeError otherwise, so a malformed or truncated frame from a client becomes a logged,
// closed connection instead of a crash. Byte fields come back as subarrays of the input (no copy),
// which keeps the request buffer alive as long as they are referenced.
//
// Also here: Kafka's UUID text form (URL-safe base64 of the 16 bytes, no padding, 22 chars), since
// both the Reader and the Writer speak it.

import { randomFillSync } from 'node:crypto';

/** A frame or field that cannot be decoded: truncated, a bad length, an over-long varint. */
export class ProtocolDecodeError extends Error {
  override name = 'ProtocolDecodeError';
  readonly code = 'ERR_PROTOCOL_DECODE';
}

/** The largest string a Kafka string field may hold (its length is an int16). */
export const STRING_LENGTH_MAX = 0x7fff;

/** Shared zero-length buffer for bytes fields that default to empty. Never write into it. */
export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);

export class Reader {
  buf: Buffer;
  offset: number;

  constructor(buf: Buffer, offset = 0) {
    this.buf = buf;
    this.offset = offset;
  }

  remaining(): number {
    return this.buf.length - this.offset;
  }

  /** Advances past `n` bytes and returns where they start. */
  private take(n: number): number {
    const at = this.offset;
    if (at + n > this.buf.length) {
      throw new ProtocolDecodeError(
        `truncated input: need ${n} bytes at offset ${at}, have ${this.buf.length - at}`,
      );
    }
    this.offset = at + n;
    return at;
  }

  skip(n: number): void {
    if (n < 0) throw new ProtocolDecodeError(`cannot skip ${n} bytes at offset ${this.offset}`);
    this.take(n);
  }

  readInt8(): number {
    const at = this.take(1);
    return (this.buf[at]! << 24) >> 24;
  }

  readInt16(): number {
    const at = this.take(2);
    const b = this.buf;
    return ((b[at]! << 24) | (b[at + 1]! << 16)) >> 16;
  }

  readUInt16(): number {
    const at = this.take(2);
    const b = this.buf;
    return (b[at]! << 8) | b[at + 1]!;
  }

  readInt32(): number {
    const at = this.take(4);
    const b = this.buf;
    return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
  }

  readUInt32(): number {
    return this.readInt32() >>> 0;
  }

  /** int64 as a JS number: exact up to 2^53 (docs/decisions/0001-int64-as-number.md). */
  readInt64(): number {
    const at = this.take(8);
    return this.buf.readInt32BE(at) * 4294967296 + this.buf.readUInt32BE(at + 4);
  }

  readFloat64(): number {
    return this.buf.readDoubleBE(this.take(8));
  }

  readBoolean(): boolean {
    return this.buf[this.take(1)] !== 0;
  }

  /** Unsigned LEB128, at most 5 bytes, as Kafka's ByteUtils.readUnsignedVarint. */
  readUnsignedVarint(): number {
    const b = this.buf;
    let at = this.offset;
    let value = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      if (at >= b.length) throw this.truncatedVarint();
      const byte = b[at++]!;
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.offset = at;
        return value >>> 0;
      }
    }
    throw new ProtocolDecodeError(`varint longer than 5 bytes at offset ${this.offset}`);
  }

  /** Zigzag-encoded int32. */
  readVarint(): number {
    const raw = this.readUnsignedVarint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /**
   * Zigzag-encoded int64 as a number. The low 28 bits are gathered with bit operations and the
   * rest as a float, so every value within ±2^53 decodes exactly.
   */
  readVarlong(): number {
    const b = this.buf;
    let at = this.offset;
    let low = 0;
    let high = 0;
    for (let i = 0; i < 10; i++) {
      if (at >= b.length) throw this.truncatedVarint();
      const byte = b[at++]!;
      if (i < 4) low |= (byte & 0x7f) << (7 * i);
      else high += (byte & 0x7f) * 2 ** (7 * i - 28);
      if (byte < 0x80) {
        this.offset = at;
        const half = high * 2 ** 27 + (low >>> 1);
        return (low & 1) === 0 ? half : -half - 1;
      }
    }
    throw new ProtocolDecodeError(`varlong longer than 10 bytes at offset ${this.offset}`);
  }

  private truncatedVarint(): ProtocolDecodeError {
    return new ProtocolDecodeError(`truncated varint at offset ${this.offset}`);
  }

  readUuid(): string {
    const at = this.take(16);
    return this.buf.toString('base64url', at, at + 16);
  }

  readString(): string {
    const n = this.readInt16();
    if (n < 0) throw this.badLength('string', n);
    return this.utf8(n);
  }

  readNullableString(): string | null {
    const n = this.readInt16();
    if (n === -1) return null;
    if (n < 0) throw this.badLength('string', n);
    return this.utf8(n);
  }

  readCompactString(): string {
    const n = this.readUnsignedVarint() - 1;
    if (n < 0) throw this.badLength('compact string', n);
    return this.utf8(n);
  }

  readCompactNullableString(): string | null {
    const n = this.readUnsignedVarint() - 1;
    return n < 0 ? null : this.utf8(n);
  }

  private utf8(n: number): string {
    if (n > STRING_LENGTH_MAX) throw this.badLength('string', n);
    const at = this.take(n);
    return this.buf.toString('utf8', at, at + n);
  }

  readBytes(): Buffer {
    const n = this.readInt32();
    if (n < 0) throw this.badLength('bytes', n);
    return this.slice(n);
  }

  readNullableBytes(): Buffer | null {
    const n = this.readInt32();
    if (n === -1) return null;
    if (n < 0) throw this.badLength('bytes', n);
    return this.slice(n);
  }

  readCompactBytes(): Buffer {
    const n = this.readUnsignedVarint() - 1;
    if (n < 0) throw this.badLength('compact bytes', n);
    return this.slice(n);
  }

  readCompactNullableBytes(): Buffer | null {
    const n = this.readUnsignedVarint() - 1;
    return n < 0 ? null : this.slice(n);
  }

  private slice(n: number): Buffer {
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }

  /**
   * An int32 array length; -1 means null. A length above the bytes left is rejected before any
   * allocation, as every element takes at least one byte (Kafka's generated code checks the same).
   */
  readArrayLength(): number {
    const n = this.readInt32();
    if (n < -1) throw this.badLength('array', n);
    return this.checkCount(n);
  }

  /** A compact (uvarint length + 1) array length; -1 means null. */
  readCompactArrayLength(): number {
    return this.checkCount(this.readUnsignedVarint() - 1);
  }

  private checkCount(n: number): number {
    if (n > this.buf.length - this.offset) {
      throw new ProtocolDecodeError(
        `array of ${n} elements at offset ${this.offset} exceeds the ${this.remaining()} bytes left`,
      );
    }
    return n;
  }

  /** Skips a whole tagged-field section (count, then tag, size and data per field). */
  skipTaggedFields(): void {
    const count = this.readUnsignedVarint();
    for (let i = 0; i < count; i++) {
      this.readUnsignedVarint();
      this.skip(this.readUnsignedVarint());
    }
  }

  /** Called after decoding a known tagged field: its declared size must match what was read. */
  endTaggedField(tag: number, end: number): void {
    if (this.offset !== end) {
      throw new ProtocolDecodeError(
        `tagged field ${tag} ended at offset ${this.offset}, its size says ${end}`,
      );
    }
  }

  private badLength(what: string, n: number): ProtocolDecodeError {
    return new ProtocolDecodeError(`invalid ${what} length ${n} at offset ${this.offset}`);
  }
}

// ---- UUIDs ----

/** The all-zero UUID, Kafka's "no id". */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export function uuidToBytes(uuid: string): Buffer {
  const bytes = Buffer.from(uuid, 'base64url');
  if (uuid.length !== 22 || bytes.length !== 16) throw new TypeError(`invalid uuid "${uuid}"`);
  return bytes;
}

export function bytesToUuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new TypeError(`a uuid has 16 bytes, got ${bytes.length}`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, 16).toString('base64url');
}

/**
 * A random version-4 UUID in Kafka's text form. Like Kafka's Uuid.randomUuid it never returns one
 * whose text starts with '-' (it would read as a command-line flag) nor the reserved zero and one
 * ids (the version bits exclude those). `fill` supplies the randomness; simulations pass a seeded one.
 */
export function randomUuid(fill: (bytes: Buffer) => void = randomFillSync): string {
  const bytes = Buffer.alloc(16);
  for (;;) {
    fill(bytes);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const uuid = bytes.toString('base64url');
    if (uuid[0] !== '-') return uuid;
  }
}
