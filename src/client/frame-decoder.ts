// Splits the byte stream a broker sends into response frames (a 4-byte big-endian size, then that
// many bytes). The client's own copy of the framing, since client/ may depend only on common/ and
// protocol/. Chunks are kept as received and joined once per frame, so a large response costs one
// copy. A size beyond `frameBytesMax` (or negative) is reported before anything past the header is
// buffered, so a confused peer cannot make the client allocate without bound.

export type DecodedFrames = { frames: Buffer[]; badSize?: number };

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;

  constructor(private readonly frameBytesMax: number) {}

  /** Adds a chunk and returns every frame it completes; `badSize` stops decoding for good. */
  push(chunk: Buffer): DecodedFrames {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.bufferedBytes += chunk.length;
    }
    const frames: Buffer[] = [];
    while (this.bufferedBytes >= 4) {
      const size = this.peekSize();
      if (size < 0 || size > this.frameBytesMax) return { frames, badSize: size };
      if (this.bufferedBytes < 4 + size) break;
      frames.push(this.take(4 + size).subarray(4));
    }
    return { frames };
  }

  private peekSize(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    return Buffer.concat(this.chunks).readInt32BE(0);
  }

  private take(n: number): Buffer {
    const joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const rest = joined.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.bufferedBytes = rest.length;
    return joined.subarray(0, n);
  }
}
