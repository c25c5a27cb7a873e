// CreateTopics (v2-7), DeleteTopics (v1-6) and CreatePartitions (v0-3) as plain data. Each answers
// per topic; the parse functions turn every topic's error code into a KafkaError (or null), so
// the admin client can fail the topics that failed and keep the rest. DeleteTopics names topics
// in `topics` from v6 (which may also carry ids) and in `topicNames` before.

import { ApiKey } from '../protocol/generated/api-keys.js';
import type { CreatePartitionsRequestInput } from '../protocol/generated/create-partitions-request.js';
import type { CreatePartitionsResponse } from '../protocol/generated/create-partitions-response.js';
import type { CreateTopicsRequestInput } from '../protocol/generated/create-topics-request.js';
import type { CreateTopicsResponse } from '../protocol/generated/create-topics-response.js';
import type { DeleteTopicsRequestInput } from '../protocol/generated/delete-topics-request.js';
import type { DeleteTopicsResponse } from '../protocol/generated/delete-topics-response.js';
import { ErrorCode } from '../protocol/errors.js';
import type { VersionRange } from './connection.js';
import { kafkaErrorFor, markFinal } from './errors.js';
import type { NewTopic } from './types.js';

export const topicApis = {
  createTopics: { apiKey: ApiKey.CreateTopics, versions: { min: 2, max: 7 } satisfies VersionRange },
  deleteTopics: { apiKey: ApiKey.DeleteTopics, versions: { min: 1, max: 6 } satisfies VersionRange },
  createPartitions: { apiKey: ApiKey.CreatePartitions, versions: { min: 0, max: 3 } satisfies VersionRange },
};

/** Kafka's "let the broker decide" for partition count and replication factor (KIP-464). */
export const BROKER_DEFAULT = -1;

export interface TopicOutcome {
  name: string;
  /** Null when the topic succeeded. */
  error: Error | null;
}

export function buildCreateTopicsRequest(topics: readonly NewTopic[], timeoutMs: number, validateOnly: boolean): CreateTopicsRequestInput {
  return {
    topics: topics.map((t) => ({
      name: t.name,
      numPartitions: t.numPartitions ?? BROKER_DEFAULT,
      replicationFactor: t.replicationFactor ?? BROKER_DEFAULT,
      assignments: [],
      configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
    timeoutMs,
    validateOnly,
  };
}

export function parseCreateTopicsResponse(response: CreateTopicsResponse): TopicOutcome[] {
  return response.topics.map((t) => ({ name: t.name, error: errorOrNull(t.errorCode, `CreateTopics(${t.name})`, t.errorMessage) }));
}

export function buildDeleteTopicsRequest(version: number, names: readonly string[], timeoutMs: number): DeleteTopicsRequestInput {
  return version >= 6 ? { topics: names.map((name) => ({ name })), timeoutMs } : { topicNames: names, timeoutMs };
}

export function parseDeleteTopicsResponse(response: DeleteTopicsResponse): TopicOutcome[] {
  return response.responses.map((t) => {
    const name = t.name ?? '';
    const error = errorOrNull(t.errorCode, `DeleteTopics(${name})`, t.errorMessage);
    // Kafka calls UNKNOWN_TOPIC_OR_PARTITION retriable, but asking again will not create the topic.
    return { name, error: error !== null && t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? markFinal(error) : error };
  });
}

export function buildCreatePartitionsRequest(topic: string, count: number, timeoutMs: number): CreatePartitionsRequestInput {
  return { topics: [{ name: topic, count, assignments: null }], timeoutMs, validateOnly: false };
}

export function parseCreatePartitionsResponse(response: CreatePartitionsResponse): TopicOutcome[] {
  return response.results.map((t) => ({ name: t.name, error: errorOrNull(t.errorCode, `CreatePartitions(${t.name})`, t.errorMessage) }));
}

function errorOrNull(code: number, context: string, message: string | null): Error | null {
  return code === ErrorCode.NONE ? null : kafkaErrorFor(code, context, message);
}
