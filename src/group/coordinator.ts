// The group coordinator's shell: owns the groups whose `__consumer_offsets` partition this
// broker leads, feeds the pure group state machines (classic/ and consumer/) with requests and
// time, parks requests they answer later, and persists offsets and group metadata as records
// in `__consumer_offsets` (Kafka's format, see coordinator-records.ts).
//
// Coordinator = leader of partition abs(hash(groupId)) % offsets.topic.num.partitions, so
// coordinator fail-over is partition fail-over: when this broker becomes leader of an offsets
// partition it replays it (offsets and group metadata), and when it stops leading one it drops
// the groups that live there. The topic is created on first use, like Kafka.

import type { Logger } from '../common/logger.js';
import { ErrorCode } from '../protocol/errors.js';
import { buildBatch, decodeRecords } from '../protocol/records/index.js';
import { batchSizeAt } from '../protocol/records/batch-header.js';
import type { Broker } from '../broker/broker.js';
import { awaitHighWatermark } from '../broker/delayed.js';
import type { Partition } from '../replication/partition.js';
import { ClassicGroup, type ClassicGroupConfig, type GroupOutput } from './classic/index.js';
import { ConsumerGroup, type ConsumerGroupConfig, type TopicsView } from './consumer/index.js';
import { CONSUMER_GROUP_KEY_VERSIONS, ConsumerGroupLoader, deleteConsumerGroup, encodeConsumerGroup } from './consumer-group-records.js';
import { decodeCoordinatorRecord, encodeGroupRecord, encodeOffsetRecord, partitionForGroup, type OffsetEntry } from './coordinator-records.js';
import { randomUUID } from 'node:crypto';
import { Reader } from '../protocol/reader.js';
import { CONSUMER_PROTOCOL_SUBSCRIPTION_VERSIONS, readConsumerProtocolSubscription } from '../protocol/generated/consumer-protocol-subscription.js';

export const OFFSETS_TOPIC = '__consumer_offsets';
const TICK_MS = 100;
const OFFSETS_EXPIRY_CHECK_MS = 60_000;
const WRITE_TIMEOUT_MS = 30_000;
const LOAD_READ_BYTES = 4 << 20;

export interface GroupEntry {
  groupId: string;
  partition: number;
  classic: ClassicGroup | null;
  consumer: ConsumerGroup | null;
  /** `${topic}\0${partition}` → committed offset. */
  offsets: Map<string, OffsetEntry & { topic: string; partition: number }>;
  /** KIP-848 members whose records are in the log (so leavers get tombstones). */
  persistedMemberIds?: Set<string>;
}

type Resolver = (response: unknown) => void;

export class GroupCoordinator {
  readonly groups = new Map<string, GroupEntry>();
  private readonly loadedPartitions = new Set<number>();
  private readonly parked = new Map<number, Resolver>();
  private nextRequestId = 1;
  private timer: NodeJS.Timeout | null = null;
  private lastOffsetsExpiryMs = 0;
  private creatingTopic: Promise<number> | null = null;

  constructor(
    private readonly broker: Broker,
    /** The coordinator's logger, also each group's (which adds groupId and groupType). */
    readonly logger: Logger,
  ) {}

  start(): void {
    this.onMetadataChanged();
    this.timer = setInterval(() => this.tick(Date.now()), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const g of this.groups.values()) this.dropGroup(g);
  }

  get classicConfig(): ClassicGroupConfig {
    const c = this.broker.config;
    return {
      initialRebalanceDelayMs: c.num('group.initial.rebalance.delay.ms'),
      minSessionTimeoutMs: c.num('group.min.session.timeout.ms'),
      maxSessionTimeoutMs: c.num('group.max.session.timeout.ms'),
      maxSize: c.num('group.max.size'),
    };
  }

  get consumerConfig(): ConsumerGroupConfig {
    const c = this.broker.config;
    return {
      sessionTimeoutMs: c.num('group.consumer.session.timeout.ms'),
      heartbeatIntervalMs: c.num('group.consumer.heartbeat.interval.ms'),
      maxSize: c.num('group.consumer.max.size'),
      assignors: (c.get('group.consumer.assignors') as string[]).map((a) => a.replace(/^.*\.(\w+)Assignor$/, (_m, n: string) => n.toLowerCase())),
    };
  }

  newMemberId = (): string => randomUUID();

  // ---- coordinator placement -------------------------------------------------------------

  partitionCount(): number {
    return this.broker.image.topicsByName.get(OFFSETS_TOPIC)?.partitions.length ?? this.broker.config.num('offsets.topic.num.partitions');
  }

  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.partitionCount());
  }

  /** Creates __consumer_offsets on first use; NONE once it exists. */
  async ensureOffsetsTopic(): Promise<number> {
    if (this.broker.image.topicsByName.has(OFFSETS_TOPIC)) return ErrorCode.NONE;
    this.creatingTopic ??= this.createOffsetsTopic().finally(() => (this.creatingTopic = null));
    return this.creatingTopic;
  }

  private async createOffsetsTopic(): Promise<number> {
    const config = this.broker.config;
    const live = this.broker.image.liveBrokers().length;
    const wanted = config.num('offsets.topic.replication.factor');
    const rf = Math.max(1, Math.min(wanted, live));
    if (rf < wanted) this.logger.warn({ wanted, live }, `creating ${OFFSETS_TOPIC} with replication factor ${rf}: fewer brokers than offsets.topic.replication.factor`);
    const [result] = await this.broker.createTopics(
      [
        {
          name: OFFSETS_TOPIC,
          numPartitions: config.num('offsets.topic.num.partitions'),
          replicationFactor: rf,
          assignments: [],
          // No log cleaner yet: keep everything rather than let time retention drop live offsets.
          configs: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'retention.ms', value: '-1' },
            { name: 'segment.bytes', value: '104857600' },
          ],
        },
      ],
      false,
    );
    const ok = result!.errorCode === ErrorCode.NONE || result!.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS;
    if (result!.errorCode === ErrorCode.NONE) this.logger.info({ partitions: result!.numPartitions, replicationFactor: rf }, `${OFFSETS_TOPIC} created`);
    return ok ? ErrorCode.NONE : ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }

  /** The coordinator's node for FindCoordinator, or an error code. */
  async findCoordinator(groupId: string): Promise<{ errorCode: number; nodeId: number }> {
    const created = await this.ensureOffsetsTopic();
    if (created !== ErrorCode.NONE) return { errorCode: created, nodeId: -1 };
    const p = this.broker.image.topicsByName.get(OFFSETS_TOPIC)?.partitions[this.partitionFor(groupId)];
    const live = new Set(this.broker.image.liveBrokers().map((b) => b.brokerId));
    if (!p || p.leader < 0 || !live.has(p.leader)) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, nodeId: -1 };
    return { errorCode: ErrorCode.NONE, nodeId: p.leader };
  }

  /** NONE when this broker coordinates the group now. */
  check(groupId: string): number {
    if (!this.broker.image.topicsByName.has(OFFSETS_TOPIC)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const partition = this.partitionFor(groupId);
    const local = this.broker.getPartition(OFFSETS_TOPIC, partition);
    if (!local || !local.isLeader) return ErrorCode.NOT_COORDINATOR;
    if (!this.loadedPartitions.has(partition)) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  entry(groupId: string): GroupEntry | undefined {
    return this.groups.get(groupId);
  }

  entryOrCreate(groupId: string): GroupEntry {
    let e = this.groups.get(groupId);
    if (!e) this.groups.set(groupId, (e = { groupId, partition: this.partitionFor(groupId), classic: null, consumer: null, offsets: new Map() }));
    return e;
  }

  // ---- loading and leadership ------------------------------------------------------------

  /** Called after every metadata commit: load partitions we now lead, drop those we lost. */
  onMetadataChanged(): void {
    const local = this.broker.partitions.get(OFFSETS_TOPIC);
    for (const partition of [...this.loadedPartitions]) {
      const p = local?.get(partition);
      if (p && p.isLeader) continue;
      this.loadedPartitions.delete(partition);
      for (const g of [...this.groups.values()]) if (g.partition === partition) this.dropGroup(g);
      this.logger.info({ partition }, 'offsets partition unloaded');
    }
    for (const p of local?.values() ?? []) {
      if (p.isLeader && !this.loadedPartitions.has(p.index)) this.load(p);
    }
    // KIP-848 targets follow topic changes (new partitions, created or deleted topics).
    const nowMs = Date.now();
    for (const g of this.groups.values()) if (g.consumer?.onTopicsChanged(nowMs, this.topicsView()).changed) this.persistConsumer(g);
  }

  /** Forgets a group; parked requests are answered NOT_COORDINATOR so clients look again. */
  private dropGroup(g: GroupEntry): void {
    const out = g.classic?.markDead();
    g.consumer?.markDead();
    this.groups.delete(g.groupId);
    if (out) this.release(g, { ...out, metadataChanged: false });
  }

  private load(p: Partition): void {
    const started = Date.now();
    const consumerGroups = new ConsumerGroupLoader();
    let offset = p.logStartOffset;
    let records = 0;
    while (offset < p.highWatermark) {
      const { records: bytes } = p.log.read(offset, LOAD_READ_BYTES, p.highWatermark, true);
      if (bytes.length === 0) break;
      for (let pos = 0; pos < bytes.length; ) {
        const size = batchSizeAt(bytes, pos);
        for (const rec of decodeRecords(bytes.subarray(pos, pos + size)).records) {
          if (rec.key) this.replay(rec.key, rec.value, started, consumerGroups);
          records++;
          offset = rec.offset + 1;
        }
        pos += size;
      }
    }
    for (const snapshot of consumerGroups.snapshots()) {
      const g = this.entryOrCreate(snapshot.groupId);
      g.consumer = ConsumerGroup.restore(snapshot, this.consumerConfig, this.newMemberId, this.logger, started, this.topicsView());
      g.persistedMemberIds = new Set(snapshot.members.map((m) => m.memberId));
    }
    this.loadedPartitions.add(p.index);
    this.logger.info({ partition: p.index, records, groups: [...this.groups.values()].filter((g) => g.partition === p.index).length, ms: Date.now() - started }, 'offsets partition loaded');
  }

  private replay(key: Buffer, value: Buffer | null, nowMs: number, consumerGroups: ConsumerGroupLoader): void {
    const keyVersion = key.readInt16BE(0);
    if (CONSUMER_GROUP_KEY_VERSIONS.has(keyVersion)) {
      consumerGroups.apply(keyVersion, new Reader(key, 2), value);
      return;
    }
    const rec = decodeCoordinatorRecord(key, value);
    if (rec.type === 'offset') {
      const g = this.entryOrCreate(rec.groupId);
      const k = `${rec.topic}\0${rec.partition}`;
      if (rec.value === null) g.offsets.delete(k);
      else g.offsets.set(k, { ...rec.value, topic: rec.topic, partition: rec.partition });
    } else if (rec.type === 'group') {
      if (rec.value === null) {
        const g = this.groups.get(rec.groupId);
        if (g) g.classic = null;
        return;
      }
      const g = this.entryOrCreate(rec.groupId);
      g.classic = ClassicGroup.restore(rec.value, nowMs, this.classicConfig, this.newMemberId, this.logger, rec.groupId);
    }
  }

  /** Writes a KIP-848 group's records after it changed (fire and forget: the log keeps order). */
  persistConsumer(g: GroupEntry): void {
    if (!g.consumer) return;
    const snapshot = g.consumer.snapshot();
    const records = encodeConsumerGroup(snapshot, g.persistedMemberIds ?? []);
    g.persistedMemberIds = new Set(snapshot.members.map((m) => m.memberId));
    this.append(g.groupId, records).then(
      (code) => code !== ErrorCode.NONE && this.logger.warn({ groupId: g.groupId, errorCode: code }, 'consumer group not persisted'),
      (err: unknown) => this.logger.error({ err, groupId: g.groupId }, 'consumer group write failed'),
    );
  }

  // ---- persistence -----------------------------------------------------------------------

  /** Appends records to the group's offsets partition; resolves once committed (acks=all). */
  async append(groupId: string, records: { key: Buffer; value: Buffer | null }[]): Promise<number> {
    if (records.length === 0) return ErrorCode.NONE;
    const p = this.broker.getPartition(OFFSETS_TOPIC, this.partitionFor(groupId));
    if (!p || !p.isLeader) return ErrorCode.NOT_COORDINATOR;
    const nowMs = Date.now();
    const batch = buildBatch({ records: records.map((r) => ({ key: r.key, value: r.value, timestamp: nowMs })) });
    const outcome = p.appendAsLeader(batch, { producerId: -1, producerEpoch: -1, baseSequence: -1, lastOffsetDelta: records.length - 1 }, nowMs, false);
    if (!('baseOffset' in outcome)) return outcome.errorCode;
    return awaitHighWatermark(p, outcome.baseOffset + records.length, WRITE_TIMEOUT_MS);
  }

  // ---- parked requests -------------------------------------------------------------------

  /** Runs a state-machine call that may answer later; returns the promise of its own answer. */
  park<T>(run: (requestId: number) => GroupOutput, g: GroupEntry): Promise<T> {
    const requestId = this.nextRequestId++;
    const answer = new Promise<T>((resolve) => this.parked.set(requestId, resolve as Resolver));
    this.release(g, run(requestId));
    return answer;
  }

  /**
   * Answers what the state machine released. When the generation changed, the group's record is
   * written first and the answers wait for it, as Kafka answers SyncGroup only after storing
   * the group: a member never holds an assignment the coordinator could forget.
   */
  release(g: GroupEntry, out: GroupOutput): void {
    const answer = (): void => {
      for (const c of out.completions) {
        const resolve = this.parked.get(c.requestId);
        this.parked.delete(c.requestId);
        resolve?.(c.response);
      }
    };
    if (!out.metadataChanged || !g.classic) {
      answer();
      return;
    }
    this.append(g.groupId, [encodeGroupRecord(g.groupId, g.classic.snapshot())]).then(
      (code) => {
        if (code !== ErrorCode.NONE) this.logger.warn({ groupId: g.groupId, errorCode: code }, 'group metadata not persisted');
        answer();
      },
      (err: unknown) => {
        this.logger.error({ err, groupId: g.groupId }, 'group metadata write failed');
        answer();
      },
    );
  }

  // ---- offsets ---------------------------------------------------------------------------

  async commitOffsets(
    g: GroupEntry,
    topics: { name: string; partitions: { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }[] }[],
    nowMs: number,
  ): Promise<Map<string, number>> {
    const results = new Map<string, number>();
    const records: { key: Buffer; value: Buffer | null }[] = [];
    const accepted: (OffsetEntry & { topic: string; partition: number })[] = [];
    const metadataMax = 4096;
    for (const t of topics) {
      for (const p of t.partitions) {
        const k = `${t.name}\0${p.partitionIndex}`;
        if ((p.committedMetadata?.length ?? 0) > metadataMax) {
          results.set(k, ErrorCode.OFFSET_METADATA_TOO_LARGE);
          continue;
        }
        const entry = { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata ?? '', commitTimestampMs: nowMs, topic: t.name, partition: p.partitionIndex };
        records.push(encodeOffsetRecord(g.groupId, t.name, p.partitionIndex, entry));
        accepted.push(entry);
        results.set(k, ErrorCode.NONE);
      }
    }
    const code = await this.append(g.groupId, records);
    for (const e of accepted) {
      const k = `${e.topic}\0${e.partition}`;
      if (code === ErrorCode.NONE) g.offsets.set(k, e);
      else results.set(k, code);
    }
    return results;
  }

  async deleteOffsets(g: GroupEntry, keys: { topic: string; partition: number }[]): Promise<number> {
    const present = keys.filter((k) => g.offsets.has(`${k.topic}\0${k.partition}`));
    const code = await this.append(g.groupId, present.map((k) => encodeOffsetRecord(g.groupId, k.topic, k.partition, null)));
    if (code === ErrorCode.NONE) for (const k of present) g.offsets.delete(`${k.topic}\0${k.partition}`);
    return code;
  }

  /** DeleteGroups: tombstones for the group and all its offsets. */
  async deleteGroup(g: GroupEntry): Promise<number> {
    const records = [...g.offsets.values()].map((o) => encodeOffsetRecord(g.groupId, o.topic, o.partition, null));
    records.push(encodeGroupRecord(g.groupId, null));
    if (g.consumer) records.push(...deleteConsumerGroup(g.consumer.snapshot()));
    const code = await this.append(g.groupId, records);
    if (code === ErrorCode.NONE) this.dropGroup(g);
    return code;
  }

  // ---- KIP-848 ---------------------------------------------------------------------------

  topicsView(): TopicsView {
    const image = this.broker.image;
    return {
      byName: (name) => {
        const t = image.topicsByName.get(name);
        return t ? { topicId: t.topicId, partitions: t.partitions.length } : undefined;
      },
      byId: (id) => {
        const t = image.topicsById.get(id);
        return t ? { name: t.name, partitions: t.partitions.length } : undefined;
      },
      names: () => [...image.topicsByName.keys()].filter((n) => n !== OFFSETS_TOPIC),
    };
  }

  // ---- time ------------------------------------------------------------------------------

  tick(nowMs: number): void {
    for (const g of [...this.groups.values()]) {
      const classicDeadline = g.classic?.nextDeadlineMs();
      if (g.classic && classicDeadline != null && classicDeadline <= nowMs) this.release(g, g.classic.expire(nowMs));
      const consumerDeadline = g.consumer?.nextDeadlineMs();
      if (g.consumer && consumerDeadline != null && consumerDeadline <= nowMs && g.consumer.expire(nowMs).changed) this.persistConsumer(g);
    }
    if (nowMs - this.lastOffsetsExpiryMs >= OFFSETS_EXPIRY_CHECK_MS) {
      this.lastOffsetsExpiryMs = nowMs;
      this.expireOffsets(nowMs);
    }
  }

  /** offsets.retention.minutes: offsets of a group with no members expire after that long. */
  private expireOffsets(nowMs: number): void {
    const retentionMs = this.broker.config.num('offsets.retention.minutes') * 60_000;
    for (const g of this.groups.values()) {
      const isEmpty = (g.classic === null || g.classic.state === 'Empty') && (g.consumer === null || g.consumer.state === 'empty');
      if (!isEmpty) continue;
      const expired = [...g.offsets.values()].filter((o) => nowMs - o.commitTimestampMs > retentionMs);
      if (expired.length === 0) continue;
      this.logger.info({ groupId: g.groupId, partitions: expired.length }, 'committed offsets expired');
      void this.deleteOffsets(g, expired);
    }
  }

  /** The topics a group's members subscribe to (classic: from their consumer-protocol metadata). */
  subscribedTopics(g: GroupEntry): Set<string> {
    const out = new Set<string>();
    for (const m of g.consumer?.describe(this.topicsView()).members ?? []) for (const name of m.subscribedTopicNames) out.add(name);
    const d = g.classic?.describe();
    if (d && d.protocolType === 'consumer') {
      for (const m of d.members) for (const name of decodeSubscriptionTopics(m.metadata)) out.add(name);
    }
    return out;
  }
}


/** Topics named in a classic consumer's subscription metadata (ConsumerProtocolSubscription). */
export function decodeSubscriptionTopics(metadata: Buffer): string[] {
  try {
    const r = new Reader(metadata);
    const version = Math.min(r.readInt16(), CONSUMER_PROTOCOL_SUBSCRIPTION_VERSIONS.max);
    return readConsumerProtocolSubscription(r, version).topics;
  } catch {
    return []; // not the consumer protocol's format: nothing to protect
  }
}
