// TCP between quorum members, Kafka-framed (int32 size, then a codec.ts body). Each node dials
// every voter it knows (voters dial the other voters; observers dial all voters); requests go out
// on the dialled connection, and responses go back on the connection their request came in on,
// as in Kafka. That routing matters for Fetch: a restarted node opens new connections, so an
// answer to a fetch of its earlier incarnation (whose correlation ids the new one reuses) dies
// with the old socket instead of reaching it.
//
// The port is meant to be shared with Kafka requests (a KRaft controller listener serves both),
// so a dialled connection opens with a hello frame: int32 size, int16 apiKey = -1 (no Kafka api
// key is negative), int32 nodeId. A shared listener reads the first frame, and on isRaftHello()
// hands the socket and the bytes it read to adopt(); the transport's own listener (`listen`,
// kept for tests and stand-alone quorums) expects the hello too. Messages on a connection must
// come from the node its hello named (inbound) or that we dialled (outbound). Nodes that are not
// peers (observers) may send Fetch and FetchSnapshot requests, nothing else.
//
// Delivery is best effort: a message for a peer that is not connected, or whose socket is
// backed up past `writeBufferBytesMax`, is dropped, and the Raft core retries on its timers.
// Lost connections are redialled with doubling backoff. No Raft logic lives here.

import { createServer, connect, type Server, type Socket } from 'node:net';
import { silentLogger, type Logger } from '../../common/logger.js';
import type { RaftMessage } from '../types.js';
import { decodeRaftMessage, encodeRaftMessage } from './codec.js';

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

export interface TransportOptions {
  readonly nodeId: number;
  /** Listen here for Raft connections; omit when a shared listener hands them over (adopt). */
  readonly listen?: PeerAddress;
  /** The voters to dial (all of them but this node). */
  readonly peers: ReadonlyMap<number, PeerAddress>;
  readonly onMessage: (m: RaftMessage) => void;
  readonly logger?: Logger;
}

/** The api key of the hello frame that opens a Raft connection; Kafka's keys are all >= 0. */
export const RAFT_HELLO_API_KEY = -1;
/** int16 apiKey, int32 nodeId; longer hellos are accepted, for later additions. */
const HELLO_BODY_BYTES = 6;

/** Whether a frame body (without its size prefix) is the hello that opens a Raft connection. */
export function isRaftHello(frameBody: Buffer): boolean {
  return frameBody.length >= HELLO_BODY_BYTES && frameBody.readInt16BE(0) === RAFT_HELLO_API_KEY;
}

/** The whole hello frame, size prefix included, that `nodeId` sends first on each connection. */
export function encodeRaftHello(nodeId: number): Buffer {
  const frame = Buffer.alloc(4 + HELLO_BODY_BYTES);
  frame.writeInt32BE(HELLO_BODY_BYTES, 0);
  frame.writeInt16BE(RAFT_HELLO_API_KEY, 4);
  frame.writeInt32BE(nodeId, 6);
  return frame;
}

const FRAME_BYTES_MAX = 64 * 1024 * 1024;
const WRITE_BUFFER_BYTES_MAX = 16 * 1024 * 1024;
/** Fetch requests awaiting their answer's route; the oldest is forgotten past this. */
const REPLY_ROUTES_MAX = 1024;
const RECONNECT_BACKOFF_MS_MIN = 20;
const RECONNECT_BACKOFF_MS_MAX = 1000;
const DRAIN_POLL_MS = 5;

interface Outbound {
  socket: Socket | null;
  isConnected: boolean;
  backoffMs: number;
  timer: NodeJS.Timeout | null;
}

export class RaftTransport {
  private server: Server | null = null;
  private readonly outbound = new Map<number, Outbound>();
  private readonly inbound = new Set<Socket>();
  /** The socket each peer last sent a request on: where its non-fetch answers go. */
  private readonly lastRequestSocket = new Map<number, Socket>();
  /** `${peer}:${correlationId}` of a Fetch/FetchSnapshot request → the socket it came on. */
  private readonly replyRoutes = new Map<string, Socket>();
  private isStopped = false;
  private readonly logger: Logger;

  constructor(private readonly options: TransportOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Listens (if `listen` is set) and starts dialling the peers; resolves once listening. */
  async start(): Promise<void> {
    const listen = this.options.listen;
    if (listen !== undefined) await this.listen(listen);
    for (const id of this.options.peers.keys()) {
      const out: Outbound = { socket: null, isConnected: false, backoffMs: RECONNECT_BACKOFF_MS_MIN, timer: null };
      this.outbound.set(id, out);
      this.dial(id, out);
    }
  }

  send(m: RaftMessage): void {
    const socket = this.route(m);
    if (socket === null || socket.destroyed || socket.writableLength > WRITE_BUFFER_BYTES_MAX) return;
    const body = encodeRaftMessage(m);
    const size = Buffer.allocUnsafe(4);
    size.writeInt32BE(body.length, 0);
    socket.write(Buffer.concat([size, body]));
  }

  /**
   * Takes over an inbound connection from a listener shared with Kafka requests. `alreadyRead`
   * is everything the listener read from the socket: the hello frame (size prefix included),
   * then possibly more frames or part of one. Call it before the socket emits more data (in the
   * listener's own 'data' handler, after removing that handler) or with the socket paused.
   */
  adopt(socket: Socket, alreadyRead: Buffer): void {
    this.acceptInbound(socket, alreadyRead);
    socket.resume();
  }

  /** Resolves once every socket has handed its queued bytes to the OS, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const isPending = (s: Socket | null): boolean => s !== null && !s.destroyed && s.writableLength > 0;
    const sockets = (): (Socket | null)[] => [...[...this.outbound.values()].map((o) => o.socket), ...this.inbound];
    while (sockets().some(isPending) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    for (const out of this.outbound.values()) {
      if (out.timer !== null) clearTimeout(out.timer);
      out.socket?.destroy();
    }
    for (const socket of this.inbound) socket.destroy();
    const server = this.server;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private route(m: RaftMessage): Socket | null {
    if (m.type === 'FetchResponse' || m.type === 'FetchSnapshotResponse') {
      const key = `${m.to}:${m.correlationId}`;
      const socket = this.replyRoutes.get(key) ?? null;
      this.replyRoutes.delete(key);
      return socket;
    }
    if (m.type.endsWith('Response')) {
      const socket = this.lastRequestSocket.get(m.to);
      if (socket !== undefined && !socket.destroyed) return socket;
    }
    const out = this.outbound.get(m.to);
    return out !== undefined && out.isConnected ? out.socket : null;
  }

  private async listen(address: PeerAddress): Promise<void> {
    const server = createServer((socket) => this.acceptInbound(socket, Buffer.alloc(0)));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address.port, address.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  /** An inbound connection: its first frame must be a hello naming the node on the other end. */
  private acceptInbound(socket: Socket, alreadyRead: Buffer): void {
    if (this.isStopped) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.inbound.add(socket);
    socket.on('close', () => this.inbound.delete(socket));
    let peerId: number | null = null;
    this.attachReader(socket, alreadyRead, (body) => {
      if (peerId !== null) return this.deliver(socket, body, peerId);
      if (!isRaftHello(body)) {
        this.logger.warn({ remoteAddress: socket.remoteAddress }, 'raft connection without hello; closing it');
        socket.destroy();
        return false;
      }
      peerId = body.readInt32BE(2);
      return true;
    });
  }

  private dial(id: number, out: Outbound): void {
    out.timer = null;
    if (this.isStopped) return;
    const address = this.options.peers.get(id)!;
    const socket = connect({ host: address.host, port: address.port });
    socket.setNoDelay(true);
    out.socket = socket;
    socket.on('connect', () => {
      socket.write(encodeRaftHello(this.options.nodeId));
      out.isConnected = true;
      out.backoffMs = RECONNECT_BACKOFF_MS_MIN;
      this.logger.debug({ peer: id }, 'connected to voter');
    });
    socket.on('error', (err) => this.logger.debug({ peer: id, err }, 'voter connection error'));
    socket.on('close', () => {
      out.isConnected = false;
      out.socket = null;
      if (this.isStopped) return;
      out.timer = setTimeout(() => this.dial(id, out), out.backoffMs);
      out.backoffMs = Math.min(out.backoffMs * 2, RECONNECT_BACKOFF_MS_MAX);
    });
    this.attachReader(socket, Buffer.alloc(0), (body) => this.deliver(socket, body, id));
  }

  /**
   * Splits the byte stream, starting with `alreadyRead`, into frames and hands each frame body
   * to `onFrame`, which returns false once it has closed the socket.
   */
  private attachReader(socket: Socket, alreadyRead: Buffer, onFrame: (body: Buffer) => boolean): void {
    let pending: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (size < 0 || size > FRAME_BYTES_MAX) {
          this.logger.warn({ size }, 'bad raft frame size; closing connection');
          socket.destroy();
          return;
        }
        if (pending.length < 4 + size) break;
        const body = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        if (!onFrame(body)) return;
      }
    };
    socket.on('error', (err) => this.logger.debug({ err }, 'raft socket error'));
    socket.on('data', onData);
    if (alreadyRead.length > 0) onData(alreadyRead);
  }

  /** Decodes and delivers one message that arrived on a connection with node `peerId`. */
  private deliver(socket: Socket, body: Buffer, peerId: number): boolean {
    let m: RaftMessage;
    try {
      m = decodeRaftMessage(body);
    } catch (err) {
      this.logger.warn({ err }, 'undecodable raft frame; closing connection');
      socket.destroy();
      return false;
    }
    if (m.to !== this.options.nodeId || m.from !== peerId) return true;
    const isFetch = m.type === 'FetchRequest' || m.type === 'FetchSnapshotRequest';
    // Observers are no peers of ours: they may only fetch.
    if (!isFetch && !this.options.peers.has(m.from)) return true;
    if (!isFetch && !m.type.endsWith('Response')) this.lastRequestSocket.set(m.from, socket);
    if (m.type === 'FetchRequest' || m.type === 'FetchSnapshotRequest') {
      this.replyRoutes.set(`${m.from}:${m.correlationId}`, socket);
      if (this.replyRoutes.size > REPLY_ROUTES_MAX) this.replyRoutes.delete(this.replyRoutes.keys().next().value!);
    }
    this.options.onMessage(m);
    return true;
  }
}
