// Goal: every codec round-trips; snappy reads both the xerial framing the Java client writes (built
// here by hand from the format) and the raw blocks librdkafka writes, and writes xerial; LZ4 writes
// the frame flags Kafka's Java reader requires; every codec refuses output past the limit
// (MESSAGE_TOO_LARGE) and garbage (CORRUPT_MESSAGE) without crashing.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { compressSync as snappyRawCompress } from 'snappy';
import { ErrorCode, KafkaError } from '../../../src/protocol/errors.js';
import {
  CompressionCodec,
  type CompressionCodecValue,
  compress,
  decompress,
} from '../../../src/protocol/records/compression.js';

const codecs: Array<[string, CompressionCodecValue]> = [
  ['gzip', CompressionCodec.GZIP],
  ['snappy', CompressionCodec.SNAPPY],
  ['lz4', CompressionCodec.LZ4],
  ['zstd', CompressionCodec.ZSTD],
];

/** Compressible but not trivial: a repeating text with a counter in it. */
function sample(bytes: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; parts.join('').length < bytes; i++) parts.push(`record-${i}-${'abcdefgh'.repeat(i % 7)};`);
  return Buffer.from(parts.join('').slice(0, bytes));
}

function expectKafkaError(fn: () => unknown, code: number): void {
  assert.throws(fn, (err: unknown) => err instanceof KafkaError && err.code === code);
}

const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];

/** xerial framing per snappy-java: magic, int32 version 1, int32 compatible version 1, then [int32 length][raw block]... */
function xerialFrame(blocks: Buffer[]): Buffer {
  const header = Buffer.alloc(16);
  Buffer.from(XERIAL_MAGIC).copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  const parts: Buffer[] = [header];
  for (const block of blocks) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

describe('compression round trips', () => {
  for (const [name, codec] of codecs) {
    for (const size of [0, 1, 100, 70_000, 300_000]) {
      it(`${name}: ${size} bytes`, () => {
        const data = sample(size);
        const packed = compress(codec, data);
        assert.ok(decompress(codec, packed).equals(data));
      });
    }
  }

  it('none passes bytes through', () => {
    const data = sample(50);
    assert.equal(compress(CompressionCodec.NONE, data), data);
    assert.equal(decompress(CompressionCodec.NONE, data), data);
  });
});

describe('snappy formats', () => {
  it('writes xerial framing with 32 KiB blocks', () => {
    const packed = compress(CompressionCodec.SNAPPY, sample(70_000));
    assert.deepEqual([...packed.subarray(0, 8)], XERIAL_MAGIC);
    assert.equal(packed.readInt32BE(8), 1);
    assert.equal(packed.readInt32BE(12), 1);
    let blocks = 0;
    for (let pos = 16; pos < packed.length; blocks++) pos += 4 + packed.readInt32BE(pos);
    assert.equal(blocks, 3); // 32 KiB + 32 KiB + the rest
  });

  it('reads a hand-built xerial frame of several blocks', () => {
    const parts = [sample(1000), Buffer.from('second block'), sample(40_000)];
    const framed = xerialFrame(parts.map((part) => snappyRawCompress(part)));
    assert.ok(decompress(CompressionCodec.SNAPPY, framed).equals(Buffer.concat(parts)));
  });

  it('reads a xerial frame with no blocks as empty', () => {
    assert.equal(decompress(CompressionCodec.SNAPPY, xerialFrame([])).length, 0);
  });

  it('reads a raw snappy block, as librdkafka sends it', () => {
    const data = sample(5000);
    assert.ok(decompress(CompressionCodec.SNAPPY, snappyRawCompress(data)).equals(data));
  });

  it('refuses a xerial block that overruns the input', () => {
    const framed = xerialFrame([snappyRawCompress(sample(100))]);
    expectKafkaError(() => decompress(CompressionCodec.SNAPPY, framed.subarray(0, framed.length - 3)), 2);
  });
});

describe('lz4 frame format', () => {
  it('writes frame version 1 with independent blocks, as Kafka requires', () => {
    const packed = compress(CompressionCodec.LZ4, sample(1000));
    assert.equal(packed.readUInt32LE(0), 0x184d2204);
    const flg = packed[4]!;
    assert.equal(flg >> 6, 1, 'version 1');
    assert.ok(flg & 0x20, 'block independence');
  });
});

describe('decompression limits', () => {
  const big = Buffer.alloc(1 << 20, 0x61); // 1 MiB of one byte: every codec shrinks it a lot
  for (const [name, codec] of codecs) {
    it(`${name}: output past the limit is MESSAGE_TOO_LARGE`, () => {
      const packed = compress(codec, big);
      assert.ok(packed.length < 100_000, `${name} packed to ${packed.length}`);
      expectKafkaError(() => decompress(codec, packed, 64 * 1024), ErrorCode.MESSAGE_TOO_LARGE);
      assert.equal(decompress(codec, packed, big.length).length, big.length);
    });
  }

  it('snappy raw: refuses on the length preamble alone', () => {
    // A preamble claiming 1 GiB followed by nothing: refused before anything is allocated.
    const preamble = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x04]);
    expectKafkaError(() => decompress(CompressionCodec.SNAPPY, preamble, 1 << 20), ErrorCode.MESSAGE_TOO_LARGE);
  });

  it('uncompressed input past the limit is MESSAGE_TOO_LARGE too', () => {
    expectKafkaError(() => decompress(CompressionCodec.NONE, Buffer.alloc(10), 5), ErrorCode.MESSAGE_TOO_LARGE);
  });
});

describe('malformed input', () => {
  const garbage = Buffer.from('this is not compressed data at all, not even a little');
  for (const [name, codec] of codecs) {
    it(`${name}: garbage is CORRUPT_MESSAGE`, () => {
      expectKafkaError(() => decompress(codec, garbage), ErrorCode.CORRUPT_MESSAGE);
    });
    it(`${name}: a truncated stream is CORRUPT_MESSAGE`, () => {
      const packed = compress(codec, sample(10_000));
      expectKafkaError(() => decompress(codec, packed.subarray(0, packed.length >> 1)), ErrorCode.CORRUPT_MESSAGE);
    });
    it(`${name}: empty input is CORRUPT_MESSAGE`, () => {
      expectKafkaError(() => decompress(codec, Buffer.alloc(0)), ErrorCode.CORRUPT_MESSAGE);
    });
  }

  it('gzip: reads concatenated members, as zlib streams allow', () => {
    const joined = Buffer.concat([gzipSync(Buffer.from('one,')), gzipSync(Buffer.from('two'))]);
    assert.equal(decompress(CompressionCodec.GZIP, joined).toString(), 'one,two');
  });
});
