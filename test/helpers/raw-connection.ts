// A raw Kafka connection for tests that send bytes no client would: whole or partial request
// frames out, size-prefixed response frames in, kept in arrival order. It never interprets what it
// receives, so a test can check exactly what the broker sent, how much of a frame it cut off, and
// whether it closed the connection by itself. Request frames are built, and response frames
// decoded, with the project's generated codecs. (WireClient in kafka-wire.ts is the friendlier
// one-request-at-a-time client; this one is for hostile or pipelined input.)

import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { API_MESSAGES, requestHeaderVersion, responseHeaderVersion } from '../../src/protocol/generated/api-keys.js';
import { writeRequestHeader } from '../../src/protocol/generated/request-header.js';
import { readResponseHeader } from '../../src/protocol/generated/response-header.js';

/** The default bound on connecting and on each wait below. */
export const rawWaitMs = 5000;

/** What a request header carries; the header version follows from the api key and version. */
export interface RequestFrameHeader {
  apiKey: number;
  version: number;
  correlationId: number;
  clientId: string;
}

/** A request frame: size prefix, the generated request header, then the body `writeBody` writes. */
export function requestFrame(header: RequestFrameHeader, writeBody: (w: Writer) => void): Buffer {
  const w = new Writer();
  const sizeAt = w.reserveInt32();
  writeRequestHeader(w, requestHeaderVersion(header.apiKey, header.version), {
    requestApiKey: header.apiKey,
    requestApiVersion: header.version,
    correlationId: header.correlationId,
    clientId: header.clientId,
  });
  writeBody(w);
  w.patchInt32(sizeAt, w.length - 4);
  return w.toBuffer();
}

/** A request frame whose body is the generated codec's encoding of `body`. */
export function codecRequestFrame(header: RequestFrameHeader, body: object): Buffer {
  return requestFrame(header, (w) => API_MESSAGES[header.apiKey]!.writeRequest(w, header.version, body));
}

/**
 * Decodes a response frame (without its size prefix): the header, then the whole body, failing
 * on trailing bytes. `bodyVersion` differs from `version` only where Kafka answers in another
 * version, as ApiVersions does with v0 when it refuses the requested one.
 */
export function decodeResponse<T>(frame: Buffer, apiKey: number, version: number, bodyVersion = version): { correlationId: number; body: T } {
  const r = new Reader(frame);
  const { correlationId } = readResponseHeader(r, responseHeaderVersion(apiKey, version));
  const body = API_MESSAGES[apiKey]!.readResponse(r, bodyVersion) as T;
  assert.equal(r.remaining(), 0, `${API_MESSAGES[apiKey]!.name} v${bodyVersion} response has ${r.remaining()} trailing bytes`);
  return { correlationId, body };
}

export class RawConnection {
  private received = Buffer.alloc(0);
  /** Complete response frames (size prefix removed) not yet taken by `responses()`. */
  readonly frames: Buffer[] = [];
  private waiters: (() => void)[] = [];
  isClosed = false;
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      while (this.received.length >= 4 && this.received.length >= 4 + this.received.readInt32BE(0)) {
        const size = this.received.readInt32BE(0);
        this.frames.push(this.received.subarray(4, 4 + size));
        this.received = this.received.subarray(4 + size);
      }
      this.wake();
    });
    // ECONNRESET (or another reset) after the broker closes is an expected outcome; `closed` reports it.
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.isClosed = true;
      this.wake();
      resolve();
    }));
  }

  /** Connects to the broker on loopback; fails after `connectTimeoutMs`. */
  static open(port: number, connectTimeoutMs = rawWaitMs): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('connect timed out'));
      }, connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new RawConnection(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Bytes received after the last complete frame: a response cut off mid-frame. */
  get partialBytes(): number {
    return this.received.length;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves on the next frame or close, or after `timeoutMs`. */
  private waitChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Writes `bytes`; the promise resolves once the socket has taken them, or at once when the
   * connection is already closed. Callers that must not wait for the broker to read (an oversized
   * frame it refuses, a pipelined burst) may leave it unawaited.
   */
  write(bytes: Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.isClosed) return resolve();
      this.socket.write(bytes, () => resolve());
    });
  }

  /** Takes the next `count` response frames; fails on close or after `timeoutMs`. */
  async responses(count: number, timeoutMs = rawWaitMs): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count) {
      if (this.isClosed) throw new Error(`connection closed after ${this.frames.length} of ${count} responses`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`got ${this.frames.length} of ${count} responses within ${timeoutMs} ms`);
      await this.waitChange(left);
    }
    return this.frames.splice(0, count);
  }

  /** One request, one response: sends `frame` and returns the next response frame. */
  async roundTrip(frame: Buffer): Promise<Buffer> {
    void this.write(frame);
    return (await this.responses(1))[0]!;
  }

  /** Waits until `count` frames are held, the connection closes or `timeoutMs` passes; never fails. */
  async waitForFrames(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count && !this.isClosed && Date.now() < deadline) await this.waitChange(deadline - Date.now());
  }

  /** Resolves true once closed, false when `timeoutMs` passes first. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isClosed && Date.now() < deadline) await this.waitChange(deadline - Date.now());
    return this.isClosed;
  }

  /** True when the broker closes the connection within `timeoutMs`, with no response sent. */
  async closedByBroker(timeoutMs = rawWaitMs): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const outcome = await Promise.race([this.closed.then(() => true as const), timedOut]);
    clearTimeout(timer);
    return outcome && this.frames.length === 0;
  }

  /** Half-close: the broker must answer what it can and close its side. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
