// Controller decisions about topics, as pure functions of the current metadata image: each
// takes a request and returns per-item results plus the metadata records that carry them out.
// Nothing is applied here; the caller commits the records to the metadata log (a local file on
// a single node, the Raft quorum in a cluster) and only then applies them to the image.
// New replicas go to active brokers only (not fenced, not in controlled shutdown), rack-aware
// when they all have racks (replica-placement.ts). A new partition's ISR is its active replicas
// and its leader the first of them, as in KRaft, so nothing starts led by a fenced broker.

import { ErrorCode } from '../protocol/errors.js';
import { validateTopicConfig } from '../config/topic-config.js';
import { TidelineError } from '../common/errors.js';
import type { MetadataImage } from '../metadata/image.js';
import { ConfigResourceType, type MetadataRecord } from '../metadata/records.js';
import { placeReplicas, roundRobin } from './replica-placement.js';
import { reassignmentTarget } from './reassignment.js';

export { roundRobin };

export const TOPIC_NAME_LENGTH_MAX = 249;
const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;

export interface TopicRequest {
  name: string;
  numPartitions: number; // -1: broker default
  replicationFactor: number; // -1: broker default
  assignments: { partitionIndex: number; brokerIds: number[] }[];
  configs: { name: string; value: string | null }[];
}

export interface TopicResult {
  name: string;
  topicId: string;
  errorCode: number;
  errorMessage: string | null;
  numPartitions: number;
  replicationFactor: number;
}

export interface ControllerEnv {
  newTopicId(): string;
  /** A random start index for round-robin replica placement (Kafka randomises it too). */
  randomInt(bound: number): number;
  defaultPartitions: number;
  defaultReplicationFactor: number;
}

export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name "${name}" is not allowed`;
  if (name.length > TOPIC_NAME_LENGTH_MAX) return `topic name is longer than ${TOPIC_NAME_LENGTH_MAX} characters`;
  if (!LEGAL_TOPIC_NAME.test(name)) return `topic name "${name}" has characters other than ASCII letters, digits, '.', '_' and '-'`;
  return undefined;
}

export function createTopics(
  image: MetadataImage,
  requests: TopicRequest[],
  env: ControllerEnv,
): { results: TopicResult[]; records: MetadataRecord[] } {
  const results: TopicResult[] = [];
  const records: MetadataRecord[] = [];
  const seen = new Set<string>();
  for (const req of requests) {
    const fail = (errorCode: number, errorMessage: string): void => {
      results.push({ name: req.name, topicId: '', errorCode, errorMessage, numPartitions: -1, replicationFactor: -1 });
    };
    const nameProblem = topicNameProblem(req.name);
    if (nameProblem) {
      fail(ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem);
      continue;
    }
    if (seen.has(req.name)) {
      fail(ErrorCode.INVALID_REQUEST, `topic ${req.name} appears more than once in the request`);
      continue;
    }
    seen.add(req.name);
    if (image.topicsByName.has(req.name)) {
      fail(ErrorCode.TOPIC_ALREADY_EXISTS, `topic ${req.name} already exists`);
      continue;
    }
    const configProblem = checkConfigs(req.configs);
    if (configProblem) {
      fail(ErrorCode.INVALID_CONFIG, configProblem);
      continue;
    }
    const placement = planReplicas(image, req, env);
    if ('errorCode' in placement) {
      fail(placement.errorCode, placement.message);
      continue;
    }
    const topicId = env.newTopicId();
    const partitions = newPartitions(image, topicId, placement, 0);
    if ('errorCode' in partitions) {
      fail(partitions.errorCode, partitions.message);
      continue;
    }
    records.push({ type: 'Topic', name: req.name, topicId }, ...partitions);
    for (const c of req.configs) {
      if (c.value !== null) records.push({ type: 'Config', resourceType: ConfigResourceType.TOPIC, resourceName: req.name, name: c.name, value: c.value });
    }
    results.push({
      name: req.name,
      topicId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      numPartitions: placement.length,
      replicationFactor: placement[0]!.length,
    });
  }
  return { results, records };
}

function checkConfigs(configs: { name: string; value: string | null }[]): string | undefined {
  for (const c of configs) {
    try {
      validateTopicConfig(c.name, c.value);
    } catch (err) {
      if (err instanceof TidelineError) return err.message;
      throw err;
    }
  }
  return undefined;
}

/**
 * PartitionRecords for new partitions: the ISR is the active replicas, the leader the first of
 * them. A partition none of whose replicas is active cannot start (KRaft refuses it too).
 */
function newPartitions(
  image: MetadataImage,
  topicId: string,
  placement: number[][],
  firstPartition: number,
): MetadataRecord[] | { errorCode: number; message: string } {
  const records: MetadataRecord[] = [];
  for (const [i, replicas] of placement.entries()) {
    const isr = replicas.filter((id) => image.isActiveBroker(id));
    if (isr.length === 0) {
      const message = `every broker assigned to partition ${firstPartition + i} is fenced or shutting down`;
      return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message };
    }
    records.push({ type: 'Partition', topicId, partitionId: firstPartition + i, replicas, isr, leader: isr[0]!, leaderEpoch: 0, partitionEpoch: 0 });
  }
  return records;
}

/** Replica lists per partition: explicit assignments, or placed over the active brokers. */
function planReplicas(
  image: MetadataImage,
  req: TopicRequest,
  env: ControllerEnv,
): number[][] | { errorCode: number; message: string } {
  const live = image.activeBrokers();
  if (req.assignments.length > 0) {
    if (req.numPartitions !== -1 || req.replicationFactor !== -1) {
      return { errorCode: ErrorCode.INVALID_REQUEST, message: 'give either assignments or partitions/replication factor, not both' };
    }
    const out: number[][] = [];
    for (const a of req.assignments) {
      if (a.brokerIds.length === 0 || new Set(a.brokerIds).size !== a.brokerIds.length) {
        return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: `partition ${a.partitionIndex} has an empty or repeated replica list` };
      }
      const unknown = a.brokerIds.find((id) => !image.brokers.has(id));
      if (unknown !== undefined) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: `broker ${unknown} is not registered` };
      out[a.partitionIndex] = a.brokerIds;
    }
    if (out.length !== req.assignments.length || out.some((r) => r === undefined)) {
      return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: 'partition indexes must be 0..n-1 without gaps' };
    }
    return out;
  }
  const partitions = req.numPartitions === -1 ? env.defaultPartitions : req.numPartitions;
  const rf = req.replicationFactor === -1 ? env.defaultReplicationFactor : req.replicationFactor;
  if (partitions <= 0) return { errorCode: ErrorCode.INVALID_PARTITIONS, message: `number of partitions must be positive, got ${partitions}` };
  if (rf <= 0) return { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, message: `replication factor must be positive, got ${rf}` };
  if (rf > live.length) {
    return {
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      message: `replication factor ${rf} is larger than the ${live.length} available broker(s)`,
    };
  }
  return placeReplicas(live, partitions, rf, env.randomInt(live.length), 0);
}

export function deleteTopics(image: MetadataImage, topics: { name: string | null; topicId: string | null }[]) {
  const records: MetadataRecord[] = [];
  const results = topics.map((t) => {
    const topic = t.name !== null ? image.topicsByName.get(t.name) : t.topicId !== null ? image.topicsById.get(t.topicId) : undefined;
    if (!topic) {
      const errorCode = t.name !== null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.UNKNOWN_TOPIC_ID;
      return { name: t.name, topicId: t.topicId ?? '', errorCode, errorMessage: 'the topic does not exist' };
    }
    if (records.some((r) => r.type === 'RemoveTopic' && r.topicId === topic.topicId)) {
      return { name: topic.name, topicId: topic.topicId, errorCode: ErrorCode.NONE, errorMessage: null };
    }
    records.push({ type: 'RemoveTopic', topicId: topic.topicId });
    return { name: topic.name, topicId: topic.topicId, errorCode: ErrorCode.NONE, errorMessage: null as string | null };
  });
  return { results, records };
}

export function createPartitions(
  image: MetadataImage,
  req: { name: string; count: number; assignments: number[][] | null },
  env: ControllerEnv,
): { errorCode: number; errorMessage: string | null; records: MetadataRecord[] } {
  const topic = image.topicsByName.get(req.name);
  if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic ${req.name} does not exist`, records: [] };
  const current = topic.partitions.length;
  if (req.count <= current) {
    return { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: `topic ${req.name} has ${current} partitions; the new count must be larger`, records: [] };
  }
  // A partition being reassigned lists its leaving replicas too; its target has the topic's factor.
  const first = topic.partitions[0];
  const rf = first ? reassignmentTarget(first).length : 1;
  const live = image.activeBrokers();
  let placement: number[][];
  if (req.assignments) {
    if (req.assignments.length !== req.count - current) {
      return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `expected ${req.count - current} assignments`, records: [] };
    }
    if (req.assignments.some((a) => a.length !== rf || new Set(a).size !== rf)) {
      return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `each new partition needs ${rf} distinct brokers, as the existing ones have`, records: [] };
    }
    const unknown = req.assignments.flat().find((id) => !image.brokers.has(id));
    if (unknown !== undefined) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `broker ${unknown} is not registered`, records: [] };
    placement = req.assignments;
  } else {
    if (rf > live.length) return { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: `only ${live.length} broker(s) available for replication factor ${rf}`, records: [] };
    placement = placeReplicas(live, req.count - current, rf, env.randomInt(live.length), current);
  }
  const records = newPartitions(image, topic.topicId, placement, current);
  if ('errorCode' in records) return { errorCode: records.errorCode, errorMessage: records.message, records: [] };
  return { errorCode: ErrorCode.NONE, errorMessage: null, records };
}

export const AlterConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

/** IncrementalAlterConfigs on one topic: validates every op first, then emits ConfigRecords. */
export function alterTopicConfigs(
  image: MetadataImage,
  topicName: string,
  ops: { name: string; op: number; value: string | null }[],
): { errorCode: number; errorMessage: string | null; records: MetadataRecord[] } {
  if (!image.topicsByName.has(topicName)) {
    return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic ${topicName} does not exist`, records: [] };
  }
  const current = image.topicConfigs.get(topicName) ?? new Map<string, string>();
  const records: MetadataRecord[] = [];
  for (const o of ops) {
    let value: string | null;
    if (o.op === AlterConfigOp.SET) value = o.value;
    else if (o.op === AlterConfigOp.DELETE) value = null;
    else if (o.op === AlterConfigOp.APPEND || o.op === AlterConfigOp.SUBTRACT) {
      const list = (current.get(o.name) ?? '').split(',').filter((s) => s !== '');
      const items = (o.value ?? '').split(',').filter((s) => s !== '');
      const next = o.op === AlterConfigOp.APPEND ? [...list, ...items.filter((i) => !list.includes(i))] : list.filter((i) => !items.includes(i));
      value = next.join(',');
    } else return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `unknown config operation ${o.op}`, records: [] };
    const problem = checkConfigs([{ name: o.name, value: value ?? null }]);
    if (problem) {
      return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: problem, records: [] };
    }
    records.push({ type: 'Config', resourceType: ConfigResourceType.TOPIC, resourceName: topicName, name: o.name, value });
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null, records };
}
