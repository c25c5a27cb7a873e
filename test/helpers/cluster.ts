// Multi-process clusters for integration tests: N `tideline start` processes with Kafka's KRaft
// settings (combined broker+controller voters by default), each with fixed free loopback ports
// and its own temp data dir, so a node can be killed and restarted in place. Nodes are tracked by
// cleanup.ts like every broker process. Also small wire probes (DescribeQuorum, Metadata) and a
// bounded poll, since a cluster converges by itself after each fault.
//
// With `{ proxied: true }` every node's PLAINTEXT and CONTROLLER listener sits behind a FaultProxy
// (fault-proxy.ts): nodes bind their own ports but advertise the proxies', and
// controller.quorum.voters names the CONTROLLER proxies, so every connection between nodes (Raft,
// controller channel, replica fetching) passes through a proxy and `isolate` can partition a node.
// The proxies outlive node restarts, so a restarted node keeps its addresses.

import { ApiKey } from '../../src/protocol/generated/api-keys.js';
import { ZERO_UUID } from '../../src/protocol/reader.js';
import { freePorts } from '../../src/cli/cluster-run.js';
import { makeTempDir } from './cleanup.js';
import { startBroker, type BrokerProcess } from './broker.js';
import { WireClient } from './kafka-wire.js';
import { FaultProxy, LinkCuts } from './fault-proxy.js';

export interface ClusterNodeConfig {
  id: number;
  port: number;
  controllerPort: number | null;
  dataDir: string;
  roles: string;
  overrides: Record<string, string>;
}

export interface ClusterOptions {
  /** Put a FaultProxy in front of each node's listeners so that nodes can be partitioned. */
  proxied?: boolean;
}

/** The proxies in front of one node: PLAINTEXT always, CONTROLLER on voters. */
export interface NodeProxies {
  plaintext: FaultProxy;
  controller: FaultProxy | null;
}

/** Shorter broker sessions than Kafka's 9 s default keep fencing tests quick; Raft timings stay default. */
export const FAST_SESSION_OVERRIDES: Record<string, string> = {
  'broker.session.timeout.ms': '3000',
  'broker.heartbeat.interval.ms': '500',
};

export class TestCluster {
  readonly nodes = new Map<number, BrokerProcess>();
  readonly configs = new Map<number, ClusterNodeConfig>();
  /** Empty unless the cluster was started with `proxied`. */
  readonly proxies = new Map<number, NodeProxies>();

  private constructor(
    readonly voters: string,
    /** The cut links all proxies share; null without `proxied`. */
    readonly links: LinkCuts | null = null,
  ) {}

  /** Starts `count` combined nodes with ids 1..count and waits until every one is ready. */
  static async start(count: number, overrides: Record<string, string> = {}, options: ClusterOptions = {}): Promise<TestCluster> {
    // Proxy ports come from the same batch, so none can collide with a node's own port.
    const ports = await freePorts((options.proxied ? 4 : 2) * count);
    const ids = Array.from({ length: count }, (_, i) => i + 1);
    let cluster: TestCluster;
    if (options.proxied) {
      const links = new LinkCuts();
      const proxyPorts = ports.slice(2 * count);
      const proxies = await Promise.all(ids.map((id, i) => startProxies(id, links, [ports[2 * i]!, proxyPorts[2 * i]!], [ports[2 * i + 1]!, proxyPorts[2 * i + 1]!])));
      cluster = new TestCluster(ids.map((id, i) => `${id}@127.0.0.1:${proxies[i]!.controller!.port}`).join(','), links);
      ids.forEach((id, i) => cluster.proxies.set(id, proxies[i]!));
    } else {
      cluster = new TestCluster(ids.map((id, i) => `${id}@127.0.0.1:${ports[2 * i + 1]}`).join(','));
    }
    ids.forEach((id, i) => {
      cluster.configs.set(id, { id, port: ports[2 * i]!, controllerPort: ports[2 * i + 1]!, dataDir: makeTempDir(`tideline-node${id}-`), roles: 'broker,controller', overrides });
    });
    await Promise.all(ids.map((id) => cluster.startNode(id)));
    return cluster;
  }

  /** Adds a broker-only node (an observer of the metadata quorum) and waits until it is ready. */
  async addBroker(id: number, overrides: Record<string, string> = {}): Promise<BrokerProcess> {
    const [port, proxyPort] = await freePorts(2);
    if (this.links !== null) this.proxies.set(id, await startProxies(id, this.links, [port!, proxyPort!], null));
    this.configs.set(id, { id, port: port!, controllerPort: null, dataDir: makeTempDir(`tideline-node${id}-`), roles: 'broker', overrides });
    return this.startNode(id);
  }

  /** Starts (or restarts, with the same ports and data) node `id`. */
  async startNode(id: number, readyTimeoutMs = 60_000): Promise<BrokerProcess> {
    const c = this.configs.get(id)!;
    const listeners = c.controllerPort === null ? `PLAINTEXT://127.0.0.1:${c.port}` : `PLAINTEXT://127.0.0.1:${c.port},CONTROLLER://127.0.0.1:${c.controllerPort}`;
    const proxies = this.proxies.get(id);
    const node = await startBroker({
      dataDir: c.dataDir,
      readyTimeoutMs,
      overrides: {
        'node.id': String(id),
        'process.roles': c.roles,
        listeners,
        ...(proxies === undefined ? {} : { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxies.plaintext.port}` }),
        'controller.listener.names': 'CONTROLLER',
        'controller.quorum.voters': this.voters,
        ...c.overrides,
      },
    });
    this.nodes.set(id, node);
    return node;
  }

  /** host:port of each node's PLAINTEXT listener as clients see it (its proxy when proxied). */
  bootstrap(ids: number[] = [...this.nodes.keys()]): string {
    return ids.map((id) => `127.0.0.1:${this.proxies.get(id)?.plaintext.port ?? this.configs.get(id)!.port}`).join(',');
  }

  node(id: number): BrokerProcess {
    return this.nodes.get(id)!;
  }

  /**
   * Cuts every link between node `id` and the other nodes, both ways: Raft, the controller channel
   * and replica fetching. Real clients keep their access to it, so this models a broker
   * partitioned from its peers but not from its clients, the harder case for acks=all: an
   * isolated leader still receives produce requests it cannot replicate and must not
   * acknowledge them. (A node cut from clients too is just unreachable, as after kill -9.)
   */
  isolate(id: number): void {
    const links = this.proxiedLinks();
    for (const other of this.configs.keys()) {
      if (other === id) continue;
      links.cut(other, id);
      links.cut(id, other);
    }
  }

  /** Heals every cut link; held connections are then delivered. */
  healAll(): void {
    this.proxiedLinks().heal();
  }

  /** Stops every node, then (when proxied) the proxies; links are healed first so shutdown need not wait out a partition. */
  async stopAll(): Promise<void> {
    this.links?.heal();
    await Promise.all([...this.nodes.values()].map((n) => n.stop(20_000).catch(() => n.kill('SIGKILL'))));
    await Promise.all([...this.proxies.values()].flatMap((p) => [p.plaintext.close(), p.controller?.close()]));
  }

  private proxiedLinks(): LinkCuts {
    if (this.links === null) throw new Error('this cluster was not started with { proxied: true }');
    return this.links;
  }
}

/** Proxies for node `id`, each given as [node port, proxy port], sharing `links`. */
async function startProxies(id: number, links: LinkCuts, plaintext: [number, number], controller: [number, number] | null): Promise<NodeProxies> {
  const start = ([target, port]: [number, number]) => FaultProxy.start({ nodeId: id, target: { host: '127.0.0.1', port: target }, port, links });
  return { plaintext: await start(plaintext), controller: controller === null ? null : await start(controller) };
}

export interface QuorumStatus {
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  voters: number[];
  observers: number[];
}

/** DescribeQuorum through broker `bootstrap` (forwarded to the active controller). */
export async function describeQuorum(bootstrap: string): Promise<QuorumStatus> {
  const client = await WireClient.connect(bootstrap);
  try {
    const res = await client.request(ApiKey.DescribeQuorum, 2, { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] }, 5000);
    const p = res.topics[0].partitions[0];
    if (p.errorCode !== 0) throw new Error(`DescribeQuorum error ${p.errorCode}`);
    return {
      leaderId: p.leaderId,
      leaderEpoch: p.leaderEpoch,
      highWatermark: p.highWatermark,
      voters: p.currentVoters.map((v: { replicaId: number }) => v.replicaId).sort(),
      observers: p.observers.map((v: { replicaId: number }) => v.replicaId).sort(),
    };
  } finally {
    client.close();
  }
}

export interface MetadataView {
  brokers: number[];
  controllerId: number;
  topics: Map<string, { partition: number; leader: number; replicas: number[]; isr: number[]; errorCode: number }[]>;
}

/** Metadata v12 from one broker: live broker ids and each topic's partitions. */
export async function metadataFrom(bootstrap: string, topics: string[] | null = null): Promise<MetadataView> {
  const client = await WireClient.connect(bootstrap);
  try {
    const res = await client.request(
      ApiKey.Metadata,
      12,
      { topics: topics === null ? null : topics.map((name) => ({ name, topicId: ZERO_UUID })), allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false },
      5000,
    );
    const out: MetadataView = { brokers: res.brokers.map((b: { nodeId: number }) => b.nodeId).sort(), controllerId: res.controllerId, topics: new Map() };
    for (const t of res.topics) {
      out.topics.set(
        t.name,
        t.partitions
          .map((p: { partitionIndex: number; leaderId: number; replicaNodes: number[]; isrNodes: number[]; errorCode: number }) => ({
            partition: p.partitionIndex,
            leader: p.leaderId,
            replicas: p.replicaNodes,
            isr: p.isrNodes,
            errorCode: p.errorCode,
          }))
          .sort((a: { partition: number }, b: { partition: number }) => a.partition - b.partition),
      );
    }
    return out;
  } finally {
    client.close();
  }
}

/** Polls `probe` until it returns a value (not undefined/false), or throws after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}
