// The metadata image: what every broker serves Metadata, DescribeCluster and DescribeConfigs
// from, and what the controller decides from. It is nothing but the fold of committed metadata
// records, so replaying the metadata log from the start rebuilds it exactly, and toRecords()
// writes it back out as the records of a Raft snapshot. Pure: apply() changes state, nothing
// else happens here. A record that names an unknown broker, topic or partition, or a broker
// epoch other than the registered one, is a controller bug and fails an assertion, as Kafka's
// replay throws.

import { assert } from '../common/assert.js';
import { ConfigResourceType, NO_LEADER_CHANGE, type BrokerEndpoint, type MetadataRecord } from './records.js';

export interface BrokerImage {
  brokerId: number;
  incarnationId: string;
  brokerEpoch: number;
  endPoints: BrokerEndpoint[];
  rack: string | null;
  fenced: boolean;
  inControlledShutdown: boolean;
}

export interface PartitionImage {
  partitionId: number;
  replicas: number[];
  isr: number[];
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  /** KIP-455: target replicas not yet caught up; empty when no reassignment is in progress. */
  addingReplicas: number[];
  /** KIP-455: replicas that leave when the reassignment completes; empty when none is in progress. */
  removingReplicas: number[];
}

export interface TopicImage {
  name: string;
  topicId: string;
  partitions: PartitionImage[]; // index = partition id
}

export class MetadataImage {
  readonly brokers = new Map<number, BrokerImage>();
  readonly topicsByName = new Map<string, TopicImage>();
  readonly topicsById = new Map<string, TopicImage>();
  /** Topic config overrides: topic name → key → value. A topic without overrides has no entry. */
  readonly topicConfigs = new Map<string, Map<string, string>>();
  /** Next producer id block start, per the last ProducerIdsRecord. */
  nextProducerId = 0;

  constructor(readonly clusterId: string) {}

  apply(record: MetadataRecord): void {
    switch (record.type) {
      case 'RegisterBroker':
        this.brokers.set(record.brokerId, {
          brokerId: record.brokerId,
          incarnationId: record.incarnationId,
          brokerEpoch: record.brokerEpoch,
          endPoints: record.endPoints,
          rack: record.rack,
          fenced: record.fenced,
          inControlledShutdown: record.inControlledShutdown ?? false,
        });
        return;
      case 'UnregisterBroker':
        this.registered(record.brokerId, record.brokerEpoch, record.type);
        this.brokers.delete(record.brokerId);
        return;
      case 'FenceBroker':
        this.registered(record.brokerId, record.brokerEpoch, record.type).fenced = true;
        return;
      case 'UnfenceBroker':
        this.registered(record.brokerId, record.brokerEpoch, record.type).fenced = false;
        return;
      case 'BrokerRegistrationChange': {
        const broker = this.registered(record.brokerId, record.brokerEpoch, record.type);
        if (record.fenced !== undefined) broker.fenced = record.fenced;
        if (record.inControlledShutdown !== undefined) broker.inControlledShutdown = record.inControlledShutdown;
        return;
      }
      case 'Topic': {
        const topic: TopicImage = { name: record.name, topicId: record.topicId, partitions: [] };
        this.topicsByName.set(record.name, topic);
        this.topicsById.set(record.topicId, topic);
        return;
      }
      case 'Partition': {
        const topic = this.topicsById.get(record.topicId);
        assert(topic, `PartitionRecord for unknown topic id ${record.topicId}`);
        topic.partitions[record.partitionId] = {
          partitionId: record.partitionId,
          replicas: record.replicas,
          isr: record.isr,
          leader: record.leader,
          leaderEpoch: record.leaderEpoch,
          partitionEpoch: record.partitionEpoch,
          addingReplicas: record.addingReplicas ?? [],
          removingReplicas: record.removingReplicas ?? [],
        };
        return;
      }
      case 'PartitionChange':
        this.applyPartitionChange(record);
        return;
      case 'Config':
        this.applyConfig(record);
        return;
      case 'RemoveTopic': {
        const topic = this.topicsById.get(record.topicId);
        assert(topic, `RemoveTopicRecord for unknown topic id ${record.topicId}`);
        this.topicsById.delete(topic.topicId);
        this.topicsByName.delete(topic.name);
        this.topicConfigs.delete(topic.name);
        return;
      }
      case 'ProducerIds':
        this.nextProducerId = record.nextProducerId;
        return;
    }
  }

  private registered(brokerId: number, brokerEpoch: number, what: string): BrokerImage {
    const broker = this.brokers.get(brokerId);
    assert(broker, `${what} for unregistered broker ${brokerId}`);
    assert(broker.brokerEpoch === brokerEpoch, `${what} for broker ${brokerId} epoch ${brokerEpoch}; registered epoch is ${broker.brokerEpoch}`);
    return broker;
  }

  /** A leader change bumps the leader epoch; every change bumps the partition epoch (KIP-841). */
  private applyPartitionChange(record: Extract<MetadataRecord, { type: 'PartitionChange' }>): void {
    const p = this.topicsById.get(record.topicId)?.partitions[record.partitionId];
    assert(p, `PartitionChangeRecord for unknown partition ${record.topicId}-${record.partitionId}`);
    if (record.isr) p.isr = record.isr;
    if (record.replicas) p.replicas = record.replicas;
    if (record.addingReplicas) p.addingReplicas = record.addingReplicas;
    if (record.removingReplicas) p.removingReplicas = record.removingReplicas;
    if (record.leader !== undefined && record.leader !== NO_LEADER_CHANGE && record.leader !== p.leader) {
      p.leader = record.leader;
      p.leaderEpoch++;
    }
    p.partitionEpoch++;
  }

  private applyConfig(record: Extract<MetadataRecord, { type: 'Config' }>): void {
    if (record.resourceType !== ConfigResourceType.TOPIC) return;
    let configs = this.topicConfigs.get(record.resourceName);
    if (record.value === null) {
      configs?.delete(record.name);
      // No empty maps: the image must equal the fold of its own toRecords().
      if (configs?.size === 0) this.topicConfigs.delete(record.resourceName);
      return;
    }
    if (!configs) this.topicConfigs.set(record.resourceName, (configs = new Map()));
    configs.set(record.name, record.value);
  }

  /** Brokers that are registered and not fenced, by id. */
  liveBrokers(): BrokerImage[] {
    return [...this.brokers.values()].filter((b) => !b.fenced).sort((a, b) => a.brokerId - b.brokerId);
  }

  /** Registered, unfenced and not in controlled shutdown: may lead, join an ISR, get new replicas. */
  isActiveBroker(brokerId: number): boolean {
    const b = this.brokers.get(brokerId);
    return b !== undefined && !b.fenced && !b.inControlledShutdown;
  }

  /** The active brokers (see isActiveBroker), by id. */
  activeBrokers(): BrokerImage[] {
    return this.liveBrokers().filter((b) => !b.inControlledShutdown);
  }

  /**
   * Records that, applied in order to a fresh image with the same cluster id, rebuild this one
   * exactly: the metadata snapshot. Partition records carry their epochs, so no history is needed.
   */
  toRecords(): MetadataRecord[] {
    const out: MetadataRecord[] = [];
    for (const b of [...this.brokers.values()].sort((x, y) => x.brokerId - y.brokerId)) {
      out.push({ type: 'RegisterBroker', ...b, endPoints: b.endPoints.map((e) => ({ ...e })) });
    }
    for (const topic of this.topicsById.values()) {
      out.push({ type: 'Topic', name: topic.name, topicId: topic.topicId });
      for (const p of topic.partitions) {
        if (p === undefined) continue;
        out.push({
          type: 'Partition',
          topicId: topic.topicId,
          ...p,
          replicas: [...p.replicas],
          isr: [...p.isr],
          addingReplicas: [...p.addingReplicas],
          removingReplicas: [...p.removingReplicas],
        });
      }
    }
    for (const [resourceName, configs] of this.topicConfigs) {
      for (const [name, value] of configs) out.push({ type: 'Config', resourceType: ConfigResourceType.TOPIC, resourceName, name, value });
    }
    // Producer id blocks are handed out per broker; the image keeps only where the next starts.
    if (this.nextProducerId !== 0) out.push({ type: 'ProducerIds', brokerId: -1, brokerEpoch: -1, nextProducerId: this.nextProducerId });
    return out;
  }
}
