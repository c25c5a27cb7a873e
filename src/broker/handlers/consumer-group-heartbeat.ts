// ConsumerGroupHeartbeat (key 68), v0-1: the KIP-848 consumer protocol. Members send their
// subscription and owned partitions; the coordinator runs the server-side assignor and hands
// each member its target assignment, reconciling revocations first (group/consumer).
// v1 adds the subscription regex.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { ConsumerGroupHeartbeatRequest } from '../../protocol/generated/consumer-group-heartbeat-request.js';
import type { ConsumerGroupHeartbeatResponseInput } from '../../protocol/generated/consumer-group-heartbeat-response.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { ConsumerGroup, validateConsumerGroupHeartbeat } from '../../group/consumer/index.js';
import { defineHandler } from './handler.js';

export const consumerGroupHeartbeatHandler = defineHandler<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponseInput>({
  apiKey: ApiKey.ConsumerGroupHeartbeat,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req) {
    const coordinator = ctx.broker.groups;
    const fail = (errorCode: number, errorMessage?: string) => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage: errorMessage ?? errorInfo(errorCode).message,
      memberId: null,
      memberEpoch: -1,
      heartbeatIntervalMs: 0,
      assignment: null,
    });
    const rejected = validateConsumerGroupHeartbeat(ctx.apiVersion, req, coordinator.consumerConfig.assignors);
    if (rejected) return fail(rejected.errorCode, rejected.errorMessage);
    const problem = coordinator.check(req.groupId);
    if (problem !== ErrorCode.NONE) return fail(problem);
    const g = coordinator.entryOrCreate(req.groupId);
    if (g.classic && g.classic.state !== 'Empty') return fail(ErrorCode.GROUP_ID_NOT_FOUND, `group ${req.groupId} is a classic group with members`);
    g.consumer ??= new ConsumerGroup(req.groupId, coordinator.consumerConfig, coordinator.newMemberId, coordinator.logger);
    const { response, changed } = g.consumer.heartbeat(ctx.nowMs, ctx.apiVersion, req, coordinator.topicsView(), { clientId: ctx.clientId ?? '', clientHost: ctx.clientHost });
    if (changed) coordinator.persistConsumer(g);
    return { throttleTimeMs: 0, ...response };
  },
});
