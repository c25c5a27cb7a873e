// A follower's fetch stream from one leader broker (Kafka's ReplicaFetcherThread): one Fetch
// request at a time for every partition this broker follows on that leader, sent with this
// broker's id as replica id, so the leader reads past its high watermark and counts the fetch
// offset as our log end. Batches are appended as they are. A diverging epoch in the answer (the
// leader changed and our log has entries the new leader does not) truncates to the leader's end
// of that epoch before fetching on. A partition whose leader answers with a leadership error
// pauses until the metadata image names its leader again (the broker reassigns it then).

import type { Logger } from '../common/logger.js';
import { KafkaConnection, sleep } from '../client/connection.js';
import { ErrorCode } from '../protocol/errors.js';
import { ApiKey } from '../protocol/generated/api-keys.js';
import type { FetchResponse, FetchResponsePartitionData } from '../protocol/generated/fetch-response.js';
import type { Partition } from './partition.js';

/** Fetch v12: names topics, carries lastFetchedEpoch and answers divergingEpoch (KIP-595 style truncation). */
const FETCH_VERSION = 12;
const RETRY_BACKOFF_MS = 100;

export interface FetcherSettings {
  readonly nodeId: number;
  readonly maxWaitMs: number; // replica.fetch.wait.max.ms
  readonly minBytes: number; // replica.fetch.min.bytes
  readonly maxBytes: number; // replica.fetch.response.max.bytes
  readonly partitionMaxBytes: number; // replica.fetch.max.bytes
  /** The leader's address for this broker's listener, or null while unknown. */
  leaderAddress(leaderId: number): { host: string; port: number } | null;
}

export class ReplicaFetcher {
  private readonly partitions = new Map<string, Partition>();
  private connection: KafkaConnection | null = null;
  private isStopped = false;
  private loop: Promise<void> | null = null;

  constructor(
    readonly leaderId: number,
    private readonly settings: FetcherSettings,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.partitions.size;
  }

  list(): Partition[] {
    return [...this.partitions.values()];
  }

  has(p: Partition): boolean {
    return this.partitions.get(key(p)) === p;
  }

  add(p: Partition): void {
    this.partitions.set(key(p), p);
    this.loop ??= this.run();
  }

  remove(p: Partition): void {
    if (this.partitions.get(key(p)) === p) this.partitions.delete(key(p));
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    this.connection?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.isStopped) {
      const batch = [...this.partitions.values()].filter((p) => !p.isLeader && p.state.leaderId === this.leaderId);
      if (batch.length === 0) {
        await sleep(RETRY_BACKOFF_MS);
        continue;
      }
      try {
        const conn = await this.connect();
        const res = await conn.request<FetchResponse>(ApiKey.Fetch, FETCH_VERSION, this.request(batch));
        this.handle(res, batch);
        if (res.errorCode !== ErrorCode.NONE) await sleep(RETRY_BACKOFF_MS);
      } catch (err) {
        if (this.isStopped) return;
        this.logger.debug({ err, leaderId: this.leaderId }, 'replica fetch failed; retrying');
        this.connection?.close();
        this.connection = null;
        await sleep(RETRY_BACKOFF_MS);
      }
    }
  }

  private request(batch: Partition[]): object {
    const byTopic = new Map<string, Partition[]>();
    for (const p of batch) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
    return {
      clusterId: null,
      replicaId: this.settings.nodeId,
      maxWaitMs: this.settings.maxWaitMs,
      minBytes: this.settings.minBytes,
      maxBytes: this.settings.maxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topic, parts]) => ({
        topic,
        partitions: parts.map((p) => ({
          partition: p.index,
          currentLeaderEpoch: p.state.leaderEpoch,
          fetchOffset: p.logEndOffset,
          lastFetchedEpoch: p.log.leaderEpochs.latestEpoch(),
          logStartOffset: p.logStartOffset,
          partitionMaxBytes: this.settings.partitionMaxBytes,
        })),
      })),
      forgottenTopicsData: [],
      rackId: '',
    };
  }

  private handle(res: FetchResponse, batch: Partition[]): void {
    const now = Date.now();
    for (const t of res.responses) {
      for (const d of t.partitions) {
        const p = batch.find((x) => x.topic === t.topic && x.index === d.partitionIndex);
        // The partition may have changed leader while the fetch was out: its answer is stale.
        if (p === undefined || p.isLeader || p.state.leaderId !== this.leaderId) continue;
        this.apply(p, d, now);
      }
    }
  }

  private apply(p: Partition, d: FetchResponsePartitionData, nowMs: number): void {
    if (d.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && d.logStartOffset > p.logEndOffset) {
      this.logger.warn({ topic: p.topic, partition: p.index, leaderLogStart: d.logStartOffset, logEnd: p.logEndOffset }, 'behind the leader log start; restarting the replica there');
      p.resetTo(d.logStartOffset, nowMs);
      return;
    }
    if (d.errorCode !== ErrorCode.NONE) {
      this.logger.debug({ topic: p.topic, partition: p.index, errorCode: d.errorCode }, 'replica fetch error');
      return;
    }
    if (d.divergingEpoch !== undefined && d.divergingEpoch.epoch >= 0 && d.divergingEpoch.endOffset >= 0) {
      const ours = p.log.leaderEpochs.endOffsetFor(d.divergingEpoch.epoch);
      const offset = Math.min(d.divergingEpoch.endOffset, ours.endOffset < 0 ? p.highWatermark : ours.endOffset, p.logEndOffset);
      this.logger.info({ topic: p.topic, partition: p.index, offset, divergingEpoch: d.divergingEpoch }, 'truncating a diverged replica');
      p.truncateTo(Math.max(0, offset), nowMs);
      return;
    }
    p.appendAsFollower(d.records ?? Buffer.alloc(0), d.highWatermark, nowMs);
  }

  private async connect(): Promise<KafkaConnection> {
    if (this.connection !== null && !this.connection.isClosed) return this.connection;
    const address = this.settings.leaderAddress(this.leaderId);
    if (address === null) throw new Error(`no address for leader ${this.leaderId}`);
    this.connection = await KafkaConnection.open({
      host: address.host,
      port: address.port,
      clientId: `tideline-replica-fetcher-${this.settings.nodeId}`,
      connectTimeoutMs: 3000,
      requestTimeoutMs: this.settings.maxWaitMs + 30_000,
      inflightRequestsMax: 1,
      frameBytesMax: this.settings.maxBytes + (16 << 20),
    });
    return this.connection;
  }
}

function key(p: Partition): string {
  return `${p.topic}\0${p.index}`;
}
