// The broker's replication duties, around the per-partition state in partition.ts: it hands
// every partition this broker follows to the fetcher for its leader (one fetch stream per leader
// broker), and, for partitions it leads, asks the controller (AlterPartition) to drop followers
// that lag past replica.lag.time.max.ms from the ISR and to add back those that caught up. One
// ISR change per partition is in flight at a time; the answer is applied at once and the same
// state then arrives through the metadata image.

import type { Logger } from '../common/logger.js';
import type { ControllerApi } from '../controller/api.js';
import type { MetadataImage } from '../metadata/image.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Partition } from './partition.js';
import { ReplicaFetcher, type FetcherSettings } from './replica-fetcher.js';

export interface ReplicaManagerHost {
  readonly nodeId: number;
  readonly brokerEpoch: number;
  readonly image: MetadataImage;
  readonly controller: ControllerApi;
  /** Every partition hosted here. */
  localPartitions(): Iterable<Partition>;
}

export interface ReplicaManagerSettings {
  readonly lagTimeMaxMs: number;
  readonly listenerName: string;
  readonly fetchWaitMaxMs: number;
  readonly fetchMinBytes: number;
  readonly fetchMaxBytes: number;
  readonly fetchResponseMaxBytes: number;
}

export class ReplicaManager {
  /** ISR changes of partitions this broker led, since it started (Kafka's IsrShrinks/IsrExpands). */
  isrShrinks = 0;
  isrExpands = 0;
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: ReplicaManagerHost,
    private readonly settings: ReplicaManagerSettings,
    private readonly logger: Logger,
  ) {}

  start(): void {
    // Kafka checks every replica.lag.time.max.ms / 2.
    this.timer = setInterval(() => this.shrinkIsrs(Date.now()), Math.max(100, Math.floor(this.settings.lagTimeMaxMs / 2)));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    await Promise.all([...this.fetchers.values()].map((f) => f.stop()));
    this.fetchers.clear();
  }

  /** Counts one ISR change seen by a partition this broker leads (see Partition's onIsrChange). */
  countIsrChange(shrunk: boolean, expanded: boolean): void {
    if (shrunk) this.isrShrinks++;
    if (expanded) this.isrExpands++;
  }

  /** After a metadata change: every followed partition is with its leader's fetcher, and only there. */
  assignFetchers(): void {
    const wanted = new Map<Partition, number>();
    for (const p of this.host.localPartitions()) {
      if (!p.isLeader && p.state.leaderId >= 0) wanted.set(p, p.state.leaderId);
    }
    for (const [leaderId, fetcher] of this.fetchers) {
      for (const p of fetcher.list()) if (wanted.get(p) !== leaderId) fetcher.remove(p);
      if (fetcher.size === 0 && ![...wanted.values()].includes(leaderId)) {
        this.fetchers.delete(leaderId);
        void fetcher.stop();
      }
    }
    for (const [p, leaderId] of wanted) {
      let fetcher = this.fetchers.get(leaderId);
      if (fetcher === undefined) this.fetchers.set(leaderId, (fetcher = new ReplicaFetcher(leaderId, this.fetcherSettings(), this.logger)));
      if (!fetcher.has(p)) fetcher.add(p);
    }
  }

  /** Leader, after a follower fetch: add followers that caught up back to the ISR. */
  maybeExpandIsr(p: Partition): void {
    if (!p.isLeader || p.isrChangeInFlight) return;
    const joining = p.caughtUpOutsideIsr();
    if (joining.length === 0) return;
    p.markJoining(joining);
    void this.alterIsr(p, [...p.state.isr, ...joining], 'caught up');
  }

  private shrinkIsrs(nowMs: number): void {
    for (const p of this.host.localPartitions()) {
      if (!p.isLeader || p.isrChangeInFlight) continue;
      const lagging = p.laggingIsrMembers(nowMs, this.settings.lagTimeMaxMs);
      if (lagging.length === 0) continue;
      // Also settles an unanswered expansion whose joiner has since stopped fetching.
      void this.alterIsr(p, p.maximalIsr.filter((id) => !lagging.includes(id)), 'lagging');
    }
  }

  private async alterIsr(p: Partition, newIsr: number[], reason: string): Promise<void> {
    p.isrChangeInFlight = true;
    const state = p.state;
    try {
      const res = await this.host.controller.alterPartition({
        brokerId: this.host.nodeId,
        brokerEpoch: this.host.brokerEpoch,
        topics: [
          {
            topicName: '',
            topicId: p.topicId,
            partitions: [
              {
                partitionIndex: p.index,
                leaderEpoch: state.leaderEpoch,
                newIsr: [],
                newIsrWithEpochs: newIsr.map((id) => ({ brokerId: id, brokerEpoch: this.host.image.brokers.get(id)?.brokerEpoch ?? -1 })),
                leaderRecoveryState: 0,
                partitionEpoch: state.partitionEpoch,
              },
            ],
          },
        ],
      });
      const r = res.topics?.[0]?.partitions[0];
      const errorCode = r?.errorCode ?? res.errorCode;
      if (errorCode === ErrorCode.NONE && r !== undefined && p.state === state) {
        p.setState({ ...state, isr: r.isr, leaderEpoch: r.leaderEpoch, partitionEpoch: r.partitionEpoch }, Date.now(), reason);
        p.settleJoining();
      } else if (errorCode !== ErrorCode.NONE) {
        this.logger.debug({ topic: p.topic, partition: p.index, errorCode, newIsr }, 'ISR change refused');
        // A stale partition epoch may be an earlier, timed-out expansion that did commit, and a
        // timed-out call may have committed too: the joiners keep counting until the image brings
        // the next partition epoch. Other refusals commit nothing.
        const mayHaveCommitted = errorCode === ErrorCode.INVALID_UPDATE_VERSION || errorCode === ErrorCode.REQUEST_TIMED_OUT;
        if (!mayHaveCommitted && p.state === state) p.settleJoining();
      }
    } catch (err) {
      // Timed out or the connection failed: the change may still have been committed.
      this.logger.debug({ err, topic: p.topic, partition: p.index }, 'ISR change failed');
    } finally {
      p.isrChangeInFlight = false;
    }
  }

  private fetcherSettings(): FetcherSettings {
    return {
      nodeId: this.host.nodeId,
      maxWaitMs: this.settings.fetchWaitMaxMs,
      minBytes: this.settings.fetchMinBytes,
      maxBytes: this.settings.fetchResponseMaxBytes,
      partitionMaxBytes: this.settings.fetchMaxBytes,
      leaderAddress: (leaderId) => {
        const b = this.host.image.brokers.get(leaderId);
        if (b === undefined || b.fenced) return null;
        const ep = b.endPoints.find((e) => e.name === this.settings.listenerName) ?? b.endPoints[0];
        return ep === undefined ? null : { host: ep.host, port: ep.port };
      },
    };
  }
}
