// Partition reassignment (KIP-455) as KRaft runs it, as pure functions of the image returning
// per-partition results and PartitionChange records: AlterPartitionReassignments starts or
// cancels one, completion finishes it once the new replicas have caught up, and
// ListPartitionReassignments reports those in progress.
//
// A reassignment moves a partition from its original replicas to a target list. While it runs,
// `replicas` is the target followed by the replicas being removed, `addingReplicas` the target
// replicas that were not original replicas and `removingReplicas` the original ones not in the
// target; so replicas = target ∪ removing, and adding and removing are disjoint. Replicas being
// removed stay (and may stay in the ISR and lead) until completion, but never rejoin the ISR
// (alter-partition.ts). It completes, in one PartitionChange as in KRaft's PartitionChangeBuilder,
// once every adding replica is in the ISR and some target replica is: replicas become the target,
// the ISR loses the removed replicas, adding and removing clear, and a leader being removed hands
// over to the first eligible target replica in the ISR (it waits while there is none, rather than
// leave a partition without a leader that has one). The caller runs completeReassignments after
// every committed change that can grow an ISR or make a broker eligible (AlterPartition, a
// heartbeat that unfences, a new reassignment).
//
// A new reassignment during one in progress starts from the original replicas (replicas minus
// adding), as KIP-455 says; unlike KRaft, which recomputes against the merged list, a replica
// still catching up that the new target keeps stays in `addingReplicas`, so completion still
// waits for it, and one the new target drops becomes a removing replica rather than vanishing
// from a possibly led ISR. Cancelling reverts to the original replicas and drops the adding
// ones from the ISR; if nothing would be left in it, only a topic allowing unclean election may
// cancel (KRaft refuses the same way).

import { ErrorCode } from '../protocol/errors.js';
import type { MetadataImage, PartitionImage } from '../metadata/image.js';
import { NO_LEADER, type MetadataRecord } from '../metadata/records.js';
import {
  activeIn,
  chooseLeader,
  electLeader,
  isUncleanElectionEnabled,
  partitionChange,
  partitionsOf,
  type Eligibility,
  type ElectionOptions,
} from './partition-election.js';

export interface ReassignmentRequest {
  topics: { name: string; partitions: { partitionIndex: number; replicas: number[] | null }[] }[];
}

export interface ReassignmentPartitionResult {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface ReassignmentOutcome {
  responses: { name: string; partitions: ReassignmentPartitionResult[] }[];
  records: MetadataRecord[];
}

export interface OngoingReassignment {
  name: string;
  partitions: { partitionIndex: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }[];
}

/** A partition's assignment and leadership: what a reassignment step decides. */
type Assignment = Pick<PartitionImage, 'replicas' | 'isr' | 'leader' | 'addingReplicas' | 'removingReplicas'>;

export function isReassigning(p: Pick<PartitionImage, 'addingReplicas' | 'removingReplicas'>): boolean {
  return p.addingReplicas.length > 0 || p.removingReplicas.length > 0;
}

/** The replicas the partition will have once its reassignment completes (its replicas if none). */
export function reassignmentTarget(p: Pick<PartitionImage, 'replicas' | 'removingReplicas'>): number[] {
  return p.replicas.filter((id) => !p.removingReplicas.includes(id));
}

/** AlterPartitionReassignments: `replicas` null cancels, otherwise it is the target list. */
export function alterPartitionReassignments(image: MetadataImage, req: ReassignmentRequest, options?: ElectionOptions): ReassignmentOutcome {
  const records: MetadataRecord[] = [];
  const isEligible = activeIn(image);
  // A partition named twice is judged the second time as the first change left it.
  const changed = new Map<string, PartitionImage>();
  const responses = req.topics.map((t) => {
    const topic = image.topicsByName.get(t.name);
    const isUncleanAllowed = isUncleanElectionEnabled(image, t.name, options?.uncleanDefault ?? false);
    const partitions = t.partitions.map(({ partitionIndex, replicas }): ReassignmentPartitionResult => {
      const key = `${t.name}:${partitionIndex}`;
      const p = changed.get(key) ?? topic?.partitions[partitionIndex];
      if (!topic || !p) return result(partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${t.name}-${partitionIndex} does not exist`);
      const next = replicas === null ? reverted(p, isEligible, isUncleanAllowed) : started(image, p, replicas, isEligible);
      if ('errorCode' in next) return result(partitionIndex, next.errorCode, next.message);
      const record = partitionChange(topic.topicId, p, next);
      if (record) {
        records.push(record);
        const leaderEpoch = next.leader === p.leader ? p.leaderEpoch : p.leaderEpoch + 1;
        changed.set(key, { ...p, ...next, leaderEpoch, partitionEpoch: p.partitionEpoch + 1 });
      }
      return result(partitionIndex, ErrorCode.NONE, null);
    });
    return { name: t.name, partitions };
  });
  return { responses, records };
}

function result(partitionIndex: number, errorCode: number, errorMessage: string | null): ReassignmentPartitionResult {
  return { partitionIndex, errorCode, errorMessage };
}

type Refusal = { errorCode: number; message: string };

/** The partition with a reassignment to `target` started, and completed at once if it can be. */
function started(image: MetadataImage, p: PartitionImage, target: number[], isEligible: Eligibility): Assignment | Refusal {
  const problem = targetProblem(image, target);
  if (problem) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: problem };
  const original = p.replicas.filter((id) => !p.addingReplicas.includes(id));
  const removingReplicas = p.replicas.filter((id) => !target.includes(id));
  const next: Assignment = {
    leader: p.leader,
    isr: p.isr,
    replicas: [...target, ...removingReplicas],
    addingReplicas: target.filter((id) => !original.includes(id)),
    removingReplicas,
  };
  return completed(next, isEligible) ?? next;
}

function targetProblem(image: MetadataImage, target: readonly number[]): string | undefined {
  if (target.length === 0) return 'the target replica list is empty';
  if (new Set(target).size !== target.length) return `the target replica list [${target}] repeats a broker`;
  const unknown = target.find((id) => !image.brokers.has(id));
  return unknown === undefined ? undefined : `broker ${unknown} is not registered`;
}

/**
 * The reassignment completed, or null while it cannot be: an adding replica is outside the ISR,
 * no target replica is in it, or the leader is being removed and no target replica may take over.
 */
function completed(a: Assignment, isEligible: Eligibility): Assignment | null {
  if (!isReassigning(a) || !a.addingReplicas.every((id) => a.isr.includes(id))) return null;
  const target = reassignmentTarget(a);
  const isr = a.isr.filter((id) => target.includes(id));
  if (isr.length === 0) return null;
  let leader = a.leader;
  if (a.removingReplicas.includes(leader)) {
    leader = chooseLeader(target, isr, isEligible);
    if (leader === NO_LEADER) return null;
  }
  return { leader, isr, replicas: target, addingReplicas: [], removingReplicas: [] };
}

/** The partition back on its original replicas, the adding ones out of the ISR. */
function reverted(p: PartitionImage, isEligible: Eligibility, isUncleanAllowed: boolean): Assignment | Refusal {
  const where = `partition ${p.partitionId}`;
  if (!isReassigning(p)) return { errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, message: `${where} has no reassignment in progress` };
  const replicas = p.replicas.filter((id) => !p.addingReplicas.includes(id));
  const isr = p.isr.filter((id) => !p.addingReplicas.includes(id));
  const original = { replicas, removingReplicas: [] as number[] };
  if (isr.length === 0) {
    const message = `cancelling the reassignment of ${where} would leave no in-sync replica and need an unclean leader election`;
    if (!isUncleanAllowed) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message };
    const unclean = electLeader(original, [], isEligible, true);
    if (unclean.leader === NO_LEADER) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: `${message}, and no original replica may lead` };
    return { ...unclean, isr: [...unclean.isr], replicas, addingReplicas: [], removingReplicas: [] };
  }
  const next = isr.includes(p.leader) ? { leader: p.leader, isr } : electLeader(original, isr, isEligible, isUncleanAllowed);
  return { leader: next.leader, isr: [...next.isr], replicas, addingReplicas: [], removingReplicas: [] };
}

/**
 * Completes every reassignment that can complete (see `completed`): of one partition, of one
 * topic, or of all. Returns the PartitionChange records; none for a partition not being reassigned.
 */
export function completeReassignments(image: MetadataImage, topicId?: string, partitionId?: number): MetadataRecord[] {
  const isEligible = activeIn(image);
  const records: MetadataRecord[] = [];
  for (const { topicId: id, partition: p } of partitionsOf(image)) {
    if ((topicId !== undefined && id !== topicId) || (partitionId !== undefined && p.partitionId !== partitionId)) continue;
    const next = completed(p, isEligible);
    const record = next && partitionChange(id, p, next);
    if (record) records.push(record);
  }
  return records;
}

/**
 * ListPartitionReassignments: the reassignments in progress, of every topic (`topics` null) or
 * of the named partitions; unknown topics and partitions, and idle ones, are left out, as in KRaft.
 */
export function listPartitionReassignments(image: MetadataImage, topics: readonly { name: string; partitionIndexes: readonly number[] }[] | null): OngoingReassignment[] {
  const wanted = topics ?? [...image.topicsByName.values()].map((t) => ({ name: t.name, partitionIndexes: t.partitions.flatMap((p) => (p ? [p.partitionId] : [])) }));
  const out: OngoingReassignment[] = [];
  for (const { name, partitionIndexes } of wanted) {
    const topic = image.topicsByName.get(name);
    if (!topic) continue;
    const partitions = partitionIndexes
      .map((i) => topic.partitions[i])
      .filter((p): p is PartitionImage => p !== undefined && isReassigning(p))
      .map((p) => ({ partitionIndex: p.partitionId, replicas: [...p.replicas], addingReplicas: [...p.addingReplicas], removingReplicas: [...p.removingReplicas] }));
    if (partitions.length > 0) out.push({ name, partitions });
  }
  return out;
}
