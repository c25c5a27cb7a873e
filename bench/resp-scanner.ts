// An incremental scanner for Redis XRANGE replies (RESP2), fed socket chunks as they arrive. It
// does not build the reply: it counts the stream entries, sums their value bytes and keeps the
// last entry id, which is all a consumer loop needs to ask for the next range. Reply shape:
//   *E  (entries)  →  each  *2  →  $len <id>,  *2F  →  $len <field>, $len <value>, …
// Headers and bulk strings may be split anywhere across chunks. Errors (-ERR …) and nulls are
// reported as such. Pure: no sockets.

export interface RangeReply {
  entries: number;
  /** Bytes of the field values (every second bulk string of an entry's field list). */
  valueBytes: number;
  lastId: string | null;
}

interface Level {
  remaining: number;
  total: number;
}

const CR = 0x0d;

export class RespScanner {
  private line = '';
  /** Bytes of the current bulk string still to skip, its CRLF included; -1 when reading a header. */
  private bulkLeft = -1;
  private bulkIsId = false;
  private bulkIsValue = false;
  private idParts: Buffer[] = [];
  private readonly stack: Level[] = [];
  private reply: RangeReply = { entries: 0, valueBytes: 0, lastId: null };

  /** Feeds a chunk; calls onReply for each reply completed in it (onError for an error reply). */
  push(chunk: Buffer, onReply: (r: RangeReply) => void, onError: (message: string) => void): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.bulkLeft >= 0) {
        const n = Math.min(this.bulkLeft, chunk.length - i);
        if (this.bulkIsId) this.idParts.push(chunk.subarray(i, i + n));
        this.bulkLeft -= n;
        i += n;
        if (this.bulkLeft === 0) this.endBulk(onReply);
        continue;
      }
      const lf = chunk.indexOf(0x0a, i);
      if (lf < 0) {
        this.line += chunk.toString('latin1', i);
        return;
      }
      const end = lf > i && chunk[lf - 1] === CR ? lf - 1 : lf;
      let header = this.line + chunk.toString('latin1', i, end);
      this.line = '';
      if (header.endsWith('\r')) header = header.slice(0, -1); // CR was the last byte of the previous chunk
      i = lf + 1;
      this.header(header, onReply, onError);
    }
  }

  private header(h: string, onReply: (r: RangeReply) => void, onError: (message: string) => void): void {
    const kind = h[0];
    const n = Number(h.slice(1));
    if (kind === '-') {
      this.stack.length = 0;
      this.reply = { entries: 0, valueBytes: 0, lastId: null };
      onError(h.slice(1));
      return;
    }
    if (kind === '*') {
      if (this.stack.length === 1) this.reply.entries++;
      if (n <= 0) this.completeElement(onReply);
      else this.stack.push({ remaining: n, total: n });
      return;
    }
    if (kind === '$') {
      if (n < 0) {
        this.completeElement(onReply);
        return;
      }
      const top = this.stack[this.stack.length - 1];
      // Depth 2 holds [id, fields]; depth 3 holds the fields, values at odd positions.
      this.bulkIsId = this.stack.length === 2 && top !== undefined && top.remaining === top.total;
      this.bulkIsValue = this.stack.length === 3 && top !== undefined && (top.total - top.remaining) % 2 === 1;
      if (this.bulkIsValue) this.reply.valueBytes += n;
      this.idParts = [];
      this.bulkLeft = n + 2;
      if (this.bulkLeft === 0) this.endBulk(onReply);
      return;
    }
    // Simple strings and integers are not part of an XRANGE reply; count them as one element.
    this.completeElement(onReply);
  }

  private endBulk(onReply: (r: RangeReply) => void): void {
    this.bulkLeft = -1;
    if (this.bulkIsId) {
      const id = Buffer.concat(this.idParts);
      this.reply.lastId = id.toString('latin1', 0, id.length - 2);
      this.idParts = [];
    }
    this.completeElement(onReply);
  }

  /** One element of the innermost open array is complete; closes the arrays it completes. */
  private completeElement(onReply: (r: RangeReply) => void): void {
    if (this.stack.length === 0) {
      this.finish(onReply);
      return;
    }
    for (;;) {
      const top = this.stack[this.stack.length - 1]!;
      top.remaining--;
      if (top.remaining > 0) return;
      this.stack.pop();
      if (this.stack.length === 0) {
        this.finish(onReply);
        return;
      }
    }
  }

  private finish(onReply: (r: RangeReply) => void): void {
    const done = this.reply;
    this.reply = { entries: 0, valueBytes: 0, lastId: null };
    onReply(done);
  }
}
