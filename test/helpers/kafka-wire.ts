// A minimal Kafka wire client for tests: frames a request with the project's generated codecs,
// sends it over a plain socket and decodes the response. It exists to drive exact API versions
// (real clients pick their own), so every advertised version can be checked.

import net from 'node:net';
import { API_MESSAGES, requestHeaderVersion, responseHeaderVersion } from '../../src/protocol/generated/api-keys.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

export class WireClient {
  private buffered = Buffer.alloc(0);
  private waiters: ((frame: Buffer) => void)[] = [];
  private nextCorrelationId = 1;
  closed: Promise<void>;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        this.waiters.shift()?.(frame);
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static connect(bootstrap: string): Promise<WireClient> {
    const [host, port] = bootstrap.split(':');
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port: Number(port) }, () => resolve(new WireClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends one request and resolves with the decoded response body (bounded by `timeoutMs`). */
  async request(apiKey: number, version: number, body: object, timeoutMs = 10_000): Promise<any> {
    const messages = API_MESSAGES[apiKey]!;
    const correlationId = this.nextCorrelationId++;
    const w = new Writer();
    const sizeAt = w.reserveInt32();
    w.writeInt16(apiKey);
    w.writeInt16(version);
    w.writeInt32(correlationId);
    const headerVersion = requestHeaderVersion(apiKey, version);
    if (headerVersion >= 1) w.writeNullableString('wire-test');
    if (headerVersion >= 2) w.writeUnsignedVarint(0);
    messages.writeRequest(w, version, body as never);
    w.patchInt32(sizeAt, w.length - 4);
    const frame = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response to api ${apiKey} v${version} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((f) => {
        clearTimeout(timer);
        resolve(f);
      });
      this.closed.then(() => {
        clearTimeout(timer);
        reject(new Error(`connection closed before the response to api ${apiKey} v${version}`));
      });
      for (const chunk of w.toChunks()) this.socket.write(chunk);
    });
    const r = new Reader(frame);
    const gotCorrelationId = r.readInt32();
    if (gotCorrelationId !== correlationId) throw new Error(`correlation id ${gotCorrelationId}, expected ${correlationId}`);
    if (responseHeaderVersion(apiKey, version) >= 1) r.skipTaggedFields();
    const response = messages.readResponse(r, version);
    if (r.remaining() !== 0) throw new Error(`${r.remaining()} bytes left after the response to api ${apiKey} v${version}`);
    return response;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Every `errorCode` field anywhere in a decoded response, with its path. */
export function errorCodes(value: unknown, path = ''): { path: string; code: number }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => errorCodes(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k === 'errorCode' && typeof v === 'number' ? [{ path: `${path}.${k}`, code: v }] : errorCodes(v, `${path}.${k}`),
  );
}
