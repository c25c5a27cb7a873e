// One service member's Kafka consumer: a classic-protocol member of the service's group, reading
// delivery-location-updates from the committed offsets (earliest when the group has none).
// Services either let the client autocommit what it has fetched (in-memory views, where a replay
// after a crash is harmless) or commit explicitly after their own durable work (db-writer).
//
// It survives broker failures, which @platformatic/kafka 1.35 alone does not: a fetch is retried
// against the same broker and, when that broker stays gone, ends the stream with an error; and
// the group coordinator is looked up once and kept for the consumer's life, so after the
// coordinator's broker dies every heartbeat and commit fails. On either (a stream error, a
// heartbeat that failed through all its retries) the member replaces its consumer: the new one
// has fresh metadata, finds the current coordinator, and joins under the old member id, so the
// group does not wait out the old member's session before rebalancing. It reads from the
// committed offsets, replaying what was fetched but not committed; every service tolerates that.
// The `onRestart` hook lets a service drop what it had buffered but not yet made durable.

import { Consumer, stringDeserializers, type Message, type MessagesStream } from '@platformatic/kafka';
import { createRootLogger } from '../common/log.js';
import { bootstrapList, type ChildConfig } from './config.js';
import { LOCATION_TOPIC, groupIdFor, type ServiceName } from './types.js';

export type LocationMessage = Message<string, string, string, string>;
type DemoConsumer = Consumer<string, string, string, string>;
type DemoStream = MessagesStream<string, string, string, string>;

/** Autocommit interval for services whose state is in memory. */
const AUTOCOMMIT_INTERVAL_MS = 500;
const RESTART_DELAY_MS = 300;
const log = createRootLogger('warn', { component: 'demo-consumer' });

export interface ServiceConsumerHooks {
  onMessage(message: LocationMessage): void;
  /** The previous consumer failed and is gone; a new one starts from the committed offsets. */
  onRestart?(): void;
}

export class ServiceConsumer {
  /** How often the member had to replace its consumer after a failure. */
  restarts = 0;
  private consumer: DemoConsumer | undefined;
  private stream: DemoStream | undefined;
  private isClosed = false;
  private isPaused = false;
  private restarting: Promise<void> | undefined;

  private constructor(
    private readonly config: ChildConfig,
    private readonly service: ServiceName,
    private readonly isAutocommit: boolean,
    private readonly hooks: ServiceConsumerHooks,
  ) {}

  static async start(config: ChildConfig, service: ServiceName, isAutocommit: boolean, hooks: ServiceConsumerHooks): Promise<ServiceConsumer> {
    const sc = new ServiceConsumer(config, service, isAutocommit, hooks);
    await sc.open(null);
    return sc;
  }

  /** The partitions of delivery-location-updates this member holds now. */
  partitions(): number[] {
    return [...(this.consumer?.assignments?.find((a) => a.topic === LOCATION_TOPIC)?.partitions ?? [])].sort((a, b) => a - b);
  }

  pause(): void {
    this.isPaused = true;
    this.stream?.pause();
  }

  resume(): void {
    this.isPaused = false;
    this.stream?.resume();
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** Commits offsets (the next offset to read) of partitions already processed. */
  async commit(offsets: { partition: number; offset: number }[]): Promise<void> {
    const consumer = this.consumer;
    if (consumer === undefined || this.restarting !== undefined) throw new Error('the consumer is being replaced');
    await consumer.commit({ offsets: offsets.map(({ partition, offset }) => ({ topic: LOCATION_TOPIC, partition, offset: BigInt(offset), leaderEpoch: -1 })) });
  }

  async close(): Promise<void> {
    this.isClosed = true;
    await this.restarting;
    const { consumer, stream } = this;
    this.consumer = undefined;
    this.stream = undefined;
    await stream?.close().catch(() => {});
    // A clean close leaves the group; when the coordinator cannot be reached, close regardless.
    if (consumer !== undefined) await consumer.close().catch(() => new Promise<void>((resolve) => consumer.close(true, () => resolve())));
  }

  /** A new consumer and stream; `memberId` rejoins the group as that member. */
  private async open(memberId: string | null): Promise<void> {
    const consumer: DemoConsumer = new Consumer({
      clientId: `demo-gps-${this.service}-${this.config.member}`,
      bootstrapBrokers: bootstrapList(this.config.bootstrap),
      groupId: groupIdFor(this.service, this.config.runId),
      deserializers: stringDeserializers,
      // Kafka's smallest allowed session (group.min.session.timeout.ms): a killed member's
      // partitions move to another member within seconds.
      sessionTimeout: 6_000,
      heartbeatInterval: 500,
      rebalanceTimeout: 15_000,
      retries: 10,
      retryDelay: 200,
    });
    consumer.memberId = memberId;
    this.consumer = consumer;
    consumer.on('error', (err: unknown) => this.onFailure(consumer, err));
    // Emitted only once a heartbeat has failed through all its retries (rebalances are handled
    // inside the client): the coordinator is gone.
    consumer.on('consumer:heartbeat:error', (payload: { error?: unknown }) => this.onFailure(consumer, payload?.error));
    const stream = await consumer.consume({
      topics: [LOCATION_TOPIC],
      mode: 'committed',
      fallbackMode: 'earliest',
      autocommit: this.isAutocommit ? AUTOCOMMIT_INTERVAL_MS : false,
      maxWaitTime: 200,
      maxBytes: 8 * 1024 * 1024,
    });
    stream.on('data', (message: LocationMessage) => this.hooks.onMessage(message));
    stream.on('error', (err: unknown) => this.onFailure(consumer, err));
    if (this.isPaused) stream.pause();
    this.stream = stream;
  }

  private onFailure(failed: DemoConsumer, err: unknown): void {
    if (this.isClosed || failed !== this.consumer || this.restarting !== undefined) return;
    log.warn({ err, service: this.service, member: this.config.member }, 'consumer failed; replacing it');
    this.restarting = (async () => {
      const memberId = failed.memberId;
      await this.discard(failed);
      this.hooks.onRestart?.();
      while (!this.isClosed) {
        await new Promise((resolve) => setTimeout(resolve, RESTART_DELAY_MS));
        try {
          await this.open(memberId);
          this.restarts++;
          return;
        } catch (openErr) {
          log.warn({ err: openErr, service: this.service }, 'the new consumer failed to join; trying again');
          if (this.consumer !== undefined) await this.discard(this.consumer);
        }
      }
    })().finally(() => {
      this.restarting = undefined;
    });
  }

  /**
   * Closes a failed consumer without leaving the group: with no member id it skips LeaveGroup
   * (which would wait out its retries against a dead coordinator) and stops heartbeating, and
   * the member id lives on in the replacement.
   */
  private async discard(consumer: DemoConsumer): Promise<void> {
    const stream = consumer === this.consumer ? this.stream : undefined;
    this.consumer = undefined;
    this.stream = undefined;
    await stream?.close().catch(() => {});
    consumer.memberId = null;
    // Errors are beside the point here: the consumer is being thrown away.
    await new Promise<void>((resolve) => consumer.leaveGroup(true, () => resolve()));
    await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
  }
}
