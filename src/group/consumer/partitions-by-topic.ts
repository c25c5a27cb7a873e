// PartitionsByTopic: a set of topic-partitions keyed by topic id, the shape KIP-848 uses for
// assignments, owned partitions and partitions pending revocation. Values are immutable maps whose
// lists are sorted ascending, hold no duplicates and are never empty; every function here returns
// values in that normal form, so equality is a plain walk.

export type PartitionsByTopic = ReadonlyMap<string, readonly number[]>;

/** The wire and record shape (ConsumerGroupHeartbeat TopicPartitions, ConsumerGroup*Value records). */
export interface TopicPartitionsEntry {
  topicId: string;
  partitions: number[];
}

export const NO_PARTITIONS: PartitionsByTopic = new Map();

/** Normalizes any topicId → partitions collection: sorted, deduplicated, empty topics dropped. */
export function partitionsByTopic(entries: Iterable<readonly [string, Iterable<number>]>): PartitionsByTopic {
  const merged = new Map<string, Set<number>>();
  for (const [topicId, partitions] of entries) {
    let set = merged.get(topicId);
    if (set === undefined) merged.set(topicId, (set = new Set()));
    for (const p of partitions) set.add(p);
  }
  const out = new Map<string, number[]>();
  for (const topicId of [...merged.keys()].sort()) {
    const set = merged.get(topicId)!;
    if (set.size > 0) out.set(topicId, [...set].sort((a, b) => a - b));
  }
  return out;
}

/** Reads the request's TopicPartitions; null (field not sent) stays null. */
export function fromEntries(list: readonly { topicId: string; partitions: readonly number[] }[] | null): PartitionsByTopic | null {
  return list === null ? null : partitionsByTopic(list.map((e) => [e.topicId, e.partitions] as const));
}

export function toEntries(value: PartitionsByTopic): TopicPartitionsEntry[] {
  return [...value].map(([topicId, partitions]) => ({ topicId, partitions: [...partitions] }));
}

export function partitionCount(value: PartitionsByTopic): number {
  let n = 0;
  for (const partitions of value.values()) n += partitions.length;
  return n;
}

export function hasPartition(value: PartitionsByTopic, topicId: string, partition: number): boolean {
  const partitions = value.get(topicId);
  return partitions !== undefined && containsSorted(partitions, partition);
}

/** Binary search in a sorted list: assignments can hold thousands of partitions. */
function containsSorted(sorted: readonly number[], value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export function partitionsEqual(a: PartitionsByTopic, b: PartitionsByTopic): boolean {
  if (a.size !== b.size) return false;
  for (const [topicId, pa] of a) {
    const pb = b.get(topicId);
    if (pb === undefined || pa.length !== pb.length || pa.some((p, i) => p !== pb[i])) return false;
  }
  return true;
}

/** Whether every partition of `a` is in `b`. */
export function isSubset(a: PartitionsByTopic, b: PartitionsByTopic): boolean {
  for (const [topicId, pa] of a) {
    const pb = b.get(topicId);
    if (pb === undefined || pa.some((p) => !containsSorted(pb, p))) return false;
  }
  return true;
}

/** Whether `a` and `b` share at least one partition. */
export function intersects(a: PartitionsByTopic, b: PartitionsByTopic): boolean {
  for (const [topicId, pa] of a) {
    const pb = b.get(topicId);
    if (pb !== undefined && pa.some((p) => containsSorted(pb, p))) return true;
  }
  return false;
}
