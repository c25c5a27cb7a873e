// A scripted Kafka broker on loopback for the client's unit tests: it decodes each request with
// the generated codecs and answers with whatever the test's handler returns, encoded at the
// request's version. A handler can hold an answer back (to test pipelining and timeouts), send
// raw bytes, or close the socket. Every request is recorded with the node that received it.

import net from 'node:net';
import { API_MESSAGES, ApiKey, requestHeaderVersion, responseHeaderVersion } from '../../../src/protocol/generated/api-keys.js';
import { Reader } from '../../../src/protocol/reader.js';
import { Writer } from '../../../src/protocol/writer.js';

export interface SeenRequest {
  nodeId: number;
  apiKey: number;
  version: number;
  correlationId: number;
  clientId: string | null;
  body: any;
}

/** What a handler returns: a response body, a delayed one, raw frame bytes, or an action. */
export type Answer =
  | { body: object; delayMs?: number; correlationId?: number; encodeVersion?: number }
  | { raw: Buffer }
  | 'hang'
  | 'close';

export type Handler = (request: SeenRequest) => Answer;

/** ApiVersions ranges the fake advertises by default: everything the codecs know. */
export function allApiVersions(overrides: Record<number, { min: number; max: number } | null> = {}): { apiKey: number; minVersion: number; maxVersion: number }[] {
  const list = [];
  for (const api of API_MESSAGES) {
    if (api === undefined) continue;
    const o = overrides[api.apiKey];
    if (o === null) continue;
    list.push({ apiKey: api.apiKey, minVersion: o?.min ?? api.minVersion, maxVersion: o?.max ?? api.maxVersion });
  }
  return list;
}

export class FakeBroker {
  readonly seen: SeenRequest[] = [];
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  private constructor(
    private readonly server: net.Server,
    readonly nodeId: number,
  ) {}

  /** Starts a fake; `handler` answers everything but ApiVersions, which `apiVersions` decides. */
  static async start(nodeId: number, handler: Handler, apiVersions = allApiVersions()): Promise<FakeBroker> {
    let fake!: FakeBroker;
    const server = net.createServer((socket) => fake.accept(socket, handler, apiVersions));
    fake = new FakeBroker(server, nodeId);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.port = (server.address() as net.AddressInfo).port;
    return fake;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  requests(apiKey: number): SeenRequest[] {
    return this.seen.filter((r) => r.apiKey === apiKey);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket, handler: Handler, apiVersions: ReturnType<typeof allApiVersions>): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    // Answers leave in request order even when an earlier one is delayed, as a broker's do.
    let sendChain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
        buffered = buffered.subarray(4 + frame.length);
        const request = this.decode(frame);
        this.seen.push(request);
        const answer = request.apiKey === ApiKey.ApiVersions ? apiVersionsAnswer(request, apiVersions) : handler(request);
        sendChain = sendChain.then(() => this.send(socket, request, answer));
      }
    });
  }

  private decode(frame: Buffer): SeenRequest {
    const r = new Reader(frame);
    const apiKey = r.readInt16();
    const version = r.readInt16();
    const correlationId = r.readInt32();
    const headerVersion = requestHeaderVersion(apiKey, version);
    const clientId = headerVersion >= 1 ? r.readNullableString() : null;
    if (headerVersion >= 2) r.skipTaggedFields();
    const body = API_MESSAGES[apiKey]!.readRequest(r, version);
    return { nodeId: this.nodeId, apiKey, version, correlationId, clientId, body };
  }

  private async send(socket: net.Socket, request: SeenRequest, answer: Answer): Promise<void> {
    if (answer === 'hang') return;
    if (answer === 'close') {
      socket.destroy();
      return;
    }
    if ('raw' in answer) {
      socket.write(answer.raw);
      return;
    }
    if (answer.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    const version = answer.encodeVersion ?? request.version;
    const w = new Writer();
    const sizeAt = w.reserveInt32();
    w.writeInt32(answer.correlationId ?? request.correlationId);
    if (responseHeaderVersion(request.apiKey, request.version) >= 1) w.writeUnsignedVarint(0);
    API_MESSAGES[request.apiKey]!.writeResponse(w, version, answer.body);
    w.patchInt32(sizeAt, w.length - 4);
    if (!socket.destroyed) socket.write(w.toBuffer());
  }
}

/** A real broker's ApiVersions answer, including KIP-511's v0 reply to a version it lacks. */
function apiVersionsAnswer(request: SeenRequest, apiVersions: ReturnType<typeof allApiVersions>): Answer {
  const own = apiVersions.find((a) => a.apiKey === ApiKey.ApiVersions);
  if (own !== undefined && request.version > own.maxVersion) {
    return { body: { errorCode: 35, apiKeys: [own] }, encodeVersion: 0 };
  }
  return { body: { errorCode: 0, apiKeys: apiVersions } };
}
