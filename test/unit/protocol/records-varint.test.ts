// Goal: the record format's zigzag varints encode the bytes Kafka's spec gives for known values,
// round-trip across the int32 and safe-int64 ranges, and refuse truncated or over-long input.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  readVarint,
  readVarlong,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
} from '../../../src/protocol/records/varint.js';

function encodeVarint(value: number): Buffer {
  const buf = Buffer.alloc(5);
  return buf.subarray(0, writeVarint(buf, 0, value));
}

function encodeVarlong(value: number): Buffer {
  const buf = Buffer.alloc(10);
  return buf.subarray(0, writeVarlong(buf, 0, value));
}

describe('varint', () => {
  // zigzag: 0→0, -1→1, 1→2, -2→3, 63→126, -64→127, 64→128 (two bytes)
  const known: Array<[number, string]> = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-2, '03'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [300, 'd804'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ];
  for (const [value, hex] of known) {
    it(`encodes ${value} as ${hex}`, () => {
      assert.equal(encodeVarint(value).toString('hex'), hex);
      assert.equal(encodeVarlong(value).toString('hex'), hex);
      assert.equal(sizeOfVarint(value), hex.length / 2);
      assert.equal(readVarint(Buffer.from(hex, 'hex'), { pos: 0 }), value);
      assert.equal(readVarlong(Buffer.from(hex, 'hex'), { pos: 0 }), value);
    });
  }

  it('round-trips every int32', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), (value) => {
        const bytes = encodeVarint(value);
        const cursor = { pos: 0 };
        assert.equal(readVarint(bytes, cursor), value);
        assert.equal(cursor.pos, bytes.length);
        assert.equal(sizeOfVarint(value), bytes.length);
      }),
    );
  });

  it('round-trips varlongs up to 2^52', () => {
    const range = 2 ** 52 - 1;
    fc.assert(
      fc.property(fc.integer({ min: -range, max: range }), fc.nat(40), (value, shift) => {
        const scaled = Math.trunc(value / 2 ** shift) + 0; // + 0 turns -0 into 0
        const bytes = encodeVarlong(scaled);
        const cursor = { pos: 0 };
        assert.equal(readVarlong(bytes, cursor), scaled);
        assert.equal(cursor.pos, bytes.length);
        assert.equal(sizeOfVarlong(scaled), bytes.length);
      }),
    );
    // a millisecond timestamp as a delta from 0
    assert.equal(readVarlong(encodeVarlong(1_700_000_000_000), { pos: 0 }), 1_700_000_000_000);
    assert.equal(readVarlong(encodeVarlong(-1_700_000_000_000), { pos: 0 }), -1_700_000_000_000);
  });

  it('refuses truncated and over-long input', () => {
    assert.throws(() => readVarint(Buffer.from('80', 'hex'), { pos: 0 }), RangeError);
    assert.throws(() => readVarint(Buffer.from('8080808080', 'hex'), { pos: 0 }), RangeError);
    assert.throws(() => readVarlong(Buffer.from('80808080808080808080', 'hex'), { pos: 0 }), RangeError);
    assert.throws(() => readVarint(Buffer.alloc(0), { pos: 0 }), RangeError);
  });

  it('refuses values it cannot write exactly', () => {
    assert.throws(() => writeVarint(Buffer.alloc(5), 0, 2 ** 31), RangeError);
    assert.throws(() => writeVarint(Buffer.alloc(5), 0, 1.5), RangeError);
    assert.throws(() => writeVarlong(Buffer.alloc(10), 0, 2 ** 53), RangeError);
  });
});
