// A fault-injecting TCP proxy on 127.0.0.1 in front of one node's listener, so tests can partition
// a multi-process cluster without root (no network namespaces, no iptables). Each accepted
// connection is identified by its first frame: a Raft hello (int32 size, int16 apiKey = -1, int32
// nodeId; see src/raft/driver/transport.ts) names its node, a Kafka request header whose client id
// is `tideline-broker-<id>` or `tideline-replica-fetcher-<id>` names the node that sent it, and
// anything else is 'client' (a real Kafka client). After that the proxy forwards bytes both ways.
//
// Links are directed, from the node that dials to the node behind the proxy, and live in a
// LinkCuts table that the proxies of one cluster share. Cutting a link destroys its forwarded
// connections and holds new ones: they are accepted and identified, then left unread and
// unanswered until the link heals, when they are forwarded as if nothing had happened. Holding,
// not refusing, is the better model of a partition: a partition drops packets, so a peer sees
// silence and must notice through its own timeouts, never a quick reset that tells it to retry
// elsewhere at once; and bytes written during a short partition arrive once it heals, as TCP
// retransmission would deliver them. Existing connections are destroyed rather than stalled so
// the cut takes effect at once instead of after each side's request timeout.

import { connect, createServer, type Server, type Socket } from 'node:net';

/** Who opened a connection: a node id, or a real Kafka client. */
export type Peer = number | 'client';

/** Header bytes read to identify a connection; a first frame longer than this is a client's. */
const PEEK_BYTES_MAX = 4096;
const RAFT_HELLO_API_KEY = -1;
/** How long a socket whose other side closed may take to finish its own close. */
const CLOSE_LINGER_MS = 5000;
const NODE_CLIENT_ID = /^tideline-(?:broker|replica-fetcher)-(\d+)$/;

/**
 * Who sent `bytes`, the start of a connection; undefined while more bytes are needed. Kafka
 * request headers v1 and v2 both begin with int16 apiKey, int16 apiVersion, int32 correlationId
 * and a classic (int16-length) nullable client id, so one parse covers every version clients use.
 */
export function identifyPeer(bytes: Buffer): Peer | undefined {
  if (bytes.length < 6) return undefined;
  const size = bytes.readInt32BE(0);
  if (bytes.readInt16BE(4) === RAFT_HELLO_API_KEY) {
    if (size < 6) return 'client';
    return bytes.length < 10 ? undefined : bytes.readInt32BE(6);
  }
  if (size < 10) return 'client';
  if (bytes.length < 14) return undefined;
  const clientIdBytes = bytes.readInt16BE(12);
  if (clientIdBytes < 0 || 10 + clientIdBytes > size || 14 + clientIdBytes > PEEK_BYTES_MAX) return 'client';
  if (bytes.length < 14 + clientIdBytes) return undefined;
  const m = NODE_CLIENT_ID.exec(bytes.toString('utf8', 14, 14 + clientIdBytes));
  return m === null ? 'client' : Number(m[1]);
}

/** The `traffic` key of a connection whose first bytes `head` identified `peer`. */
function connectionLabel(head: Buffer, peer: Peer): string {
  if (peer === 'client') return 'client';
  if (head.readInt16BE(4) === RAFT_HELLO_API_KEY) return `raft-${peer}`;
  return head.toString('utf8', 14, 14 + head.readInt16BE(12));
}

/** The set of cut directed links, shared by the proxies of one cluster. */
export class LinkCuts {
  private readonly cuts = new Set<string>();
  private readonly watchers = new Set<() => void>();

  cut(from: Peer, to: number): void {
    this.cuts.add(`${from}>${to}`);
    this.changed();
  }

  /** Heals every link. */
  heal(): void {
    this.cuts.clear();
    this.changed();
  }

  isCut(from: Peer, to: number): boolean {
    return this.cuts.has(`${from}>${to}`);
  }

  /** Calls `fn` after every change; returns the function that stops it. */
  watch(fn: () => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  private changed(): void {
    for (const fn of this.watchers) fn();
  }
}

export interface FaultProxyOptions {
  /** The node behind the proxy: the `to` of every link through it. */
  nodeId: number;
  target: { host: string; port: number };
  /** The port to listen on (127.0.0.1); 0 picks a free one. */
  port?: number;
  /** Shared with other proxies; a private table otherwise. */
  links?: LinkCuts;
}

interface ProxiedConnection {
  peer: Peer | undefined;
  downstream: Socket;
  upstream: Socket | null;
  /** Bytes read while identifying, not yet forwarded. */
  head: Buffer;
}

export class FaultProxy {
  readonly links: LinkCuts;
  /**
   * Per kind of connection (`raft-<id>`, the node client ids `tideline-broker-<id>` and
   * `tideline-replica-fetcher-<id>`, or `client`): connections forwarded and bytes forwarded
   * towards the node, so tests can check that traffic really passes through the proxies and see
   * who keeps talking to whom. Held connections count once they are released.
   */
  readonly traffic = new Map<string, { connections: number; bytes: number }>();
  private readonly connections = new Set<ProxiedConnection>();
  /** Sockets whose other side closed, waiting for their own end (see closed()). */
  private readonly lingering = new Set<Socket>();
  private readonly unwatch: () => void;
  private isClosed = false;

  private constructor(
    private readonly server: Server,
    private readonly options: FaultProxyOptions,
  ) {
    this.links = options.links ?? new LinkCuts();
    this.unwatch = this.links.watch(() => this.enforce());
    server.on('connection', (socket) => this.accept(socket));
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return new FaultProxy(server, options);
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  get nodeId(): number {
    return this.options.nodeId;
  }

  cut(from: Peer, to: number = this.options.nodeId): void {
    this.links.cut(from, to);
  }

  heal(): void {
    this.links.heal();
  }

  /** Stops listening and destroys every connection. */
  async close(): Promise<void> {
    this.isClosed = true;
    this.unwatch();
    for (const c of this.connections) this.drop(c);
    for (const socket of this.lingering) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(downstream: Socket): void {
    const c: ProxiedConnection = { peer: undefined, downstream, upstream: null, head: Buffer.alloc(0) };
    this.connections.add(c);
    downstream.setNoDelay(true);
    downstream.on('error', () => this.drop(c));
    downstream.on('close', () => this.closed(c, c.upstream));
    const onData = (chunk: Buffer): void => {
      c.head = Buffer.concat([c.head, chunk]);
      const peer = identifyPeer(c.head);
      if (peer === undefined) return;
      downstream.off('data', onData);
      downstream.pause();
      c.peer = peer;
      if (!this.links.isCut(peer, this.options.nodeId)) this.forward(c);
    };
    downstream.on('data', onData);
  }

  /** Dials the node and pipes both ways, starting with the bytes read while identifying. */
  private forward(c: ProxiedConnection): void {
    const upstream = connect({ host: this.options.target.host, port: this.options.target.port });
    upstream.setNoDelay(true);
    c.upstream = upstream;
    upstream.on('error', () => this.drop(c));
    upstream.on('close', () => this.closed(c, c.downstream));
    const label = connectionLabel(c.head, c.peer!);
    const stats = this.traffic.get(label) ?? { connections: 0, bytes: 0 };
    this.traffic.set(label, stats);
    stats.connections++;
    stats.bytes += c.head.length;
    c.downstream.on('data', (chunk: Buffer) => (stats.bytes += chunk.length));
    upstream.write(c.head);
    c.head = Buffer.alloc(0);
    c.downstream.pipe(upstream);
    upstream.pipe(c.downstream);
  }

  /** Applies the link table: drops forwarded connections on cut links, releases held ones. */
  private enforce(): void {
    if (this.isClosed) return;
    for (const c of this.connections) {
      if (c.peer === undefined) continue;
      const isCut = this.links.isCut(c.peer, this.options.nodeId);
      if (isCut && c.upstream !== null) this.drop(c);
      else if (!isCut && c.upstream === null) this.forward(c);
    }
  }

  /** One side closed in order: the other gets what is still queued, then its end. */
  private closed(c: ProxiedConnection, other: Socket | null): void {
    if (!this.connections.delete(c)) return;
    if (other === null) return;
    other.end();
    // A peer that never answers our end must not keep the socket forever; close() ends these too
    // (a paused socket keeps no event loop alive, so the server's close would wait on it forever).
    this.lingering.add(other);
    other.once('close', () => this.lingering.delete(other));
    setTimeout(() => other.destroy(), CLOSE_LINGER_MS).unref();
  }

  /** Destroys both sockets at once: on a cut link nothing more passes in either direction. */
  private drop(c: ProxiedConnection): void {
    if (!this.connections.delete(c)) return;
    c.downstream.destroy();
    c.upstream?.destroy();
  }
}
