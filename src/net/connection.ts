// One client connection: frames in, responses out, in request order.
//
// Requests are decoded and dispatched as they arrive (pipelining), and each gets a slot in
// `pendingReplies`; a reply is written only when every earlier slot has been written, so
// responses leave in the order the requests came, as Kafka clients require. Back-pressure:
// reading pauses while `inflightRequestsMax` requests are unanswered or while the socket holds
// more than `writeBufferBytesMax` unsent bytes, and resumes when both drain.
//
// A Metadata request is answered only after every earlier request on the connection: Kafka
// handles one request per connection at a time, and clients rely on that. librdkafka sends
// Metadata right behind a Produce that is still waiting for acks=all; answered at once, it
// would describe the partition as it was before the Produce failed with NOT_LEADER_OR_FOLLOWER,
// and the client would keep sending to the old leader.
//
// Bad input never reaches other connections: an oversized or malformed frame, an unknown API
// or an unsupported version is logged once and this connection is closed, as Kafka does.

import type { Socket } from 'node:net';
import type { Logger } from '../common/logger.js';
import { ProtocolDecodeError, Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { FrameReader } from './frame-reader.js';
import { readHeaderPrefix, readHeaderRest } from './request-header.js';

export interface RequestContext {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  clientHost: string;
  connectionId: number;
  listenerName: string;
}

/** What a handler answers: a body writer and the response header version, or null (acks=0). */
export interface Reply {
  headerVersion: number;
  writeBody(w: Writer): void;
}

export interface Dispatcher {
  /** The request header version, or a reason to close the connection. */
  requestHeaderVersion(apiKey: number, apiVersion: number): number | { reject: string };
  dispatch(ctx: RequestContext, body: Reader): Promise<Reply | null> | Reply | null;
}

/** Thrown by a handler to close the connection on purpose (e.g. a failed acks=0 produce). */
export class CloseConnection extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CloseConnection';
  }
}

export interface ConnectionLimits {
  requestBytesMax: number;
  inflightRequestsMax: number;
  writeBufferBytesMax: number;
}

interface Slot {
  correlationId: number;
  /** The encoded response; null when none is sent (acks=0); undefined while the handler runs. */
  chunks: Buffer[] | null | undefined;
  apiKey: number;
  /** Set while the request waits for the earlier ones (see ORDERED_APIS). */
  deferred?: () => void;
}

/** APIs dispatched only once every earlier request on the connection has been answered. */
const ORDERED_APIS = new Set([3 /* Metadata */]);

export class Connection {
  private readonly frames: FrameReader;
  private readonly pendingReplies: Slot[] = [];
  private isClosed = false;
  private isPaused = false;
  private isFlushScheduled = false;
  /** Requests waiting in `pendingReplies` for their turn (ORDERED_APIS). */
  private deferredCount = 0;

  constructor(
    private readonly socket: Socket,
    readonly connectionId: number,
    private readonly listenerName: string,
    private readonly dispatcher: Dispatcher,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    private readonly onClose: (c: Connection) => void,
  ) {
    this.frames = new FrameReader(limits.requestBytesMax);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.maybeResume());
    socket.on('error', (err) => this.log.debug({ err, connectionId }, 'socket error'));
    socket.on('close', () => this.finish());
  }

  get clientHost(): string {
    return this.socket.remoteAddress ?? 'unknown';
  }

  close(reason?: string): void {
    if (this.isClosed) return;
    if (reason) this.log.warn({ connectionId: this.connectionId, clientHost: this.clientHost, reason }, 'closing connection');
    this.socket.destroy();
    this.finish();
  }

  /** Resolves once every request read so far has been answered (used by graceful shutdown). */
  get inflightCount(): number {
    return this.pendingReplies.length;
  }

  private finish(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.pendingReplies.length = 0;
    this.deferredCount = 0;
    this.onClose(this);
  }

  private onData(chunk: Buffer): void {
    this.frames.push(chunk);
    while (!this.isClosed) {
      if (this.pendingReplies.length >= this.limits.inflightRequestsMax) {
        this.pause();
        return;
      }
      const next = this.frames.next();
      if (next.kind === 'need-more') return;
      if (next.kind === 'too-large') {
        this.close(`request size ${next.size} exceeds socket.request.max.bytes ${this.limits.requestBytesMax}`);
        return;
      }
      if (next.kind === 'invalid-size') {
        this.close(`invalid request size ${next.size}`);
        return;
      }
      this.onFrame(next.frame);
    }
  }

  private onFrame(frame: Buffer): void {
    let slot: Slot | undefined;
    try {
      const { apiKey, apiVersion, correlationId } = readHeaderPrefix(frame);
      const headerVersion = this.dispatcher.requestHeaderVersion(apiKey, apiVersion);
      if (typeof headerVersion !== 'number') {
        this.close(headerVersion.reject);
        return;
      }
      const r = new Reader(frame);
      const clientId = readHeaderRest(r, headerVersion);
      slot = { correlationId, chunks: undefined, apiKey };
      this.pendingReplies.push(slot);
      const ctx: RequestContext = {
        apiKey,
        apiVersion,
        correlationId,
        clientId,
        clientHost: this.clientHost,
        connectionId: this.connectionId,
        listenerName: this.listenerName,
      };
      const s = slot;
      const run = (): void => this.run(s, ctx, r);
      if (ORDERED_APIS.has(apiKey) && this.pendingReplies.length > 1 && !this.earlierDone(s)) {
        s.deferred = run;
        this.deferredCount++;
      } else run();
    } catch (err) {
      this.fail(err);
    }
  }

  private run(slot: Slot, ctx: RequestContext, body: Reader): void {
    try {
      const result = this.dispatcher.dispatch(ctx, body);
      if (result instanceof Promise) {
        result.then(
          (reply) => this.complete(slot, reply),
          (err: unknown) => this.fail(err),
        );
      } else {
        this.complete(slot, result);
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private earlierDone(slot: Slot): boolean {
    for (const s of this.pendingReplies) {
      if (s === slot) return true;
      if (s.chunks === undefined) return false;
    }
    return true;
  }

  /** Starts the deferred requests whose predecessors have all been answered. */
  private runDeferred(): void {
    for (const s of this.pendingReplies) {
      if (s.chunks !== undefined) continue;
      const run = s.deferred;
      if (!run) return; // an earlier request is still running
      s.deferred = undefined;
      this.deferredCount--;
      run();
      if (s.chunks === undefined) return; // it went asynchronous
    }
  }

  private fail(err: unknown): void {
    if (err instanceof ProtocolDecodeError) {
      this.close(`malformed request: ${err.message}`);
    } else if (err instanceof CloseConnection) {
      this.close(err.reason);
    } else {
      this.log.error({ err, connectionId: this.connectionId }, 'request handler failed');
      this.close('internal error while handling a request');
    }
  }

  /** Encodes at once, so an encoding bug fails this request's connection, never the process. */
  private complete(slot: Slot, reply: Reply | null): void {
    if (this.isClosed) return;
    try {
      slot.chunks = reply === null ? null : encodeResponse(slot.correlationId, reply);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (this.deferredCount > 0) this.runDeferred();
    this.scheduleFlush();
  }

  /** Replies completed in the same turn (pipelined requests from one read) leave in one writev. */
  private scheduleFlush(): void {
    if (this.isFlushScheduled) return;
    this.isFlushScheduled = true;
    queueMicrotask(() => {
      this.isFlushScheduled = false;
      if (!this.isClosed) this.flushReplies();
    });
  }

  private flushReplies(): void {
    const sock = this.socket;
    let corked = false;
    while (this.pendingReplies.length > 0 && this.pendingReplies[0]!.chunks !== undefined) {
      const chunks = this.pendingReplies.shift()!.chunks;
      if (!chunks) continue;
      if (!corked) {
        sock.cork();
        corked = true;
      }
      for (const chunk of chunks) sock.write(chunk);
    }
    if (corked) sock.uncork();
    if (sock.writableLength > this.limits.writeBufferBytesMax) this.pause();
    else this.maybeResume();
  }

  private pause(): void {
    if (this.isPaused) return;
    this.isPaused = true;
    this.socket.pause();
  }

  private maybeResume(): void {
    if (!this.isPaused || this.isClosed) return;
    if (this.pendingReplies.length >= this.limits.inflightRequestsMax) return;
    if (this.socket.writableLength > this.limits.writeBufferBytesMax) return;
    this.isPaused = false;
    this.socket.resume();
    // Frames may already be buffered from before the pause.
    this.onData(Buffer.alloc(0));
  }
}

function encodeResponse(correlationId: number, reply: Reply): Buffer[] {
  const w = new Writer();
  const sizeAt = w.reserveInt32();
  w.writeInt32(correlationId);
  if (reply.headerVersion >= 1) w.writeUnsignedVarint(0); // no tagged fields
  reply.writeBody(w);
  w.patchInt32(sizeAt, w.length - 4);
  return w.toChunks();
}
