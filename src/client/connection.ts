// One TCP connection to one broker: the only file in client/ that touches node:net and timers.
// It owns correlation ids, pipelining (up to `inflightRequestsMax` requests on the wire, matched
// to responses in order, since a Kafka broker answers each connection's requests in the order it
// received them), a deadline on every request, and the ApiVersions handshake that fixes which
// version of each API the connection speaks.
//
// Failure policy, after the Java client: a request that times out closes the connection, because
// its response may still arrive and everything behind it would be misread; every other request on
// the connection then fails with NETWORK_EXCEPTION and the caller may retry on a new connection.
// A response whose correlation id is not the oldest outstanding one also closes the connection.

import net from 'node:net';
import { API_MESSAGES, ApiKey, apiName } from '../protocol/generated/api-keys.js';
import type { ApiVersionsResponse } from '../protocol/generated/api-versions-response.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import type { Reader } from '../protocol/reader.js';
import { networkError, throwIfError, timeoutError } from './errors.js';
import { FrameDecoder } from './frame-decoder.js';
import { decodeResponseBody, encodeRequest, peekCorrelationId, responseBodyReader } from './framing.js';

export interface ConnectionOptions {
  host: string;
  port: number;
  clientId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Requests written but not yet answered; more wait for a slot (within their deadline). */
  inflightRequestsMax: number;
  /** The largest response frame accepted; a larger size prefix closes the connection. */
  frameBytesMax: number;
}

export interface VersionRange {
  min: number;
  max: number;
}

interface Pending {
  correlationId: number;
  what: string;
  resolve(frame: Buffer): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** KIP-511: ApiVersions v3+ carries the client software name and version, which must match this pattern. */
const clientSoftware = { clientSoftwareName: 'tideline-client', clientSoftwareVersion: '0.1.0' };

export class KafkaConnection {
  readonly address: string;
  private readonly decoder: FrameDecoder;
  private readonly pending: Pending[] = [];
  private readonly slotWaiters: (() => void)[] = [];
  private nextCorrelationId = 1;
  private closedBy: Error | undefined;
  private brokerVersions = new Map<number, VersionRange>();

  private constructor(
    private readonly socket: net.Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.address = `${options.host}:${options.port}`;
    this.decoder = new FrameDecoder(options.frameBytesMax);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(networkError(`connection to ${this.address} failed: ${err.message}`, err)));
    socket.on('close', () => this.fail(networkError(`connection to ${this.address} closed`)));
  }

  /** Connects and runs the ApiVersions handshake; rejects with NETWORK_EXCEPTION or REQUEST_TIMED_OUT. */
  static async open(options: ConnectionOptions): Promise<KafkaConnection> {
    const socket = await connectSocket(options.host, options.port, options.connectTimeoutMs);
    const connection = new KafkaConnection(socket, options);
    try {
      await connection.negotiateVersions();
    } catch (err) {
      connection.close();
      throw err;
    }
    return connection;
  }

  get isClosed(): boolean {
    return this.closedBy !== undefined;
  }

  /**
   * The version to use for `apiKey`: min(our max, the broker's max), provided it is at least both
   * minimums. `ours` narrows what the caller can build; it defaults to the generated codec's range.
   */
  versionFor(apiKey: number, ours?: Partial<VersionRange>): number {
    const codec = API_MESSAGES[apiKey];
    const broker = this.brokerVersions.get(apiKey);
    const oursMin = Math.max(ours?.min ?? 0, codec?.minVersion ?? 0);
    const oursMax = Math.min(ours?.max ?? Infinity, codec?.maxVersion ?? -1);
    if (broker === undefined) {
      throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `UNSUPPORTED_VERSION: the broker at ${this.address} does not offer ${apiName(apiKey)}`);
    }
    const version = Math.min(oursMax, broker.max);
    if (version < Math.max(oursMin, broker.min)) {
      throw new KafkaError(
        ErrorCode.UNSUPPORTED_VERSION,
        `UNSUPPORTED_VERSION: ${apiName(apiKey)} v${broker.min}-${broker.max} at ${this.address} and v${oursMin}-${oursMax} here have no version in common`,
      );
    }
    return version;
  }

  /** Sends one request and resolves with its decoded response body. */
  async request<T>(apiKey: number, version: number, body: object): Promise<T> {
    const r = await this.send(apiKey, version, body);
    return decodeResponseBody<T>(r, apiKey, version);
  }

  close(): void {
    this.fail(networkError(`connection to ${this.address} was closed by the client`));
  }

  private async negotiateVersions(): Promise<void> {
    const ours = API_MESSAGES[ApiKey.ApiVersions]!.maxVersion;
    let response = await this.apiVersions(ours);
    if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
      // KIP-511: the broker answered in v0 with its own ApiVersions range; retry at a version both know.
      const theirs = response.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions);
      const retryVersion = Math.min(ours, theirs?.maxVersion ?? 0);
      response = await this.apiVersions(retryVersion);
    }
    throwIfError(response.errorCode, `ApiVersions to ${this.address}`);
    this.brokerVersions = new Map(response.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
  }

  private async apiVersions(version: number): Promise<ApiVersionsResponse> {
    const body = version >= 3 ? clientSoftware : {};
    const r = await this.send(ApiKey.ApiVersions, version, body);
    // An UNSUPPORTED_VERSION answer is always encoded as v0, whatever version was asked.
    const errorCode = r.buf.length - r.offset >= 2 ? r.buf.readInt16BE(r.offset) : ErrorCode.NONE;
    const decodeVersion = errorCode === ErrorCode.UNSUPPORTED_VERSION ? 0 : version;
    return decodeResponseBody<ApiVersionsResponse>(r, ApiKey.ApiVersions, decodeVersion);
  }

  /** Writes the request once a slot is free; resolves with a Reader at the response body. */
  /**
   * Sends a request the broker never answers (Produce with acks=0). It takes no pipelining
   * slot and no place among the pending responses, so the in-order matching of the others is
   * unaffected; resolves once the bytes are handed to the socket.
   */
  sendOneWay(apiKey: number, version: number, body: object): Promise<void> {
    const what = `${apiName(apiKey)} v${version} to ${this.address}`;
    if (this.closedBy !== undefined) return Promise.reject(networkError(`${what}: ${this.closedBy.message}`, this.closedBy));
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) | 0;
    const chunks = encodeRequest(apiKey, version, correlationId, this.options.clientId, body);
    return new Promise<void>((resolve, reject) => {
      this.socket.cork();
      chunks.forEach((chunk, i) =>
        this.socket.write(chunk, i < chunks.length - 1 ? undefined : (err) => (err ? reject(networkError(`${what}: ${err.message}`, err)) : resolve())),
      );
      this.socket.uncork();
    });
  }

  private send(apiKey: number, version: number, body: object): Promise<Reader> {
    const what = `${apiName(apiKey)} v${version} to ${this.address}`;
    if (this.closedBy !== undefined) return Promise.reject(networkError(`${what}: ${this.closedBy.message}`, this.closedBy));
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) | 0;
    // Encode before waiting so a body the version cannot carry fails at once, as the caller's bug.
    const chunks = encodeRequest(apiKey, version, correlationId, this.options.clientId, body);
    return new Promise<Buffer>((resolve, reject) => {
      let isWritten = false;
      const onTimeout = (): void => {
        const err = timeoutError(`no response to ${what} within ${this.options.requestTimeoutMs} ms`);
        if (!isWritten) {
          // Still waiting for a slot: nothing is on the wire, so the connection stays usable.
          const at = this.slotWaiters.indexOf(write);
          if (at >= 0) this.slotWaiters.splice(at, 1);
          return reject(err);
        }
        this.fail(networkError(`connection to ${this.address} closed after ${what} timed out`), entry, err);
      };
      const entry: Pending = { correlationId, what, resolve, reject, timer: setTimeout(onTimeout, this.options.requestTimeoutMs) };
      const write = (): void => {
        if (this.closedBy !== undefined) {
          clearTimeout(entry.timer);
          return reject(networkError(`${what}: ${this.closedBy.message}`, this.closedBy));
        }
        isWritten = true;
        this.pending.push(entry);
        this.socket.cork();
        for (const chunk of chunks) this.socket.write(chunk);
        this.socket.uncork();
      };
      if (this.pending.length < this.options.inflightRequestsMax) write();
      else this.slotWaiters.push(write);
    }).then((frame) => responseBodyReader(frame, apiKey, version));
  }

  private onData(chunk: Buffer): void {
    const { frames, badSize } = this.decoder.push(chunk);
    for (const frame of frames) {
      const head = this.pending.shift();
      if (head === undefined) return this.fail(networkError(`${this.address} sent a response to no request`));
      const correlationId = frame.length >= 4 ? peekCorrelationId(frame) : -1;
      if (correlationId !== head.correlationId) {
        this.pending.unshift(head);
        return this.fail(networkError(`${this.address} answered correlation id ${correlationId}, expected ${head.correlationId}`));
      }
      clearTimeout(head.timer);
      head.resolve(frame);
      this.slotWaiters.shift()?.();
    }
    if (badSize !== undefined) this.fail(networkError(`${this.address} sent a response frame of impossible size ${badSize}`));
  }

  /** Closes the connection once; `timedOut` (if given) gets `itsError`, everything else `err`. */
  private fail(err: Error, timedOut?: Pending, itsError?: Error): void {
    if (this.closedBy !== undefined) return;
    this.closedBy = err;
    this.socket.destroy();
    for (const entry of this.pending.splice(0)) {
      clearTimeout(entry.timer);
      entry.reject(entry === timedOut && itsError !== undefined ? itsError : networkError(`${entry.what}: ${err.message}`, err));
    }
    for (const write of this.slotWaiters.splice(0)) write();
  }
}

function connectSocket(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(networkError(`no connection to ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(networkError(`cannot connect to ${host}:${port} (${err.code ?? err.message})`, err));
    });
  });
}

/** Resolves after `ms`; the retry back-off of the admin client. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
