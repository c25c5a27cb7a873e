// AlterPartitionReassignments (v0) and ListPartitionReassignments (v0) from KIP-455,
// ElectLeaders (v0-2, KIP-460) and UnregisterBroker (v0), as plain data. Any broker takes them
// and forwards them to the active controller. Each parse function turns the response into one
// outcome per partition: a top-level error (NOT_CONTROLLER, a timeout) applies to every
// partition the request named, so the admin client can retry them all together. ElectLeaders
// v0 has no election type (it is always preferred) and no top-level error code.

import { ApiKey } from '../protocol/generated/api-keys.js';
import type { AlterPartitionReassignmentsRequestInput } from '../protocol/generated/alter-partition-reassignments-request.js';
import type { AlterPartitionReassignmentsResponse } from '../protocol/generated/alter-partition-reassignments-response.js';
import type { ElectLeadersRequestInput } from '../protocol/generated/elect-leaders-request.js';
import type { ElectLeadersResponse } from '../protocol/generated/elect-leaders-response.js';
import type { ListPartitionReassignmentsRequestInput } from '../protocol/generated/list-partition-reassignments-request.js';
import type { ListPartitionReassignmentsResponse } from '../protocol/generated/list-partition-reassignments-response.js';
import type { UnregisterBrokerResponse } from '../protocol/generated/unregister-broker-response.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import type { VersionRange } from './connection.js';
import { kafkaErrorFor, markFinal } from './errors.js';
import type { TopicPartition } from './types.js';

export const reassignmentApis = {
  alterPartitionReassignments: { apiKey: ApiKey.AlterPartitionReassignments, versions: { min: 0, max: 0 } satisfies VersionRange },
  listPartitionReassignments: { apiKey: ApiKey.ListPartitionReassignments, versions: { min: 0, max: 0 } satisfies VersionRange },
  electLeaders: { apiKey: ApiKey.ElectLeaders, versions: { min: 0, max: 2 } satisfies VersionRange },
  unregisterBroker: { apiKey: ApiKey.UnregisterBroker, versions: { min: 0, max: 0 } satisfies VersionRange },
};

/** A partition's new replica list (its first replica becomes the preferred leader); null cancels a move in progress. */
export interface PartitionMove extends TopicPartition {
  replicas: number[] | null;
}

/** A reassignment in progress: `replicas` is the target followed by the replicas being removed. */
export interface OngoingReassignment extends TopicPartition {
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export type ElectionType = 'preferred' | 'unclean';

/** `elected`: the election changed the leader; `not-needed`: the partition already had the leader it would choose. */
export interface ElectionResult extends TopicPartition {
  outcome: 'elected' | 'not-needed';
}

/** A partition's key in retry rounds: the partition first, so a topic name may hold any character. */
export function partitionKey(p: TopicPartition): string {
  return `${p.partition}:${p.topic}`;
}

export function buildAlterPartitionReassignmentsRequest(moves: readonly PartitionMove[], timeoutMs: number): AlterPartitionReassignmentsRequestInput {
  return { timeoutMs, topics: byTopic(moves).map(([name, list]) => ({ name, partitions: list.map((m) => ({ partitionIndex: m.partition, replicas: m.replicas })) })) };
}

/** One answer per partition asked: NONE, its own error, or the response's top-level error. */
export function parseAlterPartitionReassignmentsResponse(response: AlterPartitionReassignmentsResponse, asked: readonly TopicPartition[]): Map<string, true | Error> {
  const context = (p: TopicPartition) => `AlterPartitionReassignments(${p.topic}-${p.partition})`;
  if (response.errorCode !== ErrorCode.NONE) return new Map(asked.map((p) => [partitionKey(p), kafkaErrorFor(response.errorCode, context(p), response.errorMessage)]));
  const out = new Map<string, true | Error>();
  for (const t of response.responses) {
    for (const p of t.partitions) {
      const tp = { topic: t.name, partition: p.partitionIndex };
      out.set(partitionKey(tp), p.errorCode === ErrorCode.NONE ? true : kafkaErrorFor(p.errorCode, context(tp), p.errorMessage));
    }
  }
  return out;
}

/** All reassignments in progress (`partitions` null), or those of the named partitions. */
export function buildListPartitionReassignmentsRequest(partitions: readonly TopicPartition[] | null, timeoutMs: number): ListPartitionReassignmentsRequestInput {
  if (partitions === null) return { timeoutMs, topics: null };
  return { timeoutMs, topics: byTopic(partitions).map(([name, list]) => ({ name, partitionIndexes: list.map((p) => p.partition) })) };
}

/** The reassignments in progress, sorted by topic and partition; a top-level error is thrown. */
export function parseListPartitionReassignmentsResponse(response: ListPartitionReassignmentsResponse): OngoingReassignment[] {
  if (response.errorCode !== ErrorCode.NONE) throw kafkaErrorFor(response.errorCode, 'ListPartitionReassignments', response.errorMessage);
  return response.topics
    .flatMap((t) => t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partitionIndex,
      replicas: [...p.replicas],
      addingReplicas: [...p.addingReplicas],
      removingReplicas: [...p.removingReplicas],
    })))
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

/** The retry key of an ElectLeaders request for every partition. */
export const ALL_PARTITIONS = '*';

const ELECTION_TYPE_CODES: Record<ElectionType, number> = { preferred: 0, unclean: 1 };

/** v0 has no election type and means preferred, so an unclean election needs v1+. */
export function buildElectLeadersRequest(version: number, type: ElectionType, partitions: readonly TopicPartition[] | null, timeoutMs: number): ElectLeadersRequestInput {
  if (version === 0 && type === 'unclean') throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, 'UNSUPPORTED_VERSION: the broker offers only ElectLeaders v0, which cannot ask for an unclean election');
  const topicPartitions = partitions === null ? null : byTopic(partitions).map(([topic, list]) => ({ topic, partitions: list.map((p) => p.partition) }));
  return { electionType: ELECTION_TYPE_CODES[type], topicPartitions, timeoutMs };
}

/**
 * One answer per partition in the response (the partitions asked, or, when all were asked, those
 * the controller elected or could not elect). ELECTION_NOT_NEEDED is an outcome, not a failure.
 * A top-level error (v1+) applies to every partition asked, or to the key `*` when all were.
 */
export function parseElectLeadersResponse(response: ElectLeadersResponse, asked: readonly TopicPartition[] | null): Map<string, ElectionResult | Error> {
  const context = (p: TopicPartition | null) => (p === null ? 'ElectLeaders' : `ElectLeaders(${p.topic}-${p.partition})`);
  if (response.errorCode !== ErrorCode.NONE) {
    const keys = asked === null ? [[ALL_PARTITIONS, null] as const] : asked.map((p) => [partitionKey(p), p] as const);
    return new Map(keys.map(([key, p]) => [key, kafkaErrorFor(response.errorCode, context(p))]));
  }
  const out = new Map<string, ElectionResult | Error>();
  for (const t of response.replicaElectionResults) {
    for (const r of t.partitionResult) {
      const tp = { topic: t.topic, partition: r.partitionId };
      if (r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.ELECTION_NOT_NEEDED) {
        out.set(partitionKey(tp), { ...tp, outcome: r.errorCode === ErrorCode.NONE ? 'elected' : 'not-needed' });
      } else {
        const error = kafkaErrorFor(r.errorCode, context(tp), r.errorMessage);
        // Kafka calls UNKNOWN_TOPIC_OR_PARTITION retriable; the controller's image is the truth, though.
        out.set(partitionKey(tp), r.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? markFinal(error) : error);
      }
    }
  }
  return out;
}

export function parseUnregisterBrokerResponse(response: UnregisterBrokerResponse, brokerId: number): true | Error {
  return response.errorCode === ErrorCode.NONE ? true : kafkaErrorFor(response.errorCode, `UnregisterBroker(${brokerId})`, response.errorMessage);
}

/** Whether a round's answer is a KafkaError with `code`. */
export function hasErrorCode(answer: unknown, code: number): boolean {
  return answer instanceof KafkaError && answer.code === code;
}

/** Partitions grouped by topic, topics in first-seen order. */
function byTopic<T extends TopicPartition>(partitions: readonly T[]): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const p of partitions) {
    const list = groups.get(p.topic);
    if (list === undefined) groups.set(p.topic, [p]);
    else list.push(p);
  }
  return [...groups];
}
