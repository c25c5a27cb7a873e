// The offset arithmetic of `groups reset-offsets`, kept apart from I/O: which partitions a
// request names, and the new offset of each. Like kafka-consumer-groups, every new offset is
// clamped to [log start, log end]; --to-datetime with no record at or after the time moves to the
// log end; --shift-by moves from the committed offset, so a partition without one is an error.

import { assert } from '../common/assert.js';
import type { CommittedOffset, OffsetSpec, TopicMetadata, TopicPartition } from '../client/index.js';
import { usageError, type ResetStrategy, type TopicTarget } from './groups-args.js';

/** Looks up offsets by spec; a timestamp lookup answers -1 where no record is that new. */
export type OffsetLookup = (partitions: readonly TopicPartition[], spec: OffsetSpec) => Promise<Map<string, number>>;

export interface PlannedOffset extends TopicPartition {
  /** Null where the group has committed nothing for the partition. */
  currentOffset: number | null;
  newOffset: number;
}

export function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}:${tp.partition}`;
}

/**
 * The partitions the targets name, checked against the cluster's topics; `all-topics` means
 * every partition the group has committed an offset for.
 */
export function resolveTargets(targets: TopicTarget[] | 'all-topics', topics: readonly TopicMetadata[], committed: readonly CommittedOffset[]): TopicPartition[] {
  if (targets === 'all-topics') {
    if (committed.length === 0) throw usageError('--all-topics: the group has no committed offsets; name topics with --topic');
    return committed.map(({ topic, partition }) => ({ topic, partition }));
  }
  const result: TopicPartition[] = [];
  for (const target of targets) {
    const topic = topics.find((t) => t.name === target.topic);
    if (topic === undefined || topic.errorCode !== 0 || topic.partitions.length === 0) {
      throw usageError(`topic "${target.topic}" does not exist; check the name (\`tideline groups describe GROUP\` shows the group's topics)`);
    }
    const existing = topic.partitions.map((p) => p.partition);
    for (const partition of target.partitions ?? existing) {
      if (!existing.includes(partition)) {
        throw usageError(`topic "${target.topic}" has no partition ${partition} (it has ${existing.length}: 0-${existing.length - 1})`);
      }
      if (!result.some((r) => r.topic === target.topic && r.partition === partition)) result.push({ topic: target.topic, partition });
    }
  }
  return result;
}

export interface PartitionBounds {
  earliest: number;
  latest: number;
  committed: number | null;
  /** The timestamp lookup's answer for --to-datetime (-1: no record that new). */
  byTimestamp?: number;
}

/** The new offset for one partition, before and after clamping; throws for --shift-by without a commit. */
export function targetOffset(strategy: ResetStrategy, bounds: PartitionBounds, tp: TopicPartition): number {
  let wanted: number;
  switch (strategy.kind) {
    case 'to-earliest':
      wanted = bounds.earliest;
      break;
    case 'to-latest':
      wanted = bounds.latest;
      break;
    case 'to-offset':
      wanted = strategy.offset;
      break;
    case 'shift-by':
      if (bounds.committed === null) {
        throw usageError(`--shift-by: the group has no committed offset for ${tp.topic}-${tp.partition} to shift; use --to-offset, --to-earliest or --to-latest for it`);
      }
      wanted = bounds.committed + strategy.delta;
      break;
    case 'to-datetime':
      wanted = bounds.byTimestamp === undefined || bounds.byTimestamp < 0 ? bounds.latest : bounds.byTimestamp;
      break;
  }
  return clamp(wanted, bounds.earliest, bounds.latest);
}

export function clamp(offset: number, earliest: number, latest: number): number {
  return Math.min(Math.max(offset, earliest), latest);
}

/** Looks up the log bounds (and timestamps, for --to-datetime) and plans every partition. */
export async function planReset(
  strategy: ResetStrategy,
  partitions: readonly TopicPartition[],
  committed: readonly CommittedOffset[],
  lookup: OffsetLookup,
): Promise<PlannedOffset[]> {
  const [earliest, latest, byTimestamp] = await Promise.all([
    lookup(partitions, 'earliest'),
    lookup(partitions, 'latest'),
    strategy.kind === 'to-datetime' ? lookup(partitions, { timestampMs: strategy.timestampMs }) : Promise.resolve(undefined),
  ]);
  const committedByKey = new Map(committed.map((c) => [partitionKey(c), c.offset]));
  return partitions.map((tp) => {
    const key = partitionKey(tp);
    const bounds: PartitionBounds = {
      earliest: mustHave(earliest, key),
      latest: mustHave(latest, key),
      committed: committedByKey.get(key) ?? null,
      ...(byTimestamp === undefined ? {} : { byTimestamp: mustHave(byTimestamp, key) }),
    };
    return { topic: tp.topic, partition: tp.partition, currentOffset: bounds.committed, newOffset: targetOffset(strategy, bounds, tp) };
  });
}

function mustHave(offsets: Map<string, number>, key: string): number {
  const offset = offsets.get(key);
  assert(offset !== undefined, `offset lookup returned nothing for ${key}`);
  return offset;
}
