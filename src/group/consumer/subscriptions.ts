// What a consumer group's members subscribe to, resolved against topic metadata: each member's
// topic names plus the topics its regex matches (KIP-848 v1 SubscribedTopicRegex), and the
// metadata (topic id, partition count) of every existing subscribed topic. A change of that
// metadata is one of the reasons the group epoch bumps (ConsumerGroupPartitionMetadataValue).
//
// Regexes are resolved when a member starts using one and again on refreshRegexes (the coordinator
// calls it via onTopicsChanged), not on every heartbeat: matching every topic name per heartbeat
// would cost too much. The owner must call membersChanged after adding, removing or
// re-subscribing members, since the set of subscribed names is cached.

import type { SubscribedTopicSnapshot } from './snapshot.js';
import type { ConsumerGroupMember, TopicsView } from './types.js';
import { compileTopicRegex } from './validate.js';

export interface TopicMetadata {
  readonly topicId: string;
  readonly partitions: number;
}

export class Subscriptions {
  /** topic name → metadata, for every existing topic some member subscribes to. */
  #metadata: ReadonlyMap<string, TopicMetadata> = new Map();
  /** regex → matching topic names (sorted), for the regexes members use. */
  readonly #regexMatches = new Map<string, readonly string[]>();
  #namesCache: ReadonlySet<string> | null = null;

  get metadata(): ReadonlyMap<string, TopicMetadata> {
    return this.#metadata;
  }

  /** The topic names `m` subscribes to, by name or through its regex; some may not exist. */
  topicNamesOf(m: ConsumerGroupMember): readonly string[] {
    if (m.subscribedTopicRegex === null) return m.subscribedTopicNames;
    return [...m.subscribedTopicNames, ...(this.#regexMatches.get(m.subscribedTopicRegex) ?? [])];
  }

  /** The ids of the existing topics `m` subscribes to. */
  topicIdsOf(m: ConsumerGroupMember): string[] {
    return this.topicNamesOf(m).flatMap((name) => this.#metadata.get(name)?.topicId ?? []);
  }

  /** topicId → partition count of every subscribed topic, as assignors take it. */
  partitionCounts(): Map<string, number> {
    return new Map([...this.#metadata.values()].map((t) => [t.topicId, t.partitions]));
  }

  /** Drops regexes nobody uses, resolves new ones when `topics` is given, and resets the cache. */
  membersChanged(members: Iterable<ConsumerGroupMember>, topics: TopicsView | null): void {
    const used = usedRegexes(members);
    for (const regex of this.#regexMatches.keys()) if (!used.has(regex)) this.#regexMatches.delete(regex);
    if (topics !== null) {
      for (const regex of used) if (!this.#regexMatches.has(regex)) this.#regexMatches.set(regex, matchTopics(regex, topics));
    }
    this.#namesCache = null;
  }

  /** Resolves every regex again; returns whether any regex now matches other topics. */
  refreshRegexes(members: Iterable<ConsumerGroupMember>, topics: TopicsView): boolean {
    let isChanged = false;
    for (const regex of usedRegexes(members)) {
      const next = matchTopics(regex, topics);
      const old = this.#regexMatches.get(regex);
      if (old === undefined || old.length !== next.length || old.some((n, i) => n !== next[i])) isChanged = true;
      this.#regexMatches.set(regex, next);
    }
    this.#namesCache = null;
    return isChanged;
  }

  /** Looks the subscribed topics up again; returns whether any appeared, vanished or changed. */
  refreshMetadata(members: Iterable<ConsumerGroupMember>, topics: TopicsView): boolean {
    const next = new Map<string, TopicMetadata>();
    for (const name of this.#subscribedNames(members)) {
      const t = topics.byName(name);
      if (t !== undefined) next.set(name, { topicId: t.topicId, partitions: t.partitions });
    }
    const current = this.#metadata;
    const isSame =
      next.size === current.size &&
      [...next].every(([name, t]) => current.get(name)?.topicId === t.topicId && current.get(name)?.partitions === t.partitions);
    if (isSame) return false;
    this.#metadata = next;
    return true;
  }

  /** Forgets topics nobody subscribes to any more, without looking anything up (after removals). */
  pruneMetadata(members: Iterable<ConsumerGroupMember>): void {
    const subscribed = this.#subscribedNames(members);
    this.#metadata = new Map([...this.#metadata].filter(([name]) => subscribed.has(name)));
  }

  snapshot(): SubscribedTopicSnapshot[] {
    return [...this.#metadata].map(([topicName, t]) => ({ topicId: t.topicId, topicName, numPartitions: t.partitions }));
  }

  /** Restores the stored metadata and resolves regexes against `topics`. */
  restore(stored: readonly SubscribedTopicSnapshot[], members: Iterable<ConsumerGroupMember>, topics: TopicsView): void {
    this.#metadata = new Map(stored.map((t) => [t.topicName, { topicId: t.topicId, partitions: t.numPartitions }]));
    this.membersChanged(members, topics);
  }

  #subscribedNames(members: Iterable<ConsumerGroupMember>): ReadonlySet<string> {
    if (this.#namesCache === null) {
      const names = new Set<string>();
      for (const m of members) for (const name of this.topicNamesOf(m)) names.add(name);
      this.#namesCache = names;
    }
    return this.#namesCache;
  }
}

function usedRegexes(members: Iterable<ConsumerGroupMember>): Set<string> {
  const used = new Set<string>();
  for (const m of members) if (m.subscribedTopicRegex !== null) used.add(m.subscribedTopicRegex);
  return used;
}

function matchTopics(regex: string, topics: TopicsView): string[] {
  const pattern = compileTopicRegex(regex);
  return pattern === null ? [] : topics.names().filter((name) => pattern.test(name)).sort();
}
