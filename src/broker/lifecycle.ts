// A broker's membership in the cluster, as KRaft's BrokerLifecycleManager: register with the
// active controller (BrokerRegistration, a fresh incarnation id per process), then heartbeat
// (BrokerHeartbeat) with the metadata offset this broker has applied. The controller registers it
// fenced and unfences it once it has caught up to its own registration; a broker whose heartbeats
// stop is fenced after broker.session.timeout.ms. A heartbeat that names an unknown or stale
// epoch (the controller forgot us, or fenced this incarnation) means: register again.
// Controlled shutdown asks the controller to move this broker's leaderships away (wantShutDown)
// and waits, bounded, until it says the broker may stop.

import type { Logger } from '../common/logger.js';
import { sleep } from '../client/connection.js';
import type { ControllerApi } from '../controller/api.js';
import type { MetadataView } from '../metadata/metadata-quorum.js';
import type { BrokerEndpoint } from '../metadata/records.js';
import { ErrorCode } from '../protocol/errors.js';
import { randomUuid } from '../protocol/reader.js';

export interface LifecycleOptions {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly rack: string | null;
  readonly listeners: readonly BrokerEndpoint[];
  readonly logDirs: readonly string[];
  readonly heartbeatIntervalMs: number;
  readonly controller: ControllerApi;
  readonly metadata: MetadataView;
  readonly logger: Logger;
  /** Told every new registration epoch. */
  readonly onRegistered?: (brokerEpoch: number) => void;
}

/** Heartbeats while fenced go faster, so a starting broker is unfenced promptly. */
const FENCED_HEARTBEAT_MS = 100;
const SHUTDOWN_HEARTBEAT_MS = 100;

export class BrokerLifecycle {
  readonly incarnationId = randomUuid();
  private epoch = -1;
  private fenced = true;
  private wantShutDown = false;
  private shouldShutDown = false;
  private isStopped = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly unfencedWaiters: (() => void)[] = [];
  /** Ends the loop's current pause early (shutdown asked, or stopping). */
  private wake: (() => void) | null = null;

  constructor(private readonly options: LifecycleOptions) {}

  get brokerEpoch(): number {
    return this.epoch;
  }
  get isFenced(): boolean {
    return this.fenced;
  }

  /** Registers and starts heartbeating; resolves once the controller has unfenced this broker. */
  async start(): Promise<void> {
    const unfenced = new Promise<void>((resolve) => this.unfencedWaiters.push(resolve));
    this.loop = this.run();
    await unfenced;
  }

  /** Controlled shutdown: resolves once the controller lets us go, or after `timeoutMs`. */
  async shutDown(timeoutMs: number): Promise<boolean> {
    this.wantShutDown = true;
    this.wake?.();
    const deadline = Date.now() + timeoutMs;
    while (!this.shouldShutDown && !this.isStopped && Date.now() < deadline) await sleep(20);
    return this.shouldShutDown;
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.isStopped) {
      try {
        if (this.epoch < 0) {
          await this.register();
          if (this.epoch >= 0) continue; // heartbeat at once: unfencing waits for it
        } else await this.heartbeat();
      } catch (err) {
        this.options.logger.warn({ err }, 'controller request failed');
      }
      if (this.isStopped) return;
      await this.pause(this.wantShutDown ? SHUTDOWN_HEARTBEAT_MS : this.fenced ? FENCED_HEARTBEAT_MS : this.options.heartbeatIntervalMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }

  private async register(): Promise<void> {
    const o = this.options;
    const res = await o.controller.brokerRegistration({
      brokerId: o.nodeId,
      clusterId: o.clusterId,
      incarnationId: this.incarnationId,
      listeners: o.listeners.map((l) => ({ ...l })),
      features: [],
      rack: o.rack,
      isMigratingZkBroker: false,
      logDirs: [],
      previousBrokerEpoch: -1,
    });
    if (res.errorCode !== ErrorCode.NONE) {
      o.logger.warn({ errorCode: res.errorCode }, 'broker registration refused; retrying');
      return;
    }
    this.epoch = res.brokerEpoch;
    o.onRegistered?.(res.brokerEpoch);
    o.logger.info({ brokerEpoch: res.brokerEpoch, incarnationId: this.incarnationId }, 'registered with the controller');
  }

  private async heartbeat(): Promise<void> {
    const o = this.options;
    const res = await o.controller.brokerHeartbeat({
      brokerId: o.nodeId,
      brokerEpoch: this.epoch,
      currentMetadataOffset: o.metadata.appliedOffset - 1,
      wantFence: false,
      wantShutDown: this.wantShutDown,
      offlineLogDirs: [],
    });
    if (res.errorCode === ErrorCode.STALE_BROKER_EPOCH || res.errorCode === ErrorCode.BROKER_ID_NOT_REGISTERED) {
      o.logger.warn({ errorCode: res.errorCode, brokerEpoch: this.epoch }, 'controller no longer knows this registration; registering again');
      this.epoch = -1;
      return;
    }
    if (res.errorCode !== ErrorCode.NONE) return;
    // The controller logs 'broker fenced'/'broker unfenced' for the cluster; this is the broker's own view.
    if (this.fenced !== res.isFenced) o.logger.info({ brokerId: o.nodeId, brokerEpoch: this.epoch, fenced: res.isFenced }, res.isFenced ? 'this broker is fenced now' : 'this broker is unfenced now');
    this.fenced = res.isFenced;
    if (res.shouldShutDown) this.shouldShutDown = true;
    if (!this.fenced) for (const w of this.unfencedWaiters.splice(0)) w();
  }
}
