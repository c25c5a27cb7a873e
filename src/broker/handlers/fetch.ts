// Fetch (key 1), v4-16. Consumers read whole batches, as stored, below the high watermark;
// followers (a replica id, v15+ a replica state) read up to the log end, and their fetch offset
// is their log end for the leader's ISR and high watermark bookkeeping; v12+ followers name their
// last fetched epoch and get a diverging epoch back when their log went past this leader's.
// v7+ carry fetch sessions (KIP-227): this broker answers every fetch in full and returns
// session id 0, which the protocol defines as "no session was created", so clients keep
// sending full requests; a request naming a session id we never issued gets
// FETCH_SESSION_ID_NOT_FOUND. v9+ check the client's current leader epoch; v13+ name topics by
// id; v12+ are flexible. Long poll: when less than min.bytes is available the response waits
// up to max.wait.ms for appends to any requested partition.
//
// Size limits follow KIP-74: partitions are filled in request order up to max.bytes overall and
// partition_max_bytes each, but the first partition with data returns at least one whole batch
// so a batch larger than the limits can never block a consumer.
//
// KIP-951 leader hints: from v12 a partition answered with NOT_LEADER_OR_FOLLOWER or
// FENCED_LEADER_EPOCH names the current leader and its epoch; from v16 the response also lists
// those leaders' endpoints (see leader-hints.ts). They are added to the final answer only, after
// any long poll (an error answers at once anyway).

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { FetchRequest, FetchRequestFetchPartition } from '../../protocol/generated/fetch-request.js';
import type { FetchResponseInput } from '../../protocol/generated/fetch-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { Partition } from '../../replication/partition.js';
import { OffsetOutOfRangeError } from '../../storage/index.js';
import { awaitData } from '../delayed.js';
import { recordsInBatches } from '../metrics.js';
import type { Broker } from '../broker.js';
import { defineHandler, type HandlerContext } from './handler.js';
import { LeaderHints } from './leader-hints.js';

const EMPTY = Buffer.alloc(0);
const FETCH_VERSION_MIN_CURRENT_LEADER = 12;
const FETCH_VERSION_MIN_NODE_ENDPOINTS = 16;

interface PartitionAnswer {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  abortedTransactions: null;
  preferredReadReplica: number;
  records: Buffer;
  divergingEpoch?: { epoch: number; endOffset: number };
}

interface ResolvedTopic {
  topic: string | null;
  topicId: string;
  partitions: FetchRequestFetchPartition[];
}

export const fetchHandler = defineHandler<FetchRequest, FetchResponseInput>({
  apiKey: ApiKey.Fetch,
  minVersion: 4,
  maxVersion: 16,
  async handle(ctx, req) {
    if (req.sessionId !== 0) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
    }
    const topics = resolveTopics(ctx.broker, req, ctx.apiVersion);
    const replicaId = ctx.apiVersion >= 15 ? req.replicaState.replicaId : req.replicaId;
    const fetch: FetchContext = { ctx, req, replicaId: replicaId >= 0 ? replicaId : null };
    let result = readAll(fetch, topics);
    const waitable = result.bytes < req.minBytes && req.maxWaitMs > 0 && !result.mustAnswer ? localPartitions(ctx, topics) : [];
    if (waitable.length > 0) {
      // With min.bytes ≤ 1 (followers, most consumers) a wake-up decides from offsets alone, and
      // the answer is read once, after the wait. The wake-up runs inside an append, and one
      // produce request appends all its partitions in one synchronous pass: reading only in the
      // continuation answers with all of them, not just the first.
      const isSatisfied =
        req.minBytes <= 1
          ? () => hasReadableOffsets(fetch, topics)
          : () => {
              result = readAll(fetch, topics);
              return result.bytes >= req.minBytes || result.mustAnswer;
            };
      await awaitData(waitable, req.maxWaitMs, isSatisfied);
      result = readAll(fetch, topics);
    }
    if (fetch.replicaId === null) countConsumed(ctx.broker, result.responses);
    const answer = { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: result.responses };
    return ctx.apiVersion < FETCH_VERSION_MIN_CURRENT_LEADER ? answer : withLeaderHints(ctx, topics, answer);
  },
});

/** KIP-951: currentLeader on each partition that must go elsewhere (v12+), their endpoints (v16+). */
function withLeaderHints(ctx: HandlerContext, topics: ResolvedTopic[], answer: FetchAnswer): FetchResponseInput {
  const hints = new LeaderHints(ctx.broker.image, ctx.listenerName);
  const responses = answer.responses.map((r, i) => {
    const topic = topics[i]!.topic;
    if (topic === null) return r;
    const partitions = r.partitions.map((p) => {
      const currentLeader = hints.hintFor(topic, p.partitionIndex, p.errorCode);
      return currentLeader ? { ...p, currentLeader } : p;
    });
    return { ...r, partitions };
  });
  // A literal, not `{ ...answer, responses, nodeEndpoints }`: see handlerContext in ../dispatcher.ts.
  const nodeEndpoints = ctx.apiVersion < FETCH_VERSION_MIN_NODE_ENDPOINTS ? [] : hints.nodeEndpoints();
  return { throttleTimeMs: answer.throttleTimeMs, errorCode: answer.errorCode, sessionId: answer.sessionId, responses, nodeEndpoints };
}

/** Bytes and messages out per topic, once per answered fetch (a long poll reads several times). */
function countConsumed(broker: Broker, responses: FetchAnswer['responses']): void {
  for (const t of responses) {
    let bytes = 0;
    let messages = 0;
    for (const p of t.partitions) {
      if (p.records.length === 0) continue;
      bytes += p.records.length;
      messages += recordsInBatches(p.records);
    }
    if (bytes === 0) continue;
    const traffic = broker.metrics.topic(t.topic);
    traffic.bytesOut += bytes;
    traffic.messagesOut += messages;
  }
}

/** Loops rather than flatMap, which costs about a microsecond per call in V8 12; this runs for every parked fetch. */
function localPartitions(ctx: HandlerContext, topics: ResolvedTopic[]): Partition[] {
  const out: Partition[] = [];
  for (const t of topics) {
    if (t.topic === null) continue;
    for (const p of t.partitions) {
      const partition = ctx.broker.getPartition(t.topic, p.partition);
      if (partition !== undefined) out.push(partition);
    }
  }
  return out;
}

function resolveTopics(broker: Broker, req: FetchRequest, version: number): ResolvedTopic[] {
  return req.topics.map((t) => {
    if (version >= 13) {
      const image = broker.image.topicsById.get(t.topicId);
      return { topic: image?.name ?? null, topicId: t.topicId, partitions: t.partitions };
    }
    return { topic: t.topic, topicId: broker.image.topicsByName.get(t.topic)?.topicId ?? '', partitions: t.partitions };
  });
}

interface FetchContext {
  ctx: HandlerContext;
  req: FetchRequest;
  /** Set for a follower's fetch (replica id / replica state): reads past the high watermark. */
  replicaId: number | null;
}

interface FetchAnswer {
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  responses: { topic: string; topicId: string; partitions: PartitionAnswer[] }[];
}

function readAll(fetch: FetchContext, topics: ResolvedTopic[]) {
  const { req } = fetch;
  let bytes = 0;
  /** An error or a diverging epoch: answered at once, whatever min.bytes says. */
  let mustAnswer = false;
  const responses = topics.map((t) => ({
    topic: t.topic ?? '',
    topicId: t.topicId,
    partitions: t.partitions.map((p) => {
      const answer = readPartition(fetch, t, p, Math.min(p.partitionMaxBytes, req.maxBytes - bytes), bytes === 0);
      bytes += answer.records.length;
      if (answer.errorCode !== ErrorCode.NONE || answer.divergingEpoch !== undefined) mustAnswer = true;
      return answer;
    }),
  }));
  return { responses, bytes, mustAnswer };
}

/**
 * Whether a parked fetch has something to answer, from offsets only: a partition with records
 * past its fetch offset below the read limit (the log end for a follower, the high watermark for
 * a consumer), or one that would answer with an error.
 */
function hasReadableOffsets(fetch: FetchContext, topics: ResolvedTopic[]): boolean {
  const { ctx, replicaId } = fetch;
  for (const t of topics) {
    for (const p of t.partitions) {
      const served = servingPartition(ctx, t, p);
      if ('errorCode' in served) return true;
      if (isOutOfRange(served, p.fetchOffset) || p.fetchOffset < readLimitOf(served, replicaId)) return true;
    }
  }
  return false;
}

/** The partition this broker leads in the fetch's epoch, or the error the fetch gets for it. */
function servingPartition(ctx: HandlerContext, t: ResolvedTopic, p: FetchRequestFetchPartition): Partition | { errorCode: number; partition?: Partition } {
  if (t.topic === null) return { errorCode: ctx.apiVersion >= 13 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  const partition = ctx.broker.getPartition(t.topic, p.partition);
  if (!partition) {
    const known = ctx.broker.image.topicsByName.get(t.topic)?.partitions[p.partition];
    return { errorCode: known ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  }
  if (!partition.isLeader) return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, partition };
  const epochError = leaderEpochError(partition, p.currentLeaderEpoch);
  return epochError === ErrorCode.NONE ? partition : { errorCode: epochError, partition };
}

function isOutOfRange(partition: Partition, fetchOffset: number): boolean {
  return fetchOffset < partition.logStartOffset || fetchOffset > partition.logEndOffset;
}

/** Followers read up to the log end, consumers up to the high watermark. */
function readLimitOf(partition: Partition, replicaId: number | null): number {
  return replicaId !== null ? partition.logEndOffset : partition.highWatermark;
}

function readPartition(fetch: FetchContext, t: ResolvedTopic, p: FetchRequestFetchPartition, maxBytes: number, isFirst: boolean): PartitionAnswer {
  const { ctx, replicaId } = fetch;
  const answer = (errorCode: number, partition?: Partition, records = EMPTY, divergingEpoch?: { epoch: number; endOffset: number }): PartitionAnswer => ({
    partitionIndex: p.partition,
    errorCode,
    highWatermark: partition?.highWatermark ?? -1,
    lastStableOffset: partition?.highWatermark ?? -1,
    logStartOffset: partition?.logStartOffset ?? -1,
    ...(divergingEpoch ? { divergingEpoch } : {}),
    abortedTransactions: null,
    preferredReadReplica: -1,
    records,
  });
  const served = servingPartition(ctx, t, p);
  if ('errorCode' in served) return answer(served.errorCode, served.partition);
  const partition = served;
  if (replicaId !== null && p.lastFetchedEpoch >= 0) {
    // The follower's log may hold entries of an epoch this leader never had: tell it where that
    // epoch ends here, so it truncates before fetching on.
    const end = partition.log.leaderEpochs.endOffsetFor(p.lastFetchedEpoch);
    if (end.epoch >= 0 && (end.epoch < p.lastFetchedEpoch || end.endOffset < p.fetchOffset)) return answer(ErrorCode.NONE, partition, EMPTY, end);
  }
  if (isOutOfRange(partition, p.fetchOffset)) return answer(ErrorCode.OFFSET_OUT_OF_RANGE, partition);
  if (replicaId !== null) {
    partition.onFollowerFetch(replicaId, p.fetchOffset, Date.now());
    ctx.broker.replication.maybeExpandIsr(partition);
  }
  const readLimit = readLimitOf(partition, replicaId);
  if (p.fetchOffset >= readLimit || maxBytes <= 0 && !isFirst) return answer(ErrorCode.NONE, partition);
  try {
    const { records } = partition.log.read(p.fetchOffset, Math.max(0, maxBytes), readLimit, isFirst);
    return answer(ErrorCode.NONE, partition, records);
  } catch (err) {
    if (err instanceof OffsetOutOfRangeError) return answer(ErrorCode.OFFSET_OUT_OF_RANGE, partition);
    throw err;
  }
}

/** KIP-320: a client with a stale epoch is fenced, one from the future is told to wait. */
export function leaderEpochError(partition: Partition, currentLeaderEpoch: number): number {
  if (currentLeaderEpoch < 0) return ErrorCode.NONE;
  if (currentLeaderEpoch < partition.state.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (currentLeaderEpoch > partition.state.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
  return ErrorCode.NONE;
}
