// Kafka listeners: one TCP server per configured listener, each handing connections to the
// same Dispatcher. Shutdown stops accepting first, then gives in-flight requests a bounded time
// to be answered, then closes what is left.

import net from 'node:net';
import { ConfigError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { Connection, type ConnectionLimits, type Dispatcher } from './connection.js';

export interface ListenerSpec {
  name: string; // e.g. PLAINTEXT
  host: string;
  port: number; // 0 picks a free port
}

export interface BoundListener extends ListenerSpec {
  server: net.Server;
}

/**
 * Enough to tell a Kafka request from another protocol's hello: the size prefix, then 6 bytes of
 * body (an api key and a node id for Raft's hello). Every Kafka request is longer than this.
 */
export const DIVERT_PEEK_BYTES = 10;

export type Diverter = (firstBytes: Buffer, socket: net.Socket) => boolean;

export class KafkaServer {
  private readonly listeners: BoundListener[] = [];
  private readonly connections = new Set<Connection>();
  private readonly listenerDispatchers = new Map<string, Dispatcher>();
  private readonly diverters = new Map<string, Diverter>();
  private nextConnectionId = 1;

  constructor(
    private dispatcher: Dispatcher,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
  ) {}

  async listen(specs: ListenerSpec[]): Promise<BoundListener[]> {
    for (const spec of specs) {
      const server = net.createServer((socket) => this.accept(spec.name, socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: spec.host, port: spec.port, backlog: 1024 }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as net.AddressInfo;
      const bound = { ...spec, port: address.port, server };
      this.listeners.push(bound);
      this.log.info({ listener: spec.name, host: spec.host, port: address.port }, 'listening');
    }
    return this.listeners;
  }

  /**
   * Swaps the dispatcher for new connections (the node starts listening before it serves), for
   * every listener or for one listener name.
   */
  setDispatcher(dispatcher: Dispatcher, listenerName?: string): void {
    if (listenerName === undefined) this.dispatcher = dispatcher;
    else this.listenerDispatchers.set(listenerName, dispatcher);
  }

  /**
   * Lets another protocol share a listener: each new connection's first bytes (at least
   * DIVERT_PEEK_BYTES) go to `divert`, which either takes the socket (true) or leaves it to be
   * served as a Kafka connection, its bytes unread.
   */
  divert(listenerName: string, divert: Diverter): void {
    this.diverters.set(listenerName, divert);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private accept(listenerName: string, socket: net.Socket): void {
    const divert = this.diverters.get(listenerName);
    if (divert === undefined) return this.open(listenerName, socket);
    let seen: Buffer = Buffer.alloc(0);
    const onError = (err: Error): void => this.log.debug({ err, listenerName }, 'connection failed before its first request');
    const onData = (chunk: Buffer): void => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
      if (seen.length < DIVERT_PEEK_BYTES) return;
      socket.off('data', onData);
      socket.off('error', onError);
      socket.pause();
      if (divert(seen, socket)) return;
      socket.unshift(seen);
      this.open(listenerName, socket);
      socket.resume();
    };
    socket.on('data', onData);
    socket.on('error', onError);
  }

  private open(listenerName: string, socket: net.Socket): void {
    const id = this.nextConnectionId++;
    const dispatcher = this.listenerDispatchers.get(listenerName) ?? this.dispatcher;
    const conn = new Connection(socket, id, listenerName, dispatcher, this.limits, this.log, (c) => this.connections.delete(c));
    this.connections.add(conn);
    this.log.debug({ connectionId: id, clientHost: conn.clientHost, listenerName }, 'connection accepted');
  }

  /** Stops accepting, waits up to `graceMs` for in-flight requests, then closes every connection. */
  async close(graceMs: number): Promise<void> {
    // Not awaited: a listening server reports closed only once every connection it accepted has
    // ended, and connections diverted to another protocol are closed by their new owner.
    for (const l of this.listeners) l.server.close();
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && [...this.connections].some((c) => c.inflightCount > 0)) {
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const c of this.connections) c.close();
  }
}

/** Parses Kafka's `listeners` syntax: `NAME://host:port[,NAME://host:port]`. */
export function parseListeners(value: string): ListenerSpec[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const m = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(s);
      if (!m) throw new ConfigError(`invalid listener "${s}": expected NAME://host:port`);
      const host = m[2]!.replace(/^\[|\]$/g, '');
      return { name: m[1]!.toUpperCase(), host: host === '' ? '0.0.0.0' : host, port: Number(m[3]) };
    });
}
