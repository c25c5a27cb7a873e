// Proposed reassignments, as pure functions of the image: the input an operator reviews and then
// hands to alterPartitionReassignments (their topics are a ReassignmentRequest's). Nothing here
// decides or writes records.
// - decommissionPlan moves every replica off one broker: each partition keeps its other replicas
//   in place and gets, in the leaving broker's position, the active broker with the fewest
//   replicas that is not in its list yet, on a rack its other replicas do not use when every
//   candidate has a rack and such a broker exists. A partition no broker can take, or whose other
//   replicas include an unregistered broker (a reassignment naming it would be refused), is
//   reported instead.
// - balancedAssignment is `tideline reassign --generate`: Kafka's placement for new topics
//   (replica-placement.ts, rack-aware when every given broker has a rack) over the given brokers,
//   keeping each partition's replication factor. Kafka starts each topic at a random broker;
//   here topic i of the request starts at broker i, so the same request proposes the same plan.
// Both count a partition being reassigned by its target replicas.

import { ErrorCode } from '../protocol/errors.js';
import type { MetadataImage } from '../metadata/image.js';
import { partitionsOf } from './partition-election.js';
import { placeReplicas, type PlacementBroker } from './replica-placement.js';
import { reassignmentTarget } from './reassignment.js';

export interface ProposedTopic {
  name: string;
  partitions: { partitionIndex: number; replicas: number[] }[];
}

export interface DecommissionPlan {
  topics: ProposedTopic[];
  /** Partitions with a replica on the broker that the plan cannot move, and why. */
  unplaced: { name: string; partitionIndex: number; reason: string }[];
}

export function decommissionPlan(image: MetadataImage, brokerId: number): DecommissionPlan {
  const load = replicaCounts(image);
  const candidates = image.activeBrokers().filter((b) => b.brokerId !== brokerId);
  const isRackAware = candidates.length > 0 && candidates.every((b) => b.rack !== null);
  const rackOf = (id: number) => image.brokers.get(id)?.rack ?? null;
  const byName = new Map<string, ProposedTopic>();
  const unplaced: DecommissionPlan['unplaced'] = [];
  for (const { topicId, partition: p } of partitionsOf(image)) {
    const target = reassignmentTarget(p);
    const position = target.indexOf(brokerId);
    if (position === -1) continue;
    const name = image.topicsById.get(topicId)!.name;
    const unregistered = target.find((id) => id !== brokerId && !image.brokers.has(id));
    if (unregistered !== undefined) {
      unplaced.push({ name, partitionIndex: p.partitionId, reason: `replica ${unregistered} is on an unregistered broker` });
      continue;
    }
    const free = candidates.filter((b) => !target.includes(b.brokerId));
    const usedRacks = new Set(target.filter((id) => id !== brokerId).map(rackOf));
    const apart = isRackAware ? free.filter((b) => !usedRacks.has(b.rack)) : [];
    const pool = apart.length > 0 ? apart : free;
    if (pool.length === 0) {
      unplaced.push({ name, partitionIndex: p.partitionId, reason: 'every active broker already holds a replica' });
      continue;
    }
    // Fewest replicas first, then the lowest id, so the plan is deterministic.
    const chosen = pool.reduce((best, b) => ((load.get(b.brokerId) ?? 0) < (load.get(best.brokerId) ?? 0) ? b : best)).brokerId;
    load.set(chosen, (load.get(chosen) ?? 0) + 1);
    const replicas = target.map((id) => (id === brokerId ? chosen : id));
    let topic = byName.get(name);
    if (!topic) byName.set(name, (topic = { name, partitions: [] }));
    topic.partitions.push({ partitionIndex: p.partitionId, replicas });
  }
  return { topics: [...byName.values()], unplaced };
}

/** Replicas per broker, counting a partition being reassigned by its target. */
function replicaCounts(image: MetadataImage): Map<number, number> {
  const load = new Map<number, number>();
  for (const { partition } of partitionsOf(image)) {
    for (const id of reassignmentTarget(partition)) load.set(id, (load.get(id) ?? 0) + 1);
  }
  return load;
}

export function balancedAssignment(
  image: MetadataImage,
  topics: readonly string[],
  brokers: readonly number[],
): { errorCode: number; errorMessage: string | null; topics: ProposedTopic[] } {
  const refuse = (errorCode: number, errorMessage: string) => ({ errorCode, errorMessage, topics: [] });
  if (brokers.length === 0 || new Set(brokers).size !== brokers.length) {
    return refuse(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'the broker list is empty or repeats a broker');
  }
  const unknownBroker = brokers.find((id) => !image.brokers.has(id));
  if (unknownBroker !== undefined) return refuse(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `broker ${unknownBroker} is not registered`);
  const placement: PlacementBroker[] = [...brokers].sort((a, b) => a - b).map((id) => ({ brokerId: id, rack: image.brokers.get(id)!.rack }));
  const out: ProposedTopic[] = [];
  for (const [i, name] of [...new Set(topics)].entries()) {
    const topic = image.topicsByName.get(name);
    if (!topic) return refuse(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
    const partitions = topic.partitions.filter((p) => p !== undefined);
    const factors = partitions.map((p) => reassignmentTarget(p).length);
    const rf = Math.max(1, ...factors);
    if (rf > placement.length) {
      return refuse(ErrorCode.INVALID_REPLICATION_FACTOR, `topic ${name} has replication factor ${rf} but only ${placement.length} broker(s) were given`);
    }
    // One placement at the largest factor; a prefix of a placement is still spread (and rack-aware).
    const lists = placeReplicas(placement, topic.partitions.length, rf, i % placement.length, 0);
    out.push({ name, partitions: partitions.map((p, k) => ({ partitionIndex: p.partitionId, replicas: lists[p.partitionId]!.slice(0, factors[k]) })) });
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null, topics: out };
}
