// Multi-process clusters for integration tests: N `tideline start` processes with Kafka's KRaft
// settings (combined broker+controller voters by default), each with fixed free loopback ports
// and its own temp data dir, so a node can be killed and restarted in place. Nodes are tracked by
// cleanup.ts like every broker process. Also small wire probes (DescribeQuorum, Metadata) and a
// bounded poll, since a cluster converges by itself after each fault.

import { createServer } from 'node:net';
import { ApiKey } from '../../src/protocol/generated/api-keys.js';
import { ZERO_UUID } from '../../src/protocol/reader.js';
import { makeTempDir } from './cleanup.js';
import { startBroker, type BrokerProcess } from './broker.js';
import { WireClient } from './kafka-wire.js';

export interface ClusterNodeConfig {
  id: number;
  port: number;
  controllerPort: number | null;
  dataDir: string;
  roles: string;
  overrides: Record<string, string>;
}

/** Shorter broker sessions than Kafka's 9 s default keep fencing tests quick; Raft timings stay default. */
export const FAST_SESSION_OVERRIDES: Record<string, string> = {
  'broker.session.timeout.ms': '3000',
  'broker.heartbeat.interval.ms': '500',
};

export class TestCluster {
  readonly nodes = new Map<number, BrokerProcess>();
  readonly configs = new Map<number, ClusterNodeConfig>();

  private constructor(readonly voters: string) {}

  /** Starts `count` combined nodes with ids 1..count and waits until every one is ready. */
  static async start(count: number, overrides: Record<string, string> = {}): Promise<TestCluster> {
    const ports = await freePorts(2 * count);
    const ids = Array.from({ length: count }, (_, i) => i + 1);
    const voters = ids.map((id, i) => `${id}@127.0.0.1:${ports[2 * i + 1]}`).join(',');
    const cluster = new TestCluster(voters);
    ids.forEach((id, i) => {
      cluster.configs.set(id, { id, port: ports[2 * i]!, controllerPort: ports[2 * i + 1]!, dataDir: makeTempDir(`tideline-node${id}-`), roles: 'broker,controller', overrides });
    });
    await Promise.all(ids.map((id) => cluster.startNode(id)));
    return cluster;
  }

  /** Adds a broker-only node (an observer of the metadata quorum) and waits until it is ready. */
  async addBroker(id: number, overrides: Record<string, string> = {}): Promise<BrokerProcess> {
    const [port] = await freePorts(1);
    this.configs.set(id, { id, port: port!, controllerPort: null, dataDir: makeTempDir(`tideline-node${id}-`), roles: 'broker', overrides });
    return this.startNode(id);
  }

  /** Starts (or restarts, with the same ports and data) node `id`. */
  async startNode(id: number, readyTimeoutMs = 60_000): Promise<BrokerProcess> {
    const c = this.configs.get(id)!;
    const listeners = c.controllerPort === null ? `PLAINTEXT://127.0.0.1:${c.port}` : `PLAINTEXT://127.0.0.1:${c.port},CONTROLLER://127.0.0.1:${c.controllerPort}`;
    const node = await startBroker({
      dataDir: c.dataDir,
      readyTimeoutMs,
      overrides: {
        'node.id': String(id),
        'process.roles': c.roles,
        listeners,
        'controller.listener.names': 'CONTROLLER',
        'controller.quorum.voters': this.voters,
        ...c.overrides,
      },
    });
    this.nodes.set(id, node);
    return node;
  }

  bootstrap(ids: number[] = [...this.nodes.keys()]): string {
    return ids.map((id) => `127.0.0.1:${this.configs.get(id)!.port}`).join(',');
  }

  node(id: number): BrokerProcess {
    return this.nodes.get(id)!;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((n) => n.stop(20_000).catch(() => n.kill('SIGKILL'))));
  }
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

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
