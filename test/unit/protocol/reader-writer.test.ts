// Goal: the wire primitives encode to the exact bytes Kafka uses (varint boundaries, zigzag,
// compact and nullable lengths, UUID text form), round-trip, and reject malformed or truncated
// input with a ProtocolDecodeError rather than any other exception.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  EMPTY_BUFFER,
  ProtocolDecodeError,
  Reader,
  ZERO_UUID,
  bytesToUuid,
  randomUuid,
  uuidToBytes,
} from '../../../src/protocol/reader.js';
import { CHUNK_COPY_MAX, ProtocolEncodeError, Writer, unsignedVarintSize } from '../../../src/protocol/writer.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function encode(write: (w: Writer) => void): Buffer {
  const w = new Writer(1); // tiny, so every case also exercises growth
  write(w);
  return w.toBuffer();
}

/** Reference zigzag varlong encoder on BigInt, independent of the Writer's word arithmetic. */
function varlongRef(v: bigint): Buffer {
  let zz = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  const out: number[] = [];
  while (zz >= 0x80n) {
    out.push(Number(zz & 0x7fn) | 0x80);
    zz >>= 7n;
  }
  out.push(Number(zz));
  return Buffer.from(out);
}

test('unsigned varints use the fewest LEB128 bytes', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [16383, 'ff7f'],
    [16384, '808001'],
    [2097151, 'ffff7f'],
    [2097152, '80808001'],
    [268435455, 'ffffff7f'],
    [268435456, '8080808001'],
    [2147483647, 'ffffffff07'],
    [4294967295, 'ffffffff0f'],
  ];
  for (const [value, bytes] of cases) {
    assert.equal(encode((w) => w.writeUnsignedVarint(value)).toString('hex'), bytes, `${value}`);
    assert.equal(new Reader(hex(bytes)).readUnsignedVarint(), value);
    assert.equal(unsignedVarintSize(value), bytes.length / 2);
  }
  assert.throws(() => new Writer().writeUnsignedVarint(-1), RangeError);
});

test('zigzag varints map small negatives to small codes', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-2, '03'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [-65, '8101'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ];
  for (const [value, bytes] of cases) {
    assert.equal(encode((w) => w.writeVarint(value)).toString('hex'), bytes, `${value}`);
    assert.equal(new Reader(hex(bytes)).readVarint(), value);
  }
});

test('zigzag varlongs are exact across the safe-integer range', () => {
  const values = [
    0, -1, 1, -64, 64, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32, -(2 ** 32), 2 ** 32 + 1,
    2 ** 35, -(2 ** 35) - 1, 2 ** 52, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER,
  ];
  for (const value of values) {
    const bytes = encode((w) => w.writeVarlong(value));
    assert.deepEqual(bytes, varlongRef(BigInt(value)), `${value}`);
    assert.equal(new Reader(bytes).readVarlong(), value);
  }
  // The int64 extremes decode to the nearest number (decision 0001).
  assert.equal(new Reader(varlongRef(-(2n ** 63n))).readVarlong(), -(2 ** 63));
  assert.equal(new Reader(varlongRef(2n ** 63n - 1n)).readVarlong(), 2 ** 63);
  fc.assert(
    fc.property(fc.maxSafeInteger(), (value) => {
      const bytes = encode((w) => w.writeVarlong(value));
      assert.deepEqual(bytes, varlongRef(BigInt(value)));
      assert.equal(new Reader(bytes).readVarlong(), value);
    }),
  );
});

test('varints round-trip for every int32', () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer({ min: 0, max: 0xffffffff }), (signed, unsigned) => {
      const r = new Reader(encode((w) => (w.writeVarint(signed), w.writeUnsignedVarint(unsigned))));
      assert.equal(r.readVarint(), signed);
      assert.equal(r.readUnsignedVarint(), unsigned);
      assert.equal(r.remaining(), 0);
    }),
  );
});

test('fixed-width integers are big-endian', () => {
  const bytes = encode((w) => {
    w.writeInt8(-2);
    w.writeInt16(-2);
    w.writeUInt16(65534);
    w.writeInt32(-2);
    w.writeUInt32(4294967294);
    w.writeInt64(-2);
    w.writeFloat64(1.5);
    w.writeBoolean(true);
  });
  assert.equal(bytes.toString('hex'), 'fe' + 'fffe' + 'fffe' + 'fffffffe' + 'fffffffe' + 'fffffffffffffffe' + '3ff8000000000000' + '01');
  const r = new Reader(bytes);
  assert.deepEqual(
    [r.readInt8(), r.readInt16(), r.readUInt16(), r.readInt32(), r.readUInt32(), r.readInt64(), r.readFloat64(), r.readBoolean()],
    [-2, -2, 65534, -2, 4294967294, -2, 1.5, true],
  );
});

test('int64 round-trips every safe integer', () => {
  for (const value of [0, -1, 2 ** 32, -(2 ** 32), 2 ** 32 - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
    assert.equal(new Reader(encode((w) => w.writeInt64(value))).readInt64(), value);
  }
  fc.assert(fc.property(fc.maxSafeInteger(), (v) => new Reader(encode((w) => w.writeInt64(v))).readInt64() === v));
});

test('strings and bytes: classic, compact and nullable forms', () => {
  const cases: [string, (w: Writer) => void, (r: Reader) => unknown, unknown][] = [
    ['0003616263', (w) => w.writeString('abc'), (r) => r.readString(), 'abc'],
    ['0000', (w) => w.writeString(''), (r) => r.readString(), ''],
    ['ffff', (w) => w.writeNullableString(null), (r) => r.readNullableString(), null],
    ['04616263', (w) => w.writeCompactString('abc'), (r) => r.readCompactString(), 'abc'],
    ['01', (w) => w.writeCompactString(''), (r) => r.readCompactString(), ''],
    ['00', (w) => w.writeCompactNullableString(null), (r) => r.readCompactNullableString(), null],
    ['0003e282ac', (w) => w.writeString('€'), (r) => r.readString(), '€'],
    ['000000020102', (w) => w.writeBytes(hex('0102')), (r) => r.readBytes(), hex('0102')],
    ['ffffffff', (w) => w.writeNullableBytes(null), (r) => r.readNullableBytes(), null],
    ['030102', (w) => w.writeCompactBytes(hex('0102')), (r) => r.readCompactBytes(), hex('0102')],
    ['01', (w) => w.writeCompactBytes(EMPTY_BUFFER), (r) => r.readCompactBytes(), EMPTY_BUFFER],
    ['00', (w) => w.writeCompactNullableBytes(null), (r) => r.readCompactNullableBytes(), null],
    ['ffffffff', (w) => w.writeRecords(null), (r) => r.readNullableBytes(), null],
    ['00000003010203', (w) => w.writeRecords([hex('01'), hex('0203')]), (r) => r.readNullableBytes(), hex('010203')],
    ['0501020304', (w) => w.writeCompactRecords(hex('01020304')), (r) => r.readCompactNullableBytes(), hex('01020304')],
  ];
  for (const [bytes, write, read, value] of cases) {
    assert.equal(encode(write).toString('hex'), bytes, bytes);
    const r = new Reader(hex(bytes));
    assert.deepEqual(read(r), value, bytes);
    assert.equal(r.remaining(), 0);
  }
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
      const r = new Reader(encode((w) => (w.writeString(s), w.writeCompactString(s))));
      return r.readString() === s && r.readCompactString() === s;
    }),
  );
});

test('bytes are read as views of the input, not copies', () => {
  const input = hex('00000002aabb');
  const bytes = new Reader(input).readBytes();
  input[4] = 0xcc;
  assert.equal(bytes[0], 0xcc);
});

test('strings longer than an int16 length are refused', () => {
  assert.throws(() => new Writer().writeString('x'.repeat(0x8000)), ProtocolEncodeError);
  assert.throws(() => new Writer().writeCompactString('x'.repeat(0x8000)), ProtocolEncodeError);
  const w = new Writer();
  w.writeUnsignedVarint(0x8000 + 1);
  w.writeRaw(Buffer.alloc(0x8000));
  assert.throws(() => new Reader(w.toBuffer()).readCompactString(), ProtocolDecodeError);
});

test('UUIDs use URL-safe base64 without padding', () => {
  assert.equal(bytesToUuid(Buffer.alloc(16)), ZERO_UUID);
  assert.deepEqual(uuidToBytes(ZERO_UUID), Buffer.alloc(16));
  const bytes = hex('fbffbf00112233445566778899aabbff');
  const uuid = bytesToUuid(bytes);
  assert.equal(uuid, '-_-_ABEiM0RVZneImaq7_w');
  assert.deepEqual(uuidToBytes(uuid), bytes);
  const encoded = encode((w) => w.writeUuid(uuid));
  assert.deepEqual(encoded, bytes);
  assert.equal(new Reader(encoded).readUuid(), uuid);
  assert.throws(() => uuidToBytes('short'), TypeError);
  assert.throws(() => new Writer().writeUuid('not a uuid at all!!!!!'), ProtocolEncodeError);
  assert.throws(() => new Writer().writeUuid('AAAA'), ProtocolEncodeError);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (raw) => {
      const id = bytesToUuid(raw);
      return id.length === 22 && uuidToBytes(id).equals(raw) && new Reader(encode((w) => w.writeUuid(id))).readUuid() === id;
    }),
  );
});

test('random UUIDs are version 4 and never start with a dash', () => {
  // A fill that first yields bytes whose text starts with '-', then ordinary ones.
  let calls = 0;
  const fill = (b: Buffer): void => {
    b.fill(calls++ === 0 ? 0xf8 : 0x11);
  };
  const uuid = randomUuid(fill);
  assert.equal(calls, 2);
  assert.notEqual(uuid[0], '-');
  for (let i = 0; i < 200; i++) {
    const id = randomUuid();
    const b = uuidToBytes(id);
    assert.notEqual(id[0], '-');
    assert.equal(b[6]! >> 4, 4);
    assert.equal(b[8]! >> 6, 2);
  }
});

test('malformed and truncated input raise ProtocolDecodeError', () => {
  const cases: [string, (r: Reader) => unknown][] = [
    ['', (r) => r.readInt8()],
    ['00', (r) => r.readInt16()],
    ['000000', (r) => r.readInt32()],
    ['00000000000000', (r) => r.readInt64()],
    ['00', (r) => r.readFloat64()],
    ['', (r) => r.readBoolean()],
    ['80', (r) => r.readUnsignedVarint()],
    ['8080808080', (r) => r.readUnsignedVarint()], // truncated after 5 continuation bytes
    ['808080808001', (r) => r.readUnsignedVarint()], // 6 bytes: too long
    ['ffffffffffffffffff', (r) => r.readVarlong()], // truncated
    ['ffffffffffffffffffff01', (r) => r.readVarlong()], // 11 bytes: too long
    ['00112233', (r) => r.readUuid()],
    ['ffff', (r) => r.readString()], // null where not nullable
    ['fffe', (r) => r.readNullableString()], // -2
    ['000561', (r) => r.readString()], // length past the end
    ['00', (r) => r.readCompactString()], // null where not nullable
    ['0561', (r) => r.readCompactNullableString()],
    ['ffffffff', (r) => r.readBytes()],
    ['fffffffe', (r) => r.readNullableBytes()],
    ['0000000501', (r) => r.readNullableBytes()],
    ['00', (r) => r.readCompactBytes()],
    ['0501', (r) => r.readCompactNullableBytes()],
    ['fffffffe', (r) => r.readArrayLength()],
    ['00000002', (r) => r.readArrayLength()], // more elements than bytes left
    ['05', (r) => r.readCompactArrayLength()],
    ['ffffffff0f', (r) => r.readCompactArrayLength()],
    ['0101', (r) => r.skipTaggedFields()], // one field, its tag, then no size
    ['01000501', (r) => r.skipTaggedFields()], // size past the end
    ['0102', (r) => r.skip(3)],
    ['', (r) => r.skip(-1)],
  ];
  for (const [bytes, read] of cases) {
    assert.throws(() => read(new Reader(hex(bytes))), ProtocolDecodeError, bytes);
  }
  assert.equal(new Reader(hex('ffffffff')).readArrayLength(), -1);
  assert.equal(new Reader(hex('00')).readCompactArrayLength(), -1);
  const err = (() => {
    try {
      new Reader(hex('0005'), 0).readString();
    } catch (e) {
      return e as ProtocolDecodeError;
    }
    return undefined;
  })();
  assert.ok(err instanceof ProtocolDecodeError);
  assert.equal(err.code, 'ERR_PROTOCOL_DECODE');
  assert.match(err.message, /offset 2/);
});

test('reading starts at the given offset and tracks what is left', () => {
  const r = new Reader(hex('ff0001'), 1);
  assert.equal(r.remaining(), 2);
  assert.equal(r.readInt16(), 1);
  assert.equal(r.offset, 3);
});

test('the writer grows, chunks large buffers by reference and patches reserved ints', () => {
  const w = new Writer(4);
  const at = w.reserveInt32();
  w.writeInt32(7);
  const small = hex('0102');
  const large = Buffer.alloc(CHUNK_COPY_MAX + 1, 9);
  w.appendChunk(small);
  w.appendChunk(large);
  w.writeInt16(3);
  w.writeRaw(Buffer.alloc(100, 1)); // forces growth past the chunk
  w.patchInt32(at, w.length - 4);
  assert.equal(w.length, 4 + 4 + 2 + large.length + 2 + 100);
  const chunks = w.toChunks();
  assert.ok(chunks.includes(large), 'large buffer kept by reference');
  assert.ok(!chunks.includes(small), 'small buffer copied');
  const all = w.toBuffer();
  assert.equal(all.length, w.length);
  assert.equal(all.readInt32BE(0), w.length - 4);
  assert.equal(all.readInt32BE(4), 7);
  assert.deepEqual(all.subarray(10, 10 + large.length), large);

  // Patching works whether the reserved bytes still sit in the current buffer or in a closed chunk.
  const v = new Writer(64);
  v.writeInt8(1);
  const mid = v.reserveInt32();
  v.patchInt32(mid, 0x01020304);
  assert.equal(v.toBuffer().toString('hex'), '0101020304');
  assert.throws(() => v.patchInt32(3, 0), RangeError);

  assert.equal(new Writer().toBuffer().length, 0);
  assert.deepEqual(new Writer().toChunks(), []);
});

test('a writer appends another writer', () => {
  const inner = new Writer(2);
  inner.writeInt32(1);
  inner.appendChunk(Buffer.alloc(CHUNK_COPY_MAX + 5, 2));
  const outer = new Writer();
  outer.writeInt8(0);
  outer.appendWriter(inner);
  assert.equal(outer.length, 1 + 4 + CHUNK_COPY_MAX + 5);
  assert.equal(outer.toBuffer().readInt32BE(1), 1);
});

test('out-of-range integers are refused', () => {
  assert.throws(() => new Writer().writeInt8(128), RangeError);
  assert.throws(() => new Writer().writeInt16(40000), RangeError);
  assert.throws(() => new Writer().writeInt32(2 ** 31), RangeError);
  assert.throws(() => new Writer().writeUInt16(-1), RangeError);
});
