// Shared fixtures for the KIP-848 consumer group tests and simulation: an in-memory TopicsView,
// a group with numbered member ids, and a ConsumerGroupHeartbeat request with defaults.

import { silentLogger } from '../../../src/common/logger.js';
import type { ConsumerGroupHeartbeatRequest } from '../../../src/protocol/generated/consumer-group-heartbeat-request.js';
import { ConsumerGroup, type ConsumerGroupConfig, type TopicsView } from '../../../src/group/consumer/index.js';

export class FakeTopics implements TopicsView {
  readonly #byName = new Map<string, { topicId: string; partitions: number }>();
  #created = 0;

  /** `topicIdOf` names a topic's id from its name and creation count (default `id-<name>`). */
  constructor(private readonly topicIdOf: (name: string, created: number) => string = (name) => `id-${name}`) {}

  create(name: string, partitions: number): this {
    this.#byName.set(name, { topicId: this.topicIdOf(name, ++this.#created), partitions });
    return this;
  }
  grow(name: string, partitions: number): void {
    const t = this.#byName.get(name)!;
    this.#byName.set(name, { ...t, partitions });
  }
  delete(name: string): void {
    this.#byName.delete(name);
  }
  byName(name: string) {
    return this.#byName.get(name);
  }
  byId(topicId: string) {
    for (const [name, t] of this.#byName) if (t.topicId === topicId) return { name, partitions: t.partitions };
    return undefined;
  }
  names(): string[] {
    return [...this.#byName.keys()];
  }
}

export function consumerGroupConfig(maxSize: number): ConsumerGroupConfig {
  return { sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5_000, maxSize, assignors: ['uniform', 'range'] };
}

export function newConsumerGroup(maxSize: number): ConsumerGroup {
  let n = 0;
  return new ConsumerGroup('g', consumerGroupConfig(maxSize), () => `generated-${++n}`, silentLogger);
}

/** A heartbeat for group 'g' with every field at its schema default, then `fields`. */
export function heartbeatRequest(fields: Partial<ConsumerGroupHeartbeatRequest>): ConsumerGroupHeartbeatRequest {
  return {
    groupId: 'g',
    memberId: '',
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: null,
    ...fields,
  };
}
