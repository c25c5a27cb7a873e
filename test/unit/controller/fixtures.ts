// Shared builders for the controller and metadata tests: images with brokers and partitions in
// exactly the state a test names, built from records as the controller would commit them.

import { MetadataImage } from '../../../src/metadata/image.js';
import type { PartitionImage } from '../../../src/metadata/image.js';
import type { MetadataRecord } from '../../../src/metadata/records.js';

export const CLUSTER_ID = 'cluster-1';

/** A valid Kafka uuid (base64url of 16 bytes) derived from `n`. */
export function uuid(n: number): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUInt32BE(n >>> 0, 12);
  bytes[0] = 0x10; // never the reserved zero id
  return bytes.toString('base64url');
}

export interface BrokerSpec {
  id: number;
  epoch?: number;
  fenced?: boolean;
  inControlledShutdown?: boolean;
  rack?: string | null;
  incarnation?: string;
}

export function registerRecord(spec: BrokerSpec | number): MetadataRecord {
  const b = typeof spec === 'number' ? { id: spec } : spec;
  return {
    type: 'RegisterBroker',
    brokerId: b.id,
    incarnationId: b.incarnation ?? uuid(1000 + b.id),
    brokerEpoch: b.epoch ?? 0,
    endPoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + b.id, securityProtocol: 0 }],
    rack: b.rack ?? null,
    fenced: b.fenced ?? false,
    inControlledShutdown: b.inControlledShutdown ?? false,
  };
}

export interface PartitionSpec {
  replicas: number[];
  isr?: number[];
  leader?: number;
}

/** Topic `name` gets id topicIdOf(name). */
export function topicIdOf(name: string): string {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return uuid(h);
}

export function imageWith(brokers: (BrokerSpec | number)[], topics: Record<string, PartitionSpec[]> = {}): MetadataImage {
  const image = new MetadataImage(CLUSTER_ID);
  for (const b of brokers) image.apply(registerRecord(b));
  for (const [name, partitions] of Object.entries(topics)) {
    const topicId = topicIdOf(name);
    image.apply({ type: 'Topic', name, topicId });
    partitions.forEach((p, partitionId) => {
      const isr = p.isr ?? p.replicas;
      image.apply({ type: 'Partition', topicId, partitionId, replicas: p.replicas, isr, leader: p.leader ?? isr[0]!, leaderEpoch: 0, partitionEpoch: 0 });
    });
  }
  return image;
}

export function applyAll(image: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  for (const r of records) image.apply(r);
  return image;
}

export function partitionOf(image: MetadataImage, topic: string, partitionId: number): PartitionImage {
  const p = image.topicsByName.get(topic)?.partitions[partitionId];
  if (!p) throw new Error(`no partition ${topic}-${partitionId}`);
  return p;
}

/** [leader, isr] of every partition of `topic`, for compact expectations. */
export function leadersAndIsrs(image: MetadataImage, topic: string): [number, number[]][] {
  return image.topicsByName.get(topic)!.partitions.map((p) => [p.leader, p.isr]);
}

/** A fresh image folded from `image.toRecords()`. */
export function refold(image: MetadataImage): MetadataImage {
  return applyAll(new MetadataImage(image.clusterId), image.toRecords());
}
