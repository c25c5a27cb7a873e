// JoinGroup (key 11), v0-9. Kafka 4.0.1 serves v0 again because librdkafka 2.0 enables its
// group consumer only when the range includes v0 (KAFKA-19444). v4+ require a member id
// (KIP-394: the first join gets MEMBER_ID_REQUIRED and the id to use), v5+ carry static
// membership (KIP-345), v7+ the protocol type in the response, v8+ a reason, v9 skipAssignment.
// The group state machine (group/classic) may park the request until the rebalance completes.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { JoinGroupRequest } from '../../protocol/generated/join-group-request.js';
import type { JoinGroupResponseInput } from '../../protocol/generated/join-group-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ClassicGroup, type JoinResponse } from '../../group/classic/index.js';
import { defineHandler } from './handler.js';

export const joinGroupHandler = defineHandler<JoinGroupRequest, JoinGroupResponseInput>({
  apiKey: ApiKey.JoinGroup,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, req) {
    const coordinator = ctx.broker.groups;
    const fail = (errorCode: number): JoinResponse => ({
      errorCode,
      generationId: -1,
      protocolType: null,
      protocolName: null,
      leader: '',
      skipAssignment: false,
      memberId: req.memberId,
      members: [],
    });
    let response: JoinResponse;
    const problem = req.groupId === '' ? ErrorCode.INVALID_GROUP_ID : coordinator.check(req.groupId);
    if (problem !== ErrorCode.NONE) response = fail(problem);
    else {
      const g = coordinator.entryOrCreate(req.groupId);
      if (g.consumer && g.consumer.state !== 'empty') response = fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      else {
        g.classic ??= new ClassicGroup(req.groupId, coordinator.classicConfig, coordinator.newMemberId, coordinator.logger);
        const group = g.classic;
        response = await coordinator.park<JoinResponse>(
          (requestId) =>
            group.join(ctx.nowMs, {
              requestId,
              apiVersion: ctx.apiVersion,
              memberId: req.memberId,
              groupInstanceId: req.groupInstanceId,
              clientId: ctx.clientId ?? '',
              clientHost: ctx.clientHost,
              sessionTimeoutMs: req.sessionTimeoutMs,
              rebalanceTimeoutMs: ctx.apiVersion >= 1 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
              protocolType: req.protocolType,
              protocols: req.protocols,
              reason: req.reason,
            }),
          g,
        );
      }
    }
    return {
      throttleTimeMs: 0,
      errorCode: response.errorCode,
      generationId: response.generationId,
      protocolType: ctx.apiVersion >= 7 ? response.protocolType : undefined,
      protocolName: ctx.apiVersion >= 7 ? response.protocolName : (response.protocolName ?? ''),
      leader: response.leader,
      skipAssignment: ctx.apiVersion >= 9 ? response.skipAssignment : undefined,
      memberId: response.memberId,
      members: response.members,
    };
  },
});
