// TCP between voters, Kafka-framed (int32 size, then a codec.ts body). Each voter listens, and
// dials every other voter; requests go out on the dialled connection, and responses go back on
// the connection their request came in on, as in Kafka. That routing matters for Fetch: a
// restarted voter opens new connections, so an answer to a fetch of its earlier incarnation
// (whose correlation ids the new one reuses) dies with the old socket instead of reaching it.
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
  readonly listen: PeerAddress;
  /** Every other voter's address. */
  readonly peers: ReadonlyMap<number, PeerAddress>;
  readonly onMessage: (m: RaftMessage) => void;
  readonly logger?: Logger;
}

const FRAME_BYTES_MAX = 64 * 1024 * 1024;
const WRITE_BUFFER_BYTES_MAX = 16 * 1024 * 1024;
/** Fetch requests awaiting their answer's route; the oldest is forgotten past this. */
const REPLY_ROUTES_MAX = 1024;
const RECONNECT_BACKOFF_MS_MIN = 20;
const RECONNECT_BACKOFF_MS_MAX = 1000;

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

  /** Listens and starts dialling the peers; resolves once listening. */
  async start(): Promise<void> {
    const server = createServer((socket) => {
      this.inbound.add(socket);
      socket.on('close', () => this.inbound.delete(socket));
      this.attachReader(socket);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.listen.port, this.options.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
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

  private dial(id: number, out: Outbound): void {
    out.timer = null;
    if (this.isStopped) return;
    const address = this.options.peers.get(id)!;
    const socket = connect({ host: address.host, port: address.port });
    socket.setNoDelay(true);
    out.socket = socket;
    socket.on('connect', () => {
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
    this.attachReader(socket);
  }

  /** Splits the byte stream into frames and delivers each decoded message. */
  private attachReader(socket: Socket): void {
    let pending: Buffer = Buffer.alloc(0);
    socket.on('error', (err) => this.logger.debug({ err }, 'voter socket error'));
    socket.on('data', (chunk: Buffer) => {
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
        if (!this.deliver(socket, body)) return;
      }
    });
  }

  private deliver(socket: Socket, body: Buffer): boolean {
    let m: RaftMessage;
    try {
      m = decodeRaftMessage(body);
    } catch (err) {
      this.logger.warn({ err }, 'undecodable raft frame; closing connection');
      socket.destroy();
      return false;
    }
    if (m.to !== this.options.nodeId || !this.options.peers.has(m.from)) return true;
    if (!m.type.endsWith('Response')) this.lastRequestSocket.set(m.from, socket);
    if (m.type === 'FetchRequest' || m.type === 'FetchSnapshotRequest') {
      this.replyRoutes.set(`${m.from}:${m.correlationId}`, socket);
      if (this.replyRoutes.size > REPLY_ROUTES_MAX) this.replyRoutes.delete(this.replyRoutes.keys().next().value!);
    }
    this.options.onMessage(m);
    return true;
  }
}
