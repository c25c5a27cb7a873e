// Splits a TCP byte stream into Kafka frames: a 4-byte big-endian size, then that many bytes.
// Chunks are kept as received and a frame is copied out only when it spans chunks, so a produce
// request that arrives in one chunk is handed on as a subarray. The size limit is checked before
// any byte of the frame is buffered past the header, so an oversized request cannot grow memory.

export type FrameResult =
  | { kind: 'frame'; frame: Buffer }
  | { kind: 'need-more' }
  | { kind: 'too-large'; size: number }
  | { kind: 'invalid-size'; size: number };

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly frameBytesMax: number) {}

  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** Returns the next complete frame (without its size prefix), or why there is none. */
  next(): FrameResult {
    if (this.buffered < 4) return { kind: 'need-more' };
    const size = this.peekSize();
    if (size < 0) return { kind: 'invalid-size', size };
    if (size > this.frameBytesMax) return { kind: 'too-large', size };
    if (this.buffered < 4 + size) return { kind: 'need-more' };
    return { kind: 'frame', frame: this.take(4 + size).subarray(4) };
  }

  private peekSize(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.chunks, Math.min(this.buffered, 16));
    return head.readInt32BE(0);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) {
      this.buffered -= n;
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const want = n - filled;
      if (chunk.length <= want) {
        chunk.copy(out, filled);
        filled += chunk.length;
        this.chunks.shift();
      } else {
        chunk.copy(out, filled, 0, want);
        this.chunks[0] = chunk.subarray(want);
        filled += want;
      }
    }
    this.buffered -= n;
    return out;
  }
}
