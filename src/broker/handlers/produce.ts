// Produce (key 0). Advertised from v0 but v0-2 are refused with UNSUPPORTED_VERSION, as Kafka
// 4.0 does: librdkafka 2.0 turns compression off unless the advertised range starts at 0
// (KAFKA-18659). v3+ carry RecordBatch v2 only; v9+ are flexible; v10-11 add KIP-951 leader
// hints: a partition answered with NOT_LEADER_OR_FOLLOWER names the current leader and epoch,
// and the response lists those leaders' endpoints (see leader-hints.ts). They are added once
// the answers are in, so every path that ends in that error (no replica here, a follower, or
// leadership lost while waiting for acks=-1) carries one.
//
// The hot path stays per batch: validate the header and CRC natively, check idempotent
// sequencing, assign offsets in place, one write. acks=0 gets no response (and a failed acks=0
// write closes the connection, so the producer notices, as Kafka does); acks=1 answers after the
// local write; acks=-1 after the high watermark passes the batch, which on a single replica is
// at once. When the topic's flush policy says so, the answer waits for the fsync.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { ProduceRequest, ProduceRequestTopicProduceData } from '../../protocol/generated/produce-request.js';
import type { ProduceResponseInput } from '../../protocol/generated/produce-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { isRecordsError, validateProducedRecords } from '../../protocol/records/index.js';
import { CloseConnection } from '../../net/connection.js';
import type { Broker } from '../broker.js';
import { awaitHighWatermark } from '../delayed.js';
import { defineHandler, type HandlerContext } from './handler.js';
import { LeaderHints } from './leader-hints.js';
import { convertForTopic, timestampProblem } from './produce-policy.js';

const PRODUCE_VERSION_MIN_ACCEPTED = 3;
const PRODUCE_VERSION_MIN_LEADER_HINTS = 10;

interface PartitionResult {
  index: number;
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  errorMessage: string | null;
}

export const produceHandler = defineHandler<ProduceRequest, ProduceResponseInput>({
  apiKey: ApiKey.Produce,
  minVersion: 0,
  maxVersion: 11,
  async handle(ctx, req) {
    const { broker } = ctx;
    const refuse = (errorCode: number, message: string) => answerAll(req, errorCode, message);
    let responses;
    if (ctx.apiVersion < PRODUCE_VERSION_MIN_ACCEPTED) responses = refuse(ErrorCode.UNSUPPORTED_VERSION, 'produce v0-2 (message format v0/v1) is not supported');
    else if (req.acks !== 0 && req.acks !== 1 && req.acks !== -1) responses = refuse(ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, got ${req.acks}`);
    else if (req.transactionalId !== null) responses = refuse(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactions are not supported yet');
    else {
      await autoCreate(broker, req.topicData);
      responses = await Promise.all(req.topicData.map((t) => produceTopic(ctx, t, req.acks, req.timeoutMs)));
    }
    if (req.acks === 0) {
      const failed = responses.flatMap((t) => t.partitionResponses).find((p) => p.errorCode !== ErrorCode.NONE);
      if (failed) throw new CloseConnection(`acks=0 produce failed with error ${failed.errorCode}: ${failed.errorMessage ?? ''}`);
      return null;
    }
    if (ctx.apiVersion < PRODUCE_VERSION_MIN_LEADER_HINTS) return { responses, throttleTimeMs: 0 };
    return withLeaderHints(ctx, responses);
  },
});

/** KIP-951: currentLeader on each partition that must go elsewhere, and those leaders' endpoints. */
function withLeaderHints(ctx: HandlerContext, responses: { name: string; partitionResponses: PartitionResult[] }[]): ProduceResponseInput {
  const hints = new LeaderHints(ctx.broker.image, ctx.listenerName);
  const hinted = responses.map((t) => ({
    name: t.name,
    partitionResponses: t.partitionResponses.map((p) => {
      const currentLeader = hints.hintFor(t.name, p.index, p.errorCode);
      return currentLeader ? { ...p, currentLeader } : p;
    }),
  }));
  return { responses: hinted, throttleTimeMs: 0, nodeEndpoints: hints.nodeEndpoints() };
}

function answerAll(req: ProduceRequest, errorCode: number, message: string) {
  return req.topicData.map((t) => ({
    name: t.name,
    partitionResponses: t.partitionData.map((p) => failed(p.index, errorCode, message)),
  }));
}

function failed(index: number, errorCode: number, errorMessage: string | null): PartitionResult {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage };
}

async function autoCreate(broker: Broker, topics: ProduceRequestTopicProduceData[]): Promise<void> {
  if (!broker.config.bool('auto.create.topics.enable')) return;
  const missing = topics.map((t) => t.name).filter((n) => !broker.image.topicsByName.has(n));
  if (missing.length > 0) await broker.autoCreateTopics([...new Set(missing)]);
}

async function produceTopic(ctx: HandlerContext, t: ProduceRequestTopicProduceData, acks: number, timeoutMs: number) {
  const partitionResponses = await Promise.all(t.partitionData.map((p) => producePartition(ctx, t.name, p.index, p.records, acks, timeoutMs)));
  return { name: t.name, partitionResponses };
}

async function producePartition(
  ctx: HandlerContext,
  topic: string,
  index: number,
  records: Buffer | null,
  acks: number,
  timeoutMs: number,
): Promise<PartitionResult> {
  const { broker, nowMs } = ctx;
  const partition = broker.getPartition(topic, index);
  if (!partition) {
    const known = broker.image.topicsByName.get(topic)?.partitions[index];
    return failed(index, known ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null);
  }
  if (!partition.isLeader) return failed(index, ErrorCode.NOT_LEADER_OR_FOLLOWER, null);
  if (records === null || records.length === 0) return failed(index, ErrorCode.INVALID_RECORD, 'a produce request needs one record batch per partition');

  const maxMessageBytes = broker.topicConfigNumber(topic, 'max.message.bytes');
  const batch = validateProducedRecords(records, { produceVersion: ctx.apiVersion, maxMessageBytes });
  if (isRecordsError(batch)) {
    broker.logger.debug({ topic, partition: index, errorCode: batch.errorCode, reason: batch.message }, 'produce refused');
    return failed(index, batch.errorCode, batch.message);
  }
  if (batch.isTransactional) return failed(index, ErrorCode.INVALID_TXN_STATE, 'transactional batches are not supported yet');
  const config = broker.topicConfig(topic);
  const tsProblem = timestampProblem(batch, config, nowMs);
  if (tsProblem) return failed(index, ErrorCode.INVALID_TIMESTAMP, tsProblem);
  const minIsr = broker.topicConfigNumber(topic, 'min.insync.replicas');
  if (acks === -1 && partition.state.isr.length < minIsr) {
    return failed(index, ErrorCode.NOT_ENOUGH_REPLICAS, `ISR has ${partition.state.isr.length} replica(s), min.insync.replicas is ${minIsr}`);
  }

  const stored = convertForTopic(records, batch, config);
  const logAppendTime = config.get('message.timestamp.type') === 'LogAppendTime';
  const outcome = partition.appendAsLeader(stored, batch, nowMs, logAppendTime);
  if (outcome.errorCode !== ErrorCode.NONE || !('baseOffset' in outcome)) {
    return failed(index, outcome.errorCode, 'message' in outcome ? outcome.message : null);
  }
  const traffic = broker.metrics.topic(topic);
  traffic.bytesIn += stored.length;
  traffic.messagesIn += batch.recordsCount;
  if (partition.log.needsFlush(nowMs)) await partition.log.flush();
  if (acks === -1) {
    const committed = await awaitHighWatermark(partition, outcome.baseOffset + batch.lastOffsetDelta + 1, timeoutMs);
    if (committed !== ErrorCode.NONE) return failed(index, committed, null);
    if (partition.state.isr.length < minIsr) {
      return failed(index, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, `ISR shrank to ${partition.state.isr.length} replica(s) below min.insync.replicas ${minIsr}`);
    }
  }
  return {
    index,
    errorCode: ErrorCode.NONE,
    baseOffset: outcome.baseOffset,
    logAppendTimeMs: outcome.logAppendTimeMs,
    logStartOffset: partition.logStartOffset,
    errorMessage: null,
  };
}
