// Partition leader election and the ISR consequences of a broker leaving, as pure functions of
// the image that return PartitionChange records. Used by broker-ops (fencing, controlled
// shutdown, re-registration, unfencing, unregistration), by preferred leader election, by
// ElectLeaders (elect-leaders.ts) and by reassignment.
//
// The rules are KRaft's (ReplicationControlManager, PartitionChangeBuilder): a clean leader is
// the first replica, in replica order (so the preferred replica first), that is in the ISR and
// eligible; eligibility is given as a predicate so a caller emitting several records (a fence,
// then the moves) can decide as if its own broker change applied already. A broker that leaves
// an ISR never empties it: the last member stays, with no leader, so the partition waits for it
// rather than losing acknowledged data. Only when no ISR member may lead and the topic allows it
// (unclean.leader.election.enable, the topic override else the broker default the caller
// passes) is the first eligible replica outside the ISR elected, with the ISR reset to it alone,
// as Kafka does; replicas being removed by a reassignment are never chosen, since they do not
// rejoin the ISR. A PartitionChange names only what changed; the image bumps the leader epoch on
// a leader change and the partition epoch on every change.

import { ErrorCode } from '../protocol/errors.js';
import type { MetadataImage, PartitionImage } from '../metadata/image.js';
import { NO_LEADER, type MetadataRecord } from '../metadata/records.js';

/** Whether a broker may lead or join an ISR. */
export type Eligibility = (brokerId: number) => boolean;

export interface PartitionRef {
  topicId: string;
  partitionId: number;
}

/** What an election needs beyond the image. */
export interface ElectionOptions {
  /** The broker's unclean.leader.election.enable, for topics without an override. */
  uncleanDefault: boolean;
}

export const UNCLEAN_LEADER_ELECTION_CONFIG = 'unclean.leader.election.enable';

/** Whether `topicName` may elect a leader from outside its ISR: its override, else the default. */
export function isUncleanElectionEnabled(image: MetadataImage, topicName: string, uncleanDefault: boolean): boolean {
  const override = image.topicConfigs.get(topicName)?.get(UNCLEAN_LEADER_ELECTION_CONFIG);
  return override === undefined ? uncleanDefault : override.trim().toLowerCase() === 'true';
}

/** The image's rule: registered, unfenced and not in controlled shutdown. */
export function activeIn(image: MetadataImage): Eligibility {
  return (brokerId) => image.isActiveBroker(brokerId);
}

/** `isEligible`, but never `brokerId`: decide as if that broker were fenced already. */
export function excluding(isEligible: Eligibility, brokerId: number): Eligibility {
  return (id) => id !== brokerId && isEligible(id);
}

/** `isEligible`, and also `brokerId`: decide as if that broker were unfenced already. */
export function including(isEligible: Eligibility, brokerId: number): Eligibility {
  return (id) => id === brokerId || isEligible(id);
}

/** The first replica in the ISR that is eligible, or NO_LEADER. */
export function chooseLeader(replicas: readonly number[], isr: readonly number[], isEligible: Eligibility): number {
  for (const id of replicas) if (isr.includes(id) && isEligible(id)) return id;
  return NO_LEADER;
}

/**
 * The leader and ISR after a leader election: the clean choice; else, with `isUncleanAllowed`,
 * the first eligible replica not being removed, alone in the ISR; else NO_LEADER and `isr` kept.
 */
export function electLeader(
  p: Pick<PartitionImage, 'replicas' | 'removingReplicas'>,
  isr: readonly number[],
  isEligible: Eligibility,
  isUncleanAllowed: boolean,
): { leader: number; isr: readonly number[] } {
  const clean = chooseLeader(p.replicas, isr, isEligible);
  if (clean !== NO_LEADER || !isUncleanAllowed) return { leader: clean, isr };
  const unclean = p.replicas.find((id) => !p.removingReplicas.includes(id) && isEligible(id));
  return unclean === undefined ? { leader: NO_LEADER, isr } : { leader: unclean, isr: [unclean] };
}

/** The fields a PartitionChange may set; absent ones stay as they are. */
export interface PartitionTarget {
  leader: number;
  isr: readonly number[];
  replicas?: readonly number[];
  addingReplicas?: readonly number[];
  removingReplicas?: readonly number[];
}

/** A PartitionChange from `current` to `next` naming only what differs; null when nothing does. */
export function partitionChange(topicId: string, current: PartitionImage, next: PartitionTarget): MetadataRecord | null {
  const record: Extract<MetadataRecord, { type: 'PartitionChange' }> = { type: 'PartitionChange', topicId, partitionId: current.partitionId };
  let changed = false;
  if (current.leader !== next.leader) {
    record.leader = next.leader;
    changed = true;
  }
  for (const field of ['isr', 'replicas', 'addingReplicas', 'removingReplicas'] as const) {
    const list = next[field];
    if (list === undefined || sameList(current[field], list)) continue;
    record[field] = [...list];
    changed = true;
  }
  return changed ? record : null;
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

export function* partitionsOf(image: MetadataImage): Generator<{ topicId: string; partition: PartitionImage }> {
  for (const topic of image.topicsById.values()) {
    for (const partition of topic.partitions) if (partition !== undefined) yield { topicId: topic.topicId, partition };
  }
}

/** Whether the topic with `topicId` allows unclean election, per `options` (absent: never). */
function uncleanFor(image: MetadataImage, topicId: string, options: ElectionOptions | undefined): boolean {
  const topic = image.topicsById.get(topicId);
  return topic !== undefined && isUncleanElectionEnabled(image, topic.name, options?.uncleanDefault ?? false);
}

/**
 * Takes `brokerId` off every leadership and, with `leaveIsr`, out of every ISR it is not the
 * last member of. `isEligible` must already exclude `brokerId`. A partition with no eligible ISR
 * member left gets an unclean leader where its topic allows one, else NO_LEADER and its ISR kept.
 */
export function evacuateBroker(
  image: MetadataImage,
  brokerId: number,
  isEligible: Eligibility,
  leaveIsr: boolean,
  options?: ElectionOptions,
): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  for (const { topicId, partition: p } of partitionsOf(image)) {
    if (p.leader !== brokerId && !p.isr.includes(brokerId)) continue;
    const isr = leaveIsr && p.isr.length > 1 ? p.isr.filter((id) => id !== brokerId) : p.isr;
    const next = p.leader === brokerId ? electLeader(p, isr, isEligible, uncleanFor(image, topicId, options)) : { leader: p.leader, isr };
    const record = partitionChange(topicId, p, next);
    if (record) records.push(record);
  }
  return records;
}

/** Whether `brokerId` leads a partition that another eligible ISR member could lead instead. */
export function leadsTransferable(image: MetadataImage, brokerId: number, isEligible: Eligibility): boolean {
  for (const { partition: p } of partitionsOf(image)) {
    if (p.leader === brokerId && chooseLeader(p.replicas, p.isr, excluding(isEligible, brokerId)) !== NO_LEADER) return true;
  }
  return false;
}

/**
 * Elects leaders for leaderless partitions `brokerId` (which has just become eligible) may help:
 * those whose ISR holds it, and, where the topic allows unclean election, those it is a replica of.
 */
export function electLeaderless(image: MetadataImage, brokerId: number, isEligible: Eligibility, options?: ElectionOptions): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  for (const { topicId, partition: p } of partitionsOf(image)) {
    if (p.leader !== NO_LEADER || !p.replicas.includes(brokerId)) continue;
    const isUncleanAllowed = uncleanFor(image, topicId, options);
    if (!p.isr.includes(brokerId) && !isUncleanAllowed) continue;
    const record = partitionChange(topicId, p, electLeader(p, p.isr, isEligible, isUncleanAllowed));
    if (record) records.push(record);
  }
  return records;
}

export interface ElectionResult extends PartitionRef {
  errorCode: number;
}

/**
 * Preferred leader election (ElectLeaders with PREFERRED, and auto.leader.rebalance.enable):
 * moves leadership back to the first replica where it is in the ISR and eligible. Per partition:
 * NONE (moved), ELECTION_NOT_NEEDED (it leads already), PREFERRED_LEADER_NOT_AVAILABLE (it may
 * not lead now) or UNKNOWN_TOPIC_OR_PARTITION. Without `partitions`, every partition is tried.
 */
export function preferredLeaderElection(image: MetadataImage, partitions?: readonly PartitionRef[]): { results: ElectionResult[]; records: MetadataRecord[] } {
  const isEligible = activeIn(image);
  const refs = partitions ?? [...partitionsOf(image)].map(({ topicId, partition }) => ({ topicId, partitionId: partition.partitionId }));
  const results: ElectionResult[] = [];
  const records: MetadataRecord[] = [];
  const seen = new Set<string>();
  for (const { topicId, partitionId } of refs) {
    const result = (errorCode: number): void => void results.push({ topicId, partitionId, errorCode });
    const p = image.topicsById.get(topicId)?.partitions[partitionId];
    if (!p) {
      result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      continue;
    }
    const preferred = p.replicas[0]!;
    if (p.leader === preferred || seen.has(`${topicId}:${partitionId}`)) {
      result(ErrorCode.ELECTION_NOT_NEEDED);
      continue;
    }
    if (!p.isr.includes(preferred) || !isEligible(preferred)) {
      result(ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE);
      continue;
    }
    seen.add(`${topicId}:${partitionId}`);
    records.push(partitionChange(topicId, p, { leader: preferred, isr: p.isr })!);
    result(ErrorCode.NONE);
  }
  return { results, records };
}
