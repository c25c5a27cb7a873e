// Snappy as Kafka clients put it on the wire. Two forms exist:
// - xerial framing, which the Java client writes (snappy-java's SnappyOutputStream): the 8-byte
//   magic 0x82 "SNAPPY" 0x00, an int32 version (1) and an int32 minimum-compatible version (1),
//   then blocks of [int32 big-endian compressed length][raw snappy block];
// - one raw snappy block, which librdkafka and kafkajs-snappy write.
// Decompression accepts both, telling them apart by the magic as every client does. A raw block
// cannot begin with them: 0x82 0x53 would be its length preamble, and the next byte, 'N' (0x4e),
// would be a copy tag, and a block cannot open with a copy since nothing precedes it to copy.
//
// Tideline writes xerial framing with 32 KiB blocks, the Java client's format and what a Kafka
// broker writes when it recompresses. All three consumers we must serve read it: the Java client
// natively, librdkafka (which detects the Java framing and decodes it block by block),
// and kafkajs-snappy (which checks for the magic before falling back to raw).
//
// Every block's uncompressed size is read from its length preamble before anything is inflated,
// so an output limit is enforced without allocating past it.

import { OutputLimitError } from './output-limit.js';
import { loadOnUse } from './load-on-use.js';

const snappy = loadOnUse<typeof import('snappy')>('snappy');

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16; // magic + version + minimum compatible version
const XERIAL_VERSION = 1;
const XERIAL_MIN_COMPATIBLE_VERSION = 1;
/** Input bytes per xerial block, snappy-java's default. */
export const XERIAL_BLOCK_BYTES = 32 * 1024;

export function isXerialFramed(data: Buffer): boolean {
  return data.length >= XERIAL_MAGIC.length && data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

/** Compresses into xerial framing. */
export function snappyCompressXerial(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(XERIAL_VERSION, 8);
  header.writeInt32BE(XERIAL_MIN_COMPATIBLE_VERSION, 12);
  parts.push(header);
  for (let pos = 0; pos < data.length; pos += XERIAL_BLOCK_BYTES) {
    const block = snappy().compressSync(data.subarray(pos, pos + XERIAL_BLOCK_BYTES));
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

/** Compresses into one raw snappy block (what librdkafka sends). */
export function snappyCompressRaw(data: Buffer): Buffer {
  return snappy().compressSync(data);
}

/** Decompresses xerial-framed or raw snappy; throws OutputLimitError past `outputBytesMax`. */
export function snappyDecompress(data: Buffer, outputBytesMax: number): Buffer {
  if (!isXerialFramed(data)) return rawBlock(data, outputBytesMax);
  if (data.length < XERIAL_HEADER_SIZE) throw new RangeError('truncated xerial snappy header');
  const blocks: Buffer[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new RangeError(`truncated xerial block length at ${pos}`);
    const length = data.readInt32BE(pos);
    pos += 4;
    if (length < 0 || pos + length > data.length) {
      throw new RangeError(`xerial block of ${length} bytes at ${pos} overruns the input`);
    }
    const block = data.subarray(pos, pos + length);
    pos += length;
    total += uncompressedLength(block);
    if (total > outputBytesMax) throw new OutputLimitError('snappy', outputBytesMax);
    blocks.push(block);
  }
  return Buffer.concat(blocks.map((block) => inflate(block)), total);
}

function rawBlock(block: Buffer, outputBytesMax: number): Buffer {
  const length = uncompressedLength(block);
  if (length > outputBytesMax) throw new OutputLimitError('snappy', outputBytesMax);
  return inflate(block);
}

function inflate(block: Buffer): Buffer {
  return snappy().uncompressSync(block, { asBuffer: true }) as Buffer;
}

/** A raw block's preamble: its uncompressed length as an unsigned varint of at most 5 bytes. */
function uncompressedLength(block: Buffer): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5 && i < block.length; i++) {
    const byte = block[i]!;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return value;
    scale *= 128;
  }
  throw new RangeError('invalid snappy length preamble');
}
