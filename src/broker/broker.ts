// The broker's state that request handlers share: the partitions hosted here, the metadata
// image (through the quorum), the log manager, effective topic configs and producer id blocks.
//
// The metadata image is the source of truth; `syncPartitions()` makes the local replicas match
// it after every commit (create logs for new partitions, delete logs of removed topics, adopt
// new leader epochs). Handlers never create partitions directly: they commit metadata records.

import { randomInt } from 'node:crypto';
import type { Logger } from '../common/logger.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { TOPIC_CONFIGS } from '../config/topic-config.js';
import { parseConfigValue } from '../config/config-def.js';
import { createTopics, type TopicRequest, type TopicResult, type ControllerEnv } from '../controller/topic-ops.js';
import type { MetadataQuorum } from '../metadata/local-metadata-log.js';
import type { MetadataRecord } from '../metadata/records.js';
import { randomUuid } from '../protocol/reader.js';
import { ErrorCode } from '../protocol/errors.js';
import { Partition } from '../replication/partition.js';
import type { LogConfig, LogManager } from '../storage/index.js';
import type { GroupCoordinator } from '../group/coordinator.js';

export interface AdvertisedListener {
  name: string;
  host: string;
  port: number;
}

const PRODUCER_ID_BLOCK_SIZE = 1000;

export class Broker {
  readonly partitions = new Map<string, Map<number, Partition>>();
  /** Set by the node right after construction (the coordinator needs the broker). */
  groups!: GroupCoordinator;
  private producerIdBlock = { next: 0, end: 0 };
  private readonly topicConfigCache = new Map<string, Map<string, string | null>>();
  private readonly topicNumberCache = new Map<string, number>();
  private producerIdLock: Promise<unknown> = Promise.resolve();

  constructor(
    readonly config: BrokerConfig,
    readonly logs: LogManager,
    readonly quorum: MetadataQuorum,
    readonly advertised: AdvertisedListener[],
    readonly logger: Logger,
  ) {
    quorum.onCommit((records) => this.onMetadataCommitted(records));
  }

  get nodeId(): number {
    return this.config.nodeId;
  }

  get image() {
    return this.quorum.image;
  }

  controllerEnv(): ControllerEnv {
    return {
      newTopicId: randomUuid,
      randomInt: (bound) => (bound <= 1 ? 0 : randomInt(bound)),
      defaultPartitions: this.config.num('num.partitions'),
      defaultReplicationFactor: Math.min(this.config.num('default.replication.factor'), Math.max(1, this.image.liveBrokers().length)),
    };
  }

  getPartition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(topic)?.get(partition);
  }

  /**
   * Effective topic configs: override, else broker synonym, else Kafka default. Cached per
   * topic (the produce path reads them for every partition) and dropped on every metadata commit.
   */
  topicConfig(topic: string): Map<string, string | null> {
    let out = this.topicConfigCache.get(topic);
    if (out) return out;
    const overrides = this.image.topicConfigs.get(topic);
    out = new Map<string, string | null>();
    for (const def of TOPIC_CONFIGS) {
      out.set(def.name, overrides?.get(def.name) ?? this.config.topicDefault(def.name).value);
    }
    this.topicConfigCache.set(topic, out);
    return out;
  }

  topicConfigNumber(topic: string, name: string): number {
    const key = `${topic}\0${name}`;
    let n = this.topicNumberCache.get(key);
    if (n === undefined) {
      const def = TOPIC_CONFIGS.find((d) => d.name === name)!;
      n = parseConfigValue(def, this.topicConfig(topic).get(name) ?? def.defaultValue) as number;
      this.topicNumberCache.set(key, n);
    }
    return n;
  }

  logConfigFor(topic: string): LogConfig {
    const n = (name: string): number => this.topicConfigNumber(topic, name);
    return {
      segmentBytes: n('segment.bytes'),
      segmentMs: n('segment.ms'),
      retentionMs: n('retention.ms'),
      retentionBytes: n('retention.bytes'),
      indexIntervalBytes: n('index.interval.bytes'),
      segmentIndexBytes: n('segment.index.bytes'),
      flushMessages: n('flush.messages'),
      flushMs: n('flush.ms'),
      fileDeleteDelayMs: n('file.delete.delay.ms'),
    };
  }

  /** Creates topics through the metadata quorum; resolves once they are committed and local. */
  async createTopics(requests: TopicRequest[], validateOnly: boolean): Promise<TopicResult[]> {
    const { results, records } = createTopics(this.image, requests, this.controllerEnv());
    if (!validateOnly && records.length > 0) await this.quorum.commit(records);
    return results;
  }

  /** Auto-creation on Metadata/Produce (auto.create.topics.enable); a racing create counts as done. */
  async autoCreateTopics(names: string[]): Promise<Map<string, number>> {
    const requests = names.map((name) => ({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }));
    const results = await this.createTopics(requests, false);
    const out = new Map<string, number>();
    for (const r of results) {
      const ok = r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS;
      if (r.errorCode === ErrorCode.NONE) this.logger.info({ topic: r.name, partitions: r.numPartitions }, 'topic auto-created');
      out.set(r.name, ok ? ErrorCode.NONE : r.errorCode);
    }
    return out;
  }

  /** Hands out producer ids from blocks reserved in the metadata log (ProducerIdsRecord). */
  async allocateProducerId(): Promise<number> {
    const run = this.producerIdLock.then(async () => {
      if (this.producerIdBlock.next >= this.producerIdBlock.end) {
        const start = this.image.nextProducerId;
        await this.quorum.commit([{ type: 'ProducerIds', brokerId: this.nodeId, brokerEpoch: 0, nextProducerId: start + PRODUCER_ID_BLOCK_SIZE }]);
        this.producerIdBlock = { next: start, end: start + PRODUCER_ID_BLOCK_SIZE };
      }
      return this.producerIdBlock.next++;
    });
    this.producerIdLock = run.catch(() => {});
    return run;
  }

  private onMetadataCommitted(records: MetadataRecord[]): void {
    this.topicConfigCache.clear();
    this.topicNumberCache.clear();
    if (records.some((r) => r.type !== 'ProducerIds')) {
      this.syncPartitions(Date.now());
      this.groups?.onMetadataChanged();
    }
  }

  /** Makes the local replicas match the metadata image. */
  syncPartitions(nowMs: number): void {
    for (const topic of this.image.topicsByName.values()) {
      let local = this.partitions.get(topic.name);
      topic.partitions.forEach((p) => {
        if (!p.replicas.includes(this.nodeId)) return;
        const state = { leaderId: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, replicas: p.replicas, isr: p.isr };
        const existing = local?.get(p.partitionId);
        if (existing) {
          existing.state = state;
          return;
        }
        if (!local) this.partitions.set(topic.name, (local = new Map()));
        const log = this.logs.getOrCreate(topic.name, p.partitionId, this.logConfigFor(topic.name));
        if (log.leaderEpochs.latestEpoch() < p.leaderEpoch && p.leader === this.nodeId) log.leaderEpochs.assign(p.leaderEpoch, log.logEndOffset);
        local.set(p.partitionId, new Partition(topic.name, topic.topicId, p.partitionId, log, state, this.nodeId, this.logger, nowMs));
      });
      if (local) this.logs.setConfig(topic.name, this.logConfigFor(topic.name));
    }
    for (const [name, local] of this.partitions) {
      if (this.image.topicsByName.has(name)) continue;
      for (const p of local.values()) this.logs.delete(name, p.index);
      this.partitions.delete(name);
      this.logger.info({ topic: name }, 'topic deleted');
    }
  }
}
