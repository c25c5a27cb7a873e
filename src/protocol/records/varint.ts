// Zigzag varints as the RecordBatch v2 record format uses them (protobuf-style: 7 bits per byte,
// high bit = more follows, the sign folded into the low bit). Kept apart from the request
// reader/writer so records depend on nothing but Buffer. A varint carries an int32 (at most 5
// bytes); a varlong an int64 (at most 10 bytes), which Tideline holds as a JS number exact to
// 2^53 (docs/decisions/0001-int64-as-number.md). Readers advance a caller-owned cursor and throw
// a RangeError on truncated or over-long input; decoders turn that into a Kafka outcome.

/** A read position that the read functions advance. */
export interface Cursor {
  pos: number;
}

const VARINT_BYTES_MAX = 5;
const VARLONG_BYTES_MAX = 10;
const TWO_POW_31 = 2147483648;

/** Reads a zigzag varint (int32) at `cursor.pos` and advances past it. */
export function readVarint(buf: Buffer, cursor: Cursor): number {
  let pos = cursor.pos;
  let raw = 0;
  let shift = 0;
  for (let i = 0; i < VARINT_BYTES_MAX; i++) {
    if (pos >= buf.length) throw new RangeError(`truncated varint at ${cursor.pos}`);
    const byte = buf[pos++]!;
    raw |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) {
      cursor.pos = pos;
      return (raw >>> 1) ^ -(raw & 1);
    }
    shift += 7;
  }
  throw new RangeError(`varint longer than ${VARINT_BYTES_MAX} bytes at ${cursor.pos}`);
}

/** Reads a zigzag varlong (int64, exact within ±2^53) at `cursor.pos` and advances past it. */
export function readVarlong(buf: Buffer, cursor: Cursor): number {
  let pos = cursor.pos;
  let raw = 0; // the unsigned zigzag value, built with multiplication to pass 32 bits
  let scale = 1;
  for (let i = 0; i < VARLONG_BYTES_MAX; i++) {
    if (pos >= buf.length) throw new RangeError(`truncated varlong at ${cursor.pos}`);
    const byte = buf[pos++]!;
    raw += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      cursor.pos = pos;
      // zigzag: even raw → raw/2, odd raw → -(raw+1)/2. `% 2` stays exact for raw < 2^53.
      return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    }
    scale *= 128;
  }
  throw new RangeError(`varlong longer than ${VARLONG_BYTES_MAX} bytes at ${cursor.pos}`);
}

function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Bytes that `writeVarint`/`writeVarlong` need for `value`. */
export function sizeOfVarlong(value: number): number {
  let raw = zigzag(value);
  let size = 1;
  while (raw >= 128) {
    raw = Math.floor(raw / 128);
    size++;
  }
  return size;
}

/** Bytes for an int32 varint; the same encoding as a varlong of the same value. */
export function sizeOfVarint(value: number): number {
  return sizeOfVarlong(value);
}

/** Writes `value` (int32) as a zigzag varint at `pos`; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, value: number): number {
  if (value < -TWO_POW_31 || value >= TWO_POW_31 || !Number.isInteger(value)) {
    throw new RangeError(`varint out of int32 range: ${value}`);
  }
  let raw = ((value << 1) ^ (value >> 31)) >>> 0;
  while (raw >= 0x80) {
    buf[pos++] = (raw & 0x7f) | 0x80;
    raw >>>= 7;
  }
  buf[pos++] = raw;
  return pos;
}

/** Writes `value` (a safe integer) as a zigzag varlong at `pos`; returns the position after it. */
export function writeVarlong(buf: Buffer, pos: number, value: number): number {
  if (!Number.isSafeInteger(value) || Math.abs(value) >= 2 ** 52) {
    throw new RangeError(`varlong out of exact range: ${value}`);
  }
  let raw = zigzag(value);
  while (raw >= 128) {
    buf[pos++] = (raw % 128) | 0x80;
    raw = Math.floor(raw / 128);
  }
  buf[pos++] = raw;
  return pos;
}
