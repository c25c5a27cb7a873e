// The broker's state that request handlers share: the partitions hosted here, the metadata
// image (through the quorum), the log manager, effective topic configs and producer id blocks.
//
// The metadata image is the source of truth; `syncPartitions()` makes the local replicas match
// it after every commit (create logs for new partitions, delete logs of removed topics, adopt
// new leader epochs). Handlers never create partitions directly: they commit metadata records.

import type { Logger } from '../common/logger.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { TOPIC_CONFIGS } from '../config/topic-config.js';
import { parseConfigValue } from '../config/config-def.js';
import type { TopicRequest, TopicResult } from '../controller/topic-ops.js';
import type { ControllerApi } from '../controller/api.js';
import type { MetadataView } from '../metadata/metadata-quorum.js';
import type { MetadataRecord } from '../metadata/records.js';
import { ErrorCode, KafkaError, type ErrorCodeValue } from '../protocol/errors.js';
import { Partition } from '../replication/partition.js';
import type { LogConfig, LogManager } from '../storage/index.js';
import type { GroupCoordinator } from '../group/coordinator.js';
import { ReplicaManager } from '../replication/replica-manager.js';
import { BrokerMetrics } from './metrics.js';

export interface AdvertisedListener {
  name: string;
  host: string;
  port: number;
}

/** How long an admin request waits for the controller when the client gives no timeout. */
const CONTROLLER_TIMEOUT_MS = 30_000;

export class Broker {
  readonly partitions = new Map<string, Map<number, Partition>>();
  /** Set by the node right after construction (the coordinator needs the broker). */
  groups!: GroupCoordinator;
  /** Set by the node once the lifecycle says the image is current (unfenced). */
  isCaughtUp = false;
  /** This broker's registration epoch (BrokerLifecycle); -1 before it registers. */
  brokerEpoch = -1;
  readonly replication: ReplicaManager;
  readonly metrics = new BrokerMetrics();
  private producerIdBlock = { next: 0, end: 0 };
  private readonly topicConfigCache = new Map<string, Map<string, string | null>>();
  private readonly topicNumberCache = new Map<string, number>();
  private producerIdLock: Promise<unknown> = Promise.resolve();

  constructor(
    readonly config: BrokerConfig,
    readonly logs: LogManager,
    readonly metadata: MetadataView,
    readonly controller: ControllerApi,
    readonly advertised: AdvertisedListener[],
    readonly logger: Logger,
  ) {
    metadata.onCommit((records) => this.onMetadataCommitted(records));
    this.replication = new ReplicaManager(
      this,
      {
        lagTimeMaxMs: config.num('replica.lag.time.max.ms'),
        listenerName: advertised[0]?.name ?? 'PLAINTEXT',
        fetchWaitMaxMs: config.num('replica.fetch.wait.max.ms'),
        fetchMinBytes: config.num('replica.fetch.min.bytes'),
        fetchMaxBytes: config.num('replica.fetch.max.bytes'),
        fetchResponseMaxBytes: config.num('replica.fetch.response.max.bytes'),
      },
      logger.child({ component: 'replication' }),
    );
  }

  *localPartitions(): Iterable<Partition> {
    for (const local of this.partitions.values()) yield* local.values();
  }

  get nodeId(): number {
    return this.config.nodeId;
  }

  get image() {
    return this.metadata.image;
  }

  /**
   * The controller id told to clients (Metadata, DescribeCluster): the active controller when it is
   * also a live broker, else a live broker, as KRaft brokers do (clients cannot reach controllers).
   */
  controllerIdForClients(): number {
    const live = this.image.liveBrokers();
    const leader = this.metadata.leaderId;
    if (live.some((b) => b.brokerId === leader)) return leader;
    return live[0]?.brokerId ?? this.nodeId;
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

  /** Creates topics through the active controller; resolves once they are in this broker's image. */
  async createTopics(requests: TopicRequest[], validateOnly: boolean, timeoutMs = CONTROLLER_TIMEOUT_MS): Promise<TopicResult[]> {
    const res = await this.controller.createTopics({ topics: requests, timeoutMs, validateOnly });
    return res.topics.map((t) => ({
      name: t.name,
      topicId: t.topicId,
      errorCode: t.errorCode,
      errorMessage: t.errorMessage ?? null,
      numPartitions: t.numPartitions,
      replicationFactor: t.replicationFactor,
    }));
  }

  /** Auto-creation on Metadata/Produce (auto.create.topics.enable); a racing create counts as done. */
  async autoCreateTopics(names: string[]): Promise<Map<string, number>> {
    const requests = names.map((name) => ({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }));
    const results = await this.createTopics(requests, false);
    const out = new Map<string, number>();
    for (const r of results) {
      const ok = r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS;
      // The controller logs 'topic created'; this line says why the topic came to be.
      if (r.errorCode === ErrorCode.NONE) this.logger.info({ topic: r.name, partitions: r.numPartitions }, 'topic auto-created on first use');
      out.set(r.name, ok ? ErrorCode.NONE : r.errorCode);
    }
    return out;
  }

  /** Hands out producer ids from blocks the controller reserves in the metadata log (AllocateProducerIds). */
  async allocateProducerId(): Promise<number> {
    const run = this.producerIdLock.then(async () => {
      if (this.producerIdBlock.next >= this.producerIdBlock.end) {
        const res = await this.controller.allocateProducerIds({ brokerId: this.nodeId, brokerEpoch: this.brokerEpoch });
        if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode as ErrorCodeValue, 'the controller did not allocate producer ids');
        this.producerIdBlock = { next: res.producerIdStart, end: res.producerIdStart + res.producerIdLen };
      }
      return this.producerIdBlock.next++;
    });
    this.producerIdLock = run.catch(() => {});
    return run;
  }

  private onMetadataCommitted(records: MetadataRecord[]): void {
    this.topicConfigCache.clear();
    this.topicNumberCache.clear();
    // While a starting broker replays old metadata, the image is history, not the present: a
    // partition it shows elsewhere may be back here later. Logs follow the image only once the
    // broker has caught up (the node then calls syncPartitions itself).
    if (!this.isCaughtUp) return;
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
          existing.setState(state, nowMs);
          return;
        }
        if (!local) this.partitions.set(topic.name, (local = new Map()));
        const log = this.logs.getOrCreate(topic.name, p.partitionId, this.logConfigFor(topic.name));
        local.set(p.partitionId, new Partition(topic.name, topic.topicId, p.partitionId, log, state, this.nodeId, this.logger, nowMs, (shrunk, expanded) => this.replication.countIsrChange(shrunk, expanded)));
      });
      if (local) this.logs.setConfig(topic.name, this.logConfigFor(topic.name));
    }
    for (const [name, local] of this.partitions) {
      const topic = this.image.topicsByName.get(name);
      if (topic === undefined) {
        for (const p of local.values()) {
          p.relinquish();
          this.logs.delete(name, p.index);
        }
        this.partitions.delete(name);
        this.metrics.forgetTopic(name);
        // The controller logs 'topic deleted' once for the cluster; this broker only drops its replicas.
        this.logger.info({ topic: name, partitions: local.size }, 'removed the replicas of a deleted topic');
        continue;
      }
      for (const p of local.values()) {
        if (topic.partitions[p.index]?.replicas.includes(this.nodeId)) continue;
        // Reassigned away: this broker no longer holds a replica.
        p.relinquish();
        local.delete(p.index);
        this.logs.delete(name, p.index);
        this.logger.info({ topic: name, partition: p.index }, 'replica removed from this broker');
      }
    }
    this.removeStrayLogs();
    this.replication.assignFetchers();
  }

  /** Logs on disk for partitions this broker does not hold (e.g. moved away while it was down). */
  private removeStrayLogs(): void {
    for (const log of this.logs.all()) {
      if (log.topic === '__cluster_metadata' || this.getPartition(log.topic, log.partition) !== undefined) continue;
      this.logs.delete(log.topic, log.partition);
      this.logger.info({ topic: log.topic, partition: log.partition }, 'removed a stray log');
    }
  }
}
