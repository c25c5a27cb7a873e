// The metadata image: what every broker serves Metadata, DescribeCluster and DescribeConfigs
// from. It is nothing but the fold of committed metadata records, so replaying the metadata log
// from the start rebuilds it exactly. Pure: apply() changes state, nothing else happens here;
// the broker compares images to decide which partitions to create, delete or re-lead.

import { assert } from '../common/assert.js';
import { ConfigResourceType, type BrokerEndpoint, type MetadataRecord } from './records.js';

export interface BrokerImage {
  brokerId: number;
  incarnationId: string;
  brokerEpoch: number;
  endPoints: BrokerEndpoint[];
  rack: string | null;
  fenced: boolean;
}

export interface PartitionImage {
  partitionId: number;
  replicas: number[];
  isr: number[];
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
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
  /** Topic config overrides: topic name → key → value. */
  readonly topicConfigs = new Map<string, Map<string, string>>();
  /** Next producer id block start, per the last ProducerIdsRecord. */
  nextProducerId = 0;

  constructor(readonly clusterId: string) {}

  apply(record: MetadataRecord): void {
    switch (record.type) {
      case 'RegisterBroker': {
        const { type: _type, ...broker } = record;
        this.brokers.set(record.brokerId, broker);
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
        const { type: _type, topicId: _id, ...partition } = record;
        topic.partitions[record.partitionId] = partition;
        return;
      }
      case 'PartitionChange': {
        const p = this.topicsById.get(record.topicId)?.partitions[record.partitionId];
        assert(p, `PartitionChangeRecord for unknown partition ${record.topicId}-${record.partitionId}`);
        if (record.isr) p.isr = record.isr;
        if (record.replicas) p.replicas = record.replicas;
        if (record.leader !== undefined && record.leader !== -2 && record.leader !== p.leader) {
          p.leader = record.leader;
          p.leaderEpoch++;
        }
        p.partitionEpoch++;
        return;
      }
      case 'Config': {
        if (record.resourceType !== ConfigResourceType.TOPIC) return;
        let configs = this.topicConfigs.get(record.resourceName);
        if (!configs) this.topicConfigs.set(record.resourceName, (configs = new Map()));
        if (record.value === null) configs.delete(record.name);
        else configs.set(record.name, record.value);
        return;
      }
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

  /** Brokers that are registered and not fenced, by id. */
  liveBrokers(): BrokerImage[] {
    return [...this.brokers.values()].filter((b) => !b.fenced).sort((a, b) => a.brokerId - b.brokerId);
  }
}
