// LZ4 as Kafka carries it in magic 2 batches: the standard LZ4 *frame* format (KIP-57 fixed the
// header checksum that magic 0 got wrong; magic 2 never had the bug). Kafka's Java reader
// (KafkaLZ4BlockInputStream) accepts only frame version 1 with independent blocks, so what Tideline
// writes must set the block-independence flag: lz4-napi's frame encoder (lz4_flex) does by default,
// with 64 KiB blocks and no checksums, which the Java client, librdkafka and kafkajs' LZ4 codecs read.
//
// lz4-napi decompresses a frame in one call with no output limit, so before calling it this file
// walks the frame's block headers (cheap: no decoding) and bounds the output: a frame's content
// size field when present, otherwise blocks × the frame's block maximum. Encoders fill every block
// but the last, so a frame whose bound exceeds the limit by a whole block or more is refused
// before inflating; the exact size is checked again after.

import { OutputLimitError } from './output-limit.js';
import { loadOnUse } from './load-on-use.js';

const lz4 = loadOnUse<typeof import('lz4-napi')>('lz4-napi');

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const FLG_VERSION_SHIFT = 6;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_DICT_ID = 0x01;
const BLOCK_UNCOMPRESSED_BIT = 0x80000000;
const BLOCK_SIZE_MAX_BY_CODE: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };

export function lz4CompressFrame(data: Buffer): Buffer {
  return lz4().compressFrameSync(data);
}

/** Decompresses LZ4 frame data; throws RangeError on malformed frames, OutputLimitError past the limit. */
export function lz4DecompressFrame(data: Buffer, outputBytesMax: number): Buffer {
  const bound = outputBound(data);
  if (bound.bytes > outputBytesMax + bound.blockSizeMax) {
    throw new OutputLimitError('lz4', outputBytesMax);
  }
  const output = lz4().decompressFrameSync(data);
  if (output.length > outputBytesMax) {
    throw new OutputLimitError('lz4', outputBytesMax);
  }
  return output;
}

interface Bound {
  bytes: number;
  blockSizeMax: number;
}

/** Upper bound on the decompressed size of the concatenated frames in `data`. */
function outputBound(data: Buffer): Bound {
  if (data.length === 0) throw new RangeError('empty lz4 input: no frame');
  const bound: Bound = { bytes: 0, blockSizeMax: 0 };
  let pos = 0;
  while (pos < data.length) {
    need(data, pos, 4);
    const magic = data.readUInt32LE(pos);
    if (((magic & SKIPPABLE_MAGIC_MASK) >>> 0) === SKIPPABLE_MAGIC) {
      need(data, pos, 8);
      pos += 8 + data.readUInt32LE(pos + 4);
      continue;
    }
    if (magic !== FRAME_MAGIC) throw new RangeError(`not an lz4 frame at ${pos}`);
    pos = frameBound(data, pos + 4, bound);
  }
  if (pos > data.length) throw new RangeError('truncated lz4 frame');
  return bound;
}

/** Adds one frame's bound (header at `pos`, after the magic) and returns the frame's end. */
function frameBound(data: Buffer, pos: number, bound: Bound): number {
  need(data, pos, 2);
  const flg = data[pos]!;
  const blockSizeMax = BLOCK_SIZE_MAX_BY_CODE[(data[pos + 1]! >> 4) & 0x07];
  if (flg >> FLG_VERSION_SHIFT !== 1 || blockSizeMax === undefined) {
    throw new RangeError(`unsupported lz4 frame descriptor at ${pos}`);
  }
  pos += 2;
  let contentSize = -1;
  if (flg & FLG_CONTENT_SIZE) {
    need(data, pos, 8);
    contentSize = data.readUInt32LE(pos) + data.readUInt32LE(pos + 4) * 4294967296;
    pos += 8;
  }
  if (flg & FLG_DICT_ID) pos += 4;
  pos += 1; // header checksum, verified by the decoder
  let blocks = 0;
  for (;;) {
    need(data, pos, 4);
    const header = data.readUInt32LE(pos);
    pos += 4;
    if (header === 0) break; // end mark
    pos += ((header & ~BLOCK_UNCOMPRESSED_BIT) >>> 0) + (flg & FLG_BLOCK_CHECKSUM ? 4 : 0);
    blocks++;
  }
  if (flg & FLG_CONTENT_CHECKSUM) pos += 4;
  bound.bytes += contentSize >= 0 ? contentSize : blocks * blockSizeMax;
  bound.blockSizeMax = Math.max(bound.blockSizeMax, blockSizeMax);
  return pos;
}

function need(data: Buffer, pos: number, bytes: number): void {
  if (pos + bytes > data.length) throw new RangeError(`truncated lz4 frame at ${pos}`);
}
