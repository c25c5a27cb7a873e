// Connections keyed by broker node id, opened on first use and reopened after they close. Node
// addresses come from Metadata and FindCoordinator answers (`learn`). The bootstrap connection has
// no node id yet, so it sits under a negative key, as the Java client does, and serves requests
// any broker can answer until the pool knows real nodes.

import { KafkaConnection, type ConnectionOptions } from './connection.js';
import { networkError } from './errors.js';
import type { BrokerNode } from './types.js';

export type PoolOptions = Omit<ConnectionOptions, 'host' | 'port'>;

const BOOTSTRAP_KEY = -1;

/** A connection that failed to open has nothing to close; its error already reached whoever awaited it. */
function ignoreFailedOpen(err: unknown): void {
  void err;
}

export interface HostPort {
  host: string;
  port: number;
}

export class BrokerPool {
  private readonly connections = new Map<number, Promise<KafkaConnection>>();
  private readonly nodes = new Map<number, BrokerNode>();
  /** Where any() starts looking, so that a dead broker is not the only one ever tried. */
  private anyCursor = 0;

  constructor(private readonly options: PoolOptions) {}

  /** Tries each address in turn and keeps the first connection that completes its handshake. */
  async connectBootstrap(addresses: readonly HostPort[]): Promise<void> {
    const failures: string[] = [];
    for (const address of addresses) {
      try {
        const connection = await KafkaConnection.open({ ...this.options, ...address });
        this.connections.set(BOOTSTRAP_KEY, Promise.resolve(connection));
        return;
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
        if (addresses.length === 1) throw err;
      }
    }
    throw networkError(`no bootstrap server answered: ${failures.join('; ')}`);
  }

  /** Records where brokers listen (from Metadata or FindCoordinator). */
  learn(nodes: readonly BrokerNode[]): void {
    for (const node of nodes) {
      const known = this.nodes.get(node.nodeId);
      if (known !== undefined && (known.host !== node.host || known.port !== node.port)) {
        // The broker moved: drop the connection to its old address.
        void this.connections.get(node.nodeId)?.then((c) => c.close(), ignoreFailedOpen);
        this.connections.delete(node.nodeId);
      }
      this.nodes.set(node.nodeId, node);
    }
  }

  node(nodeId: number): BrokerNode | undefined {
    return this.nodes.get(nodeId);
  }

  knownNodes(): BrokerNode[] {
    return [...this.nodes.values()].sort((a, b) => a.nodeId - b.nodeId);
  }

  /** An open connection to `nodeId`, opened if needed; NETWORK_EXCEPTION if its address is unknown. */
  get(nodeId: number): Promise<KafkaConnection> {
    const existing = this.connections.get(nodeId);
    if (existing === undefined) return this.reopen(nodeId);
    return existing.then(
      (c) => (c.isClosed ? this.replace(nodeId, existing) : c),
      () => this.replace(nodeId, existing),
    );
  }

  /** Reopens a dead connection unless a concurrent caller already has. */
  private replace(nodeId: number, stale: Promise<KafkaConnection>): Promise<KafkaConnection> {
    const current = this.connections.get(nodeId);
    return current !== undefined && current !== stale ? this.get(nodeId) : this.reopen(nodeId);
  }

  /** Any usable connection: the bootstrap one while it is open, else one to a known broker. */
  async any(): Promise<KafkaConnection> {
    const bootstrap = this.connections.get(BOOTSTRAP_KEY);
    if (bootstrap !== undefined) {
      const connection = await bootstrap.catch((err: unknown) => void err);
      if (connection !== undefined && !connection.isClosed) return connection;
      this.connections.delete(BOOTSTRAP_KEY);
    }
    const nodes = this.knownNodes();
    if (nodes.length === 0) throw networkError('not connected: call connect() with a bootstrap server first');
    // Any broker will do: try each known one in turn (a dead one must not block the others),
    // starting after the one tried last so that retries spread.
    let lastError: unknown;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[(this.anyCursor + i) % nodes.length]!;
      try {
        const connection = await this.get(node.nodeId);
        this.anyCursor = (this.anyCursor + i) % nodes.length;
        return connection;
      } catch (err) {
        lastError = err;
      }
    }
    this.anyCursor = (this.anyCursor + 1) % nodes.length;
    throw lastError;
  }

  close(): void {
    for (const pending of this.connections.values()) void pending.then((c) => c.close(), ignoreFailedOpen);
    this.connections.clear();
  }

  private reopen(nodeId: number): Promise<KafkaConnection> {
    const node = this.nodes.get(nodeId);
    if (node === undefined) return Promise.reject(networkError(`no known address for broker ${nodeId}`));
    const opening = KafkaConnection.open({ ...this.options, host: node.host, port: node.port });
    this.connections.set(nodeId, opening);
    // A failed open is forgotten so the next request tries again.
    opening.catch(() => {
      if (this.connections.get(nodeId) === opening) this.connections.delete(nodeId);
    });
    return opening;
  }
}
