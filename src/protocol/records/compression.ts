// The batch compression codecs (attributes bits 0-2 of a RecordBatch v2): 0 none, 1 gzip, 2 snappy,
// 3 lz4, 4 zstd. `compress` writes what Kafka's own clients and broker write; `decompress` accepts
// every form the common clients send and never produces more than `outputBytesMax` bytes, so a
// small batch cannot inflate into a memory bomb. All calls are synchronous: they run where the
// broker must look inside a batch (internal topics, control records, tests), never on the produce
// hot path, which keeps batches as bytes. Format details live in one file per codec.
//
// Failures surface as KafkaError: malformed compressed data is CORRUPT_MESSAGE (what Kafka answers
// when a batch cannot be read), output past the limit is MESSAGE_TOO_LARGE.

import { gunzipSync, gzipSync } from 'node:zlib';
import { assert } from '../../common/assert.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { OutputLimitError } from './output-limit.js';
import { lz4CompressFrame, lz4DecompressFrame } from './lz4-frame.js';
import { snappyCompressXerial, snappyDecompress } from './snappy-xerial.js';
import { zstdCompressFrame, zstdDecompressBounded } from './zstd-bounded.js';

export const CompressionCodec = {
  NONE: 0,
  GZIP: 1,
  SNAPPY: 2,
  LZ4: 3,
  ZSTD: 4,
} as const;

export type CompressionCodecValue = (typeof CompressionCodec)[keyof typeof CompressionCodec];

/**
 * Default ceiling on one batch's decompressed bytes. Kafka's message.max.bytes defaults to about
 * 1 MiB of *compressed* batch; 64 MiB leaves room for any sane compression ratio on top of that.
 */
export const DECOMPRESSED_BYTES_MAX_DEFAULT = 64 * 1024 * 1024;

export function isCompressionCodec(value: number): value is CompressionCodecValue {
  return Number.isInteger(value) && value >= CompressionCodec.NONE && value <= CompressionCodec.ZSTD;
}

/** Compresses `data` with `codec` in the format Tideline writes to logs and to the wire. */
export function compress(codec: CompressionCodecValue, data: Buffer): Buffer {
  assert(isCompressionCodec(codec), `unknown compression codec ${codec}`);
  switch (codec) {
    case CompressionCodec.NONE:
      return data;
    case CompressionCodec.GZIP:
      return gzipSync(data);
    case CompressionCodec.SNAPPY:
      return snappyCompressXerial(data);
    case CompressionCodec.LZ4:
      return lz4CompressFrame(data);
    case CompressionCodec.ZSTD:
      return zstdCompressFrame(data);
  }
}

/** Decompresses `data`; throws KafkaError (CORRUPT_MESSAGE, MESSAGE_TOO_LARGE) on failure. */
export function decompress(
  codec: CompressionCodecValue,
  data: Buffer,
  outputBytesMax: number = DECOMPRESSED_BYTES_MAX_DEFAULT,
): Buffer {
  if (!isCompressionCodec(codec)) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `unknown compression codec ${codec}`);
  if (codec === CompressionCodec.NONE) {
    if (data.length > outputBytesMax) throw tooLarge(new OutputLimitError('uncompressed', outputBytesMax));
    return data;
  }
  try {
    switch (codec) {
      case CompressionCodec.GZIP:
        return gunzipSync(data, { maxOutputLength: outputBytesMax });
      case CompressionCodec.SNAPPY:
        return snappyDecompress(data, outputBytesMax);
      case CompressionCodec.LZ4:
        return lz4DecompressFrame(data, outputBytesMax);
      case CompressionCodec.ZSTD:
        return zstdDecompressBounded(data, outputBytesMax);
    }
  } catch (err) {
    if (err instanceof OutputLimitError) throw tooLarge(err);
    // zlib's own limit error, from maxOutputLength
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge(new OutputLimitError('gzip', outputBytesMax));
    }
    const message = `cannot decompress ${codecName(codec)} data: ${messageOf(err)}`;
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, message, { cause: err });
  }
}

export function codecName(codec: number): string {
  return ['none', 'gzip', 'snappy', 'lz4', 'zstd'][codec] ?? `codec ${codec}`;
}

function tooLarge(err: OutputLimitError): KafkaError {
  return new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, err.message, { cause: err });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
