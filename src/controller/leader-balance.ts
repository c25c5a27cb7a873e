// Leader imbalance, for auto.leader.rebalance.enable: which partitions are led by a broker other
// than their preferred replica (the first) although that replica could lead, and which brokers
// are preferred for so many partitions they do not lead that Kafka's controller would rebalance
// them (leader.imbalance.per.broker.percentage, default 10). Pure reads of the image; the caller
// feeds the partitions to preferredLeaderElection on its leader.imbalance.check.interval.seconds.

import type { MetadataImage, PartitionImage } from '../metadata/image.js';
import { partitionsOf, type PartitionRef } from './partition-election.js';

/**
 * Partitions whose preferred replica is active and in the ISR but does not lead; with
 * `preferredBrokers`, only those whose preferred replica is one of them.
 */
export function leaderImbalance(image: MetadataImage, preferredBrokers?: readonly number[]): PartitionRef[] {
  const out: PartitionRef[] = [];
  for (const { topicId, partition: p } of partitionsOf(image)) {
    const preferred = p.replicas[0]!;
    if (preferredBrokers !== undefined && !preferredBrokers.includes(preferred)) continue;
    if (p.leader !== preferred && p.isr.includes(preferred) && image.isActiveBroker(preferred)) out.push({ topicId, partitionId: p.partitionId });
  }
  return out;
}

/**
 * Active brokers whose share of not-led partitions, among the partitions they are preferred for,
 * exceeds `percentage` percent (Kafka compares strictly: 10 means more than 10%). By broker id.
 */
export function imbalancedBrokers(image: MetadataImage, percentage: number): number[] {
  const preferredFor = new Map<number, PartitionImage[]>();
  for (const { partition: p } of partitionsOf(image)) {
    const list = preferredFor.get(p.replicas[0]!) ?? [];
    list.push(p);
    preferredFor.set(p.replicas[0]!, list);
  }
  const out: number[] = [];
  for (const [brokerId, partitions] of preferredFor) {
    if (!image.isActiveBroker(brokerId)) continue;
    const notLed = partitions.filter((p) => p.leader !== brokerId).length;
    if (notLed / partitions.length > percentage / 100) out.push(brokerId);
  }
  return out.sort((a, b) => a - b);
}
