// What every console view reads from: the admin client connected to this node's own broker
// listener (so every node's console shows the whole cluster, through the same Kafka APIs the
// CLI uses), and the node itself for what only it knows: Raft state, which brokers are fenced,
// the local logs' sizes and this process's traffic counters.

import { statfs } from 'node:fs/promises';
import type { KafkaAdmin, TopicMetadata } from '../client/index.js';
import type { Logger } from '../common/logger.js';
import type { Broker } from '../broker/broker.js';
import type { RunningNode } from '../broker/node.js';
import type { ThroughputHistory } from './throughput.js';

export interface ConsoleContext {
  admin: KafkaAdmin;
  node: RunningNode;
  broker: Broker;
  logger: Logger;
  throughput: ThroughputHistory;
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/** Bytes of each partition log this node holds, by `topic:partition`. */
export function localLogSizes(broker: Broker): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const log of broker.logs.all()) sizes.set(partitionKey(log.topic, log.partition), log.size);
  return sizes;
}

/** Disk space of this node's log directories. */
export async function localDisk(broker: Broker): Promise<{ dir: string; totalBytes: number; usableBytes: number }[]> {
  return Promise.all(broker.config.logDirs.map(async (dir) => {
    const s = await statfs(dir);
    return { dir, totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize };
  }));
}

/** Start and end offsets of every partition of `topics`, by `topic:partition`. */
export async function offsetRanges(admin: KafkaAdmin, topics: readonly TopicMetadata[]): Promise<Map<string, { start: number; end: number }>> {
  const partitions = topics.flatMap((t) => t.partitions.filter((p) => p.leaderId >= 0).map((p) => ({ topic: t.name, partition: p.partition })));
  const out = new Map<string, { start: number; end: number }>();
  if (partitions.length === 0) return out;
  const [starts, ends] = await Promise.all([
    admin.listOffsets(partitions.map((p) => ({ ...p, spec: 'earliest' as const }))),
    admin.listOffsets(partitions.map((p) => ({ ...p, spec: 'latest' as const }))),
  ]);
  starts.forEach((s, i) => out.set(partitionKey(s.topic, s.partition), { start: s.offset, end: ends[i]!.offset }));
  return out;
}
