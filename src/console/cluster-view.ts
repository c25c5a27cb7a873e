// The overview, topics and brokers pages' data. Topology, partitions and offsets come through
// the admin client; node roles, fencing and Raft state from this node's metadata image and
// quorum; sizes from the logs this node holds (a partition with no replica here shows no size).
// A topic's message rate is the growth of its log end offsets between two looks.

import type { ConfigOp, TopicMetadata } from '../client/index.js';
import { ConsoleRequestError } from './http.js';
import { localDisk, localLogSizes, offsetRanges, partitionKey, type ConsoleContext } from './context.js';

export interface NodeView {
  id: number;
  host: string | null;
  port: number | null;
  rack: string | null;
  roles: ('broker' | 'controller')[];
  isActiveController: boolean;
  /** online, fenced, shutting-down; a controller-only voter is `voter`. */
  state: string;
}

export function nodesView(ctx: ConsoleContext): NodeView[] {
  const image = ctx.broker.image;
  const quorum = ctx.node.quorum;
  const ids = new Set([...image.brokers.keys(), ...quorum.voterAddresses.keys()]);
  return [...ids].sort((a, b) => a - b).map((id) => {
    const b = image.brokers.get(id);
    const voter = quorum.voterAddresses.get(id) ?? null;
    const ep = b?.endPoints[0];
    const roles: NodeView['roles'] = [];
    if (b !== undefined) roles.push('broker');
    if (quorum.voterAddresses.has(id)) roles.push('controller');
    const state = b === undefined ? 'voter' : b.fenced ? 'fenced' : b.inControlledShutdown ? 'shutting-down' : 'online';
    return { id, host: ep?.host ?? voter?.host ?? null, port: ep?.port ?? null, rack: b?.rack ?? null, roles, isActiveController: quorum.leaderId === id, state };
  });
}

interface PartitionHealth {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export function partitionHealth(topics: readonly TopicMetadata[]): { offline: PartitionHealth[]; underReplicated: PartitionHealth[]; partitions: number } {
  const offline: PartitionHealth[] = [];
  const underReplicated: PartitionHealth[] = [];
  let partitions = 0;
  for (const t of topics) {
    for (const p of t.partitions) {
      partitions++;
      const h = { topic: t.name, partition: p.partition, leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes };
      if (p.leaderId < 0) offline.push(h);
      else if (p.isrNodes.length < p.replicaNodes.length) underReplicated.push(h);
    }
  }
  return { offline, underReplicated, partitions };
}

export async function overview(ctx: ConsoleContext) {
  const meta = await ctx.admin.metadata();
  const health = partitionHealth(meta.topics);
  const raft = ctx.node.quorum.raftNode;
  return {
    clusterId: meta.clusterId,
    nodeId: ctx.broker.nodeId,
    activeControllerId: ctx.node.quorum.leaderId,
    raft: { role: raft.role, epoch: raft.epoch, highWatermark: raft.highWatermark, appliedOffset: ctx.node.quorum.appliedOffset },
    nodes: nodesView(ctx),
    topics: meta.topics.length,
    ...health,
    throughput: ctx.throughput.all(),
  };
}

export class TopicRates {
  private readonly last = new Map<string, { messages: number; atMs: number; perSec: number | null }>();

  /** Messages per second since the previous look at least a second ago (null on the first). */
  rate(topic: string, endSum: number, nowMs: number): number | null {
    const prev = this.last.get(topic);
    if (prev !== undefined && nowMs - prev.atMs < 1000) return prev.perSec;
    const perSec = prev === undefined ? null : Math.max(0, ((endSum - prev.messages) * 1000) / (nowMs - prev.atMs));
    this.last.set(topic, { messages: endSum, atMs: nowMs, perSec });
    return perSec;
  }

  /** Forgets topics that no longer exist (deleted since the previous look). */
  keepOnly(topics: Set<string>): void {
    for (const topic of this.last.keys()) if (!topics.has(topic)) this.last.delete(topic);
  }
}

export async function topicsView(ctx: ConsoleContext, rates: TopicRates) {
  const meta = await ctx.admin.metadata();
  const ranges = await offsetRanges(ctx.admin, meta.topics);
  const sizes = localLogSizes(ctx.broker);
  const now = Date.now();
  rates.keepOnly(new Set(meta.topics.map((t) => t.name)));
  return meta.topics.map((t) => {
    let endSum = 0;
    let messages = 0;
    let size: number | null = null;
    for (const p of t.partitions) {
      const r = ranges.get(partitionKey(t.name, p.partition));
      if (r) {
        endSum += r.end;
        messages += r.end - r.start;
      }
      const s = sizes.get(partitionKey(t.name, p.partition));
      if (s !== undefined) size = (size ?? 0) + s;
    }
    const health = partitionHealth([t]);
    return {
      name: t.name,
      isInternal: t.isInternal,
      partitions: t.partitions.length,
      replicationFactor: Math.max(0, ...t.partitions.map((p) => p.replicaNodes.length)),
      underReplicated: health.underReplicated.length,
      offline: health.offline.length,
      messages,
      sizeBytes: size,
      messagesPerSec: rates.rate(t.name, endSum, now),
    };
  }).sort((a, b) => a.name.localeCompare(b.name));
}

export async function topicView(ctx: ConsoleContext, name: string) {
  const meta = await ctx.admin.metadata([name]);
  const topic = meta.topics.find((t) => t.name === name);
  if (topic === undefined || topic.errorCode !== 0) throw new ConsoleRequestError(`topic ${name} does not exist`, 404);
  const [ranges, configs] = await Promise.all([offsetRanges(ctx.admin, [topic]), ctx.admin.describeConfigs('topic', name)]);
  const sizes = localLogSizes(ctx.broker);
  return {
    name,
    topicId: topic.topicId,
    isInternal: topic.isInternal,
    partitions: topic.partitions.map((p) => {
      const r = ranges.get(partitionKey(name, p.partition));
      return {
        partition: p.partition,
        leader: p.leaderId,
        leaderEpoch: p.leaderEpoch,
        replicas: p.replicaNodes,
        isr: p.isrNodes,
        logStartOffset: r?.start ?? null,
        logEndOffset: r?.end ?? null,
        sizeBytes: sizes.get(partitionKey(name, p.partition)) ?? null,
      };
    }),
    configs,
  };
}

export interface CreateTopicBody {
  name?: unknown;
  partitions?: unknown;
  replicationFactor?: unknown;
  configs?: unknown;
}

export async function createTopic(ctx: ConsoleContext, body: CreateTopicBody): Promise<{ created: string }> {
  if (typeof body.name !== 'string' || body.name === '') throw new ConsoleRequestError('a topic needs a name');
  const count = (v: unknown, what: string): number | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new ConsoleRequestError(`${what} must be a whole number of at least 1`);
    return n;
  };
  const configs = stringRecord(body.configs, 'configs');
  await ctx.admin.createTopics([{ name: body.name, numPartitions: count(body.partitions, 'partitions'), replicationFactor: count(body.replicationFactor, 'replication factor'), configs }]);
  return { created: body.name };
}

/** `{ set: {name: value}, delete: [name] }` as IncrementalAlterConfigs operations. */
export async function alterTopicConfigs(ctx: ConsoleContext, topic: string, body: { set?: unknown; delete?: unknown }): Promise<{ altered: string }> {
  const ops: ConfigOp[] = Object.entries(stringRecord(body.set, 'set') ?? {}).map(([name, value]) => ({ name, op: 'set', value }));
  if (body.delete !== undefined) {
    if (!Array.isArray(body.delete) || body.delete.some((n) => typeof n !== 'string')) throw new ConsoleRequestError('delete must be a list of config names');
    for (const name of body.delete as string[]) ops.push({ name, op: 'delete' });
  }
  if (ops.length === 0) throw new ConsoleRequestError('nothing to change');
  await ctx.admin.alterTopicConfigs(topic, ops);
  return { altered: topic };
}

function stringRecord(v: unknown, what: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConsoleRequestError(`${what} must be an object of names to values`);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

export async function brokersView(ctx: ConsoleContext) {
  const meta = await ctx.admin.metadata();
  const sizes = localLogSizes(ctx.broker);
  let localBytes = 0;
  for (const s of sizes.values()) localBytes += s;
  const counts = new Map<number, { replicas: number; leaders: number }>();
  for (const t of meta.topics) {
    for (const p of t.partitions) {
      for (const r of p.replicaNodes) {
        const c = counts.get(r) ?? { replicas: 0, leaders: 0 };
        c.replicas++;
        if (p.leaderId === r) c.leaders++;
        counts.set(r, c);
      }
    }
  }
  const disk = await localDisk(ctx.broker);
  return nodesView(ctx).map((n) => ({
    ...n,
    replicas: counts.get(n.id)?.replicas ?? 0,
    leaders: counts.get(n.id)?.leaders ?? 0,
    isThisNode: n.id === ctx.broker.nodeId,
    logBytes: n.id === ctx.broker.nodeId ? localBytes : null,
    logDirs: n.id === ctx.broker.nodeId ? disk : null,
  }));
}
