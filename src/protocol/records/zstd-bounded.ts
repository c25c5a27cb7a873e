// Zstandard for Kafka batches (codec 4, produce v7+ per KIP-110): plain zstd frames, as the Java
// client (zstd-jni streams) and librdkafka write them, with or without the content size in the
// frame header. zstd-napi's one-shot `decompress` trusts that header and has no output limit, so
// this file drives the native streaming decoder itself, in chunks, and stops once the output
// passes the caller's limit. One decoder context is reused across calls (synchronous, so never
// shared between two at once) and reset at the start of each.

import type zstdBinding from 'zstd-napi/binding.js';
import { OutputLimitError } from './output-limit.js';
import { loadOnUse } from './load-on-use.js';

const zstdApi = loadOnUse<typeof import('zstd-napi')>('zstd-napi');
const binding = loadOnUse<typeof zstdBinding>('zstd-napi/binding.js');

let sharedContext: InstanceType<typeof zstdBinding.DCtx> | undefined;

export function zstdCompressFrame(data: Buffer): Buffer {
  return zstdApi().compress(data);
}

/** Decompresses zstd frames; throws RangeError on malformed input, OutputLimitError past the limit. */
export function zstdDecompressBounded(data: Buffer, outputBytesMax: number): Buffer {
  const zstd = binding();
  // Output chunk size when the input gives no better hint: zstd's recommended stream buffer.
  const chunkBytesMin = zstd.dStreamOutSize();
  const context = (sharedContext ??= new zstd.DCtx());
  context.reset(zstd.ResetDirective.sessionOnly);
  const chunks: Buffer[] = [];
  let produced = 0;
  let input = data;
  // `hint` is zstd's return value: 0 once a frame is fully decoded and flushed.
  let hint = 1;
  while (input.length > 0 || hint !== 0) {
    // One byte past the limit is room enough to notice an overflow.
    const room = outputBytesMax + 1 - produced;
    const chunk = Buffer.allocUnsafe(Math.min(Math.max(chunkBytesMin, input.length * 4), room));
    let written: number;
    let consumed: number;
    try {
      [hint, written, consumed] = context.decompressStream(chunk, input);
    } catch (err) {
      throw new RangeError(`invalid zstd data: ${(err as Error).message}`, { cause: err });
    }
    if (written === 0 && consumed === 0) throw new RangeError('truncated zstd frame');
    produced += written;
    if (produced > outputBytesMax) throw new OutputLimitError('zstd', outputBytesMax);
    chunks.push(chunk.subarray(0, written));
    input = input.subarray(consumed);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, produced);
}
