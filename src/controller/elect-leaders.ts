// Leader elections an operator or a config change asks for, as pure functions of the image
// returning per-partition results and PartitionChange records: Kafka's ElectLeaders API
// (KIP-460) and the unclean elections KRaft runs for leaderless partitions once their topic
// allows them (ReplicationControlManager.maybeElectUncleanLeaders).
//
// ElectLeaders PREFERRED (0) is preferred leader election (partition-election.ts). UNCLEAN (1)
// applies only to partitions without a leader and elects as a departing broker's partitions are
// elected, cleanly if an ISR member may lead, else the first eligible replica outside the ISR,
// alone in a new ISR. As in KRaft, an explicit UNCLEAN request does not consult
// unclean.leader.election.enable: asking is the operator's consent to lose unreplicated data.
// Per partition: NONE, ELECTION_NOT_NEEDED (it has the leader the election would choose),
// PREFERRED_LEADER_NOT_AVAILABLE / ELIGIBLE_LEADERS_NOT_AVAILABLE (no candidate may lead now) or
// UNKNOWN_TOPIC_OR_PARTITION. Without named partitions every partition is tried and, as KRaft
// does, those that needed no election are left out of the results.

import { ErrorCode } from '../protocol/errors.js';
import type { MetadataImage } from '../metadata/image.js';
import { NO_LEADER, type MetadataRecord } from '../metadata/records.js';
import {
  activeIn,
  electLeader,
  isUncleanElectionEnabled,
  partitionChange,
  partitionsOf,
  preferredLeaderElection,
  type ElectionOptions,
  type PartitionRef,
} from './partition-election.js';

export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;

/** A partition by topic name, as ElectLeaders names it. */
export interface TopicPartitionName {
  topic: string;
  partitionId: number;
}

export interface ElectLeadersResult extends TopicPartitionName {
  errorCode: number;
}

export function electLeaders(
  image: MetadataImage,
  electionType: 0 | 1,
  partitions: readonly TopicPartitionName[] | null,
): { results: ElectLeadersResult[]; records: MetadataRecord[] } {
  const named = partitions ?? allPartitions(image);
  const outcome = electionType === ElectionType.PREFERRED ? preferred(image, named) : unclean(image, named);
  if (partitions === null) outcome.results = outcome.results.filter((r) => r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED);
  return outcome;
}

function allPartitions(image: MetadataImage): TopicPartitionName[] {
  return [...partitionsOf(image)].map(({ topicId, partition }) => ({ topic: image.topicsById.get(topicId)!.name, partitionId: partition.partitionId }));
}

/** preferredLeaderElection on the partitions whose topic exists, answers kept in request order. */
function preferred(image: MetadataImage, named: readonly TopicPartitionName[]): { results: ElectLeadersResult[]; records: MetadataRecord[] } {
  const refs: PartitionRef[] = [];
  for (const { topic, partitionId } of named) {
    const topicId = image.topicsByName.get(topic)?.topicId;
    if (topicId !== undefined) refs.push({ topicId, partitionId });
  }
  const { results: byId, records } = preferredLeaderElection(image, refs);
  let next = 0;
  const results = named.map(({ topic, partitionId }) => {
    const errorCode = image.topicsByName.has(topic) ? byId[next++]!.errorCode : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    return { topic, partitionId, errorCode };
  });
  return { results, records };
}

function unclean(image: MetadataImage, named: readonly TopicPartitionName[]): { results: ElectLeadersResult[]; records: MetadataRecord[] } {
  const isEligible = activeIn(image);
  const records: MetadataRecord[] = [];
  const elected = new Set<string>();
  const results = named.map(({ topic, partitionId }) => {
    const answer = (errorCode: number): ElectLeadersResult => ({ topic, partitionId, errorCode });
    const t = image.topicsByName.get(topic);
    const p = t?.partitions[partitionId];
    if (!t || !p) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    if (p.leader !== NO_LEADER || elected.has(`${topic}:${partitionId}`)) return answer(ErrorCode.ELECTION_NOT_NEEDED);
    const next = electLeader(p, p.isr, isEligible, true);
    if (next.leader === NO_LEADER) return answer(ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
    elected.add(`${topic}:${partitionId}`);
    records.push(partitionChange(t.topicId, p, next)!);
    return answer(ErrorCode.NONE);
  });
  return { results, records };
}

/**
 * Elects leaders for leaderless partitions whose topic allows unclean election (a clean leader
 * if one became possible, else one from outside the ISR). For after a config change enables it,
 * or periodically, as KRaft does; a departing broker's partitions are elected as it departs.
 */
export function electUncleanLeaders(image: MetadataImage, options: ElectionOptions): MetadataRecord[] {
  const isEligible = activeIn(image);
  const records: MetadataRecord[] = [];
  for (const { topicId, partition: p } of partitionsOf(image)) {
    if (p.leader !== NO_LEADER || !isUncleanElectionEnabled(image, image.topicsById.get(topicId)!.name, options.uncleanDefault)) continue;
    const next = electLeader(p, p.isr, isEligible, true);
    if (next.leader !== NO_LEADER) records.push(partitionChange(topicId, p, next)!);
  }
  return records;
}
