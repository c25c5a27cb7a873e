// Checks on a ConsumerGroupHeartbeat request that need no group state (KIP-848 "Request
// Validation", KIP-1082 for member ids). The coordinator may call this before it looks up or
// creates a group, so a malformed request never creates one. Outcomes are values.
//
// - MemberId must be set, except on a v0 join (epoch 0) where the coordinator generates it;
//   from v1 clients generate their own (KIP-1082).
// - GroupId must be non-empty; InstanceId and RackId, when sent, must be non-empty.
// - Joining (epoch 0) must carry RebalanceTimeoutMs, an empty TopicPartitions, and a subscription
//   (SubscribedTopicNames or SubscribedTopicRegex; an empty one is allowed and subscribes to nothing).
// - Epoch -2 (static member leaving for a while) needs InstanceId; epochs below -2 are invalid.
// - ServerAssignor must name a configured assignor (UNSUPPORTED_ASSIGNOR), and the regex must
//   compile (INVALID_REGULAR_EXPRESSION).

import { ErrorCode } from '../../protocol/errors.js';
import type { ConsumerGroupHeartbeatRequest } from '../../protocol/generated/consumer-group-heartbeat-request.js';

export const JOIN_GROUP_MEMBER_EPOCH = 0;
export const LEAVE_GROUP_MEMBER_EPOCH = -1;
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

/** A heartbeat the group refuses: the response carries only these. */
export interface Rejection {
  readonly errorCode: number;
  readonly errorMessage: string;
}

export function rejection(errorCode: number, errorMessage: string): Rejection {
  return { errorCode, errorMessage };
}

const invalid = (message: string): Rejection => rejection(ErrorCode.INVALID_REQUEST, message);

export function validateConsumerGroupHeartbeat(
  apiVersion: number,
  req: ConsumerGroupHeartbeatRequest,
  assignors: readonly string[],
): Rejection | null {
  const { memberEpoch } = req;
  const needsMemberId = apiVersion >= 1 || memberEpoch > 0 || memberEpoch === LEAVE_GROUP_MEMBER_EPOCH;
  if (needsMemberId && req.memberId === '') return invalid("MemberId can't be empty.");
  if (req.groupId === '') return invalid("GroupId can't be empty.");
  if (req.instanceId === '') return invalid("InstanceId can't be empty.");
  if (req.rackId === '') return invalid("RackId can't be empty.");
  if (memberEpoch === JOIN_GROUP_MEMBER_EPOCH) {
    if (req.rebalanceTimeoutMs === -1) return invalid('RebalanceTimeoutMs must be provided in first request.');
    if (req.topicPartitions === null || req.topicPartitions.length > 0) {
      return invalid('TopicPartitions must be empty when (re-)joining.');
    }
    if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null) {
      return invalid('Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.');
    }
  } else if (memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    if (req.instanceId === null) return invalid("InstanceId can't be null.");
  } else if (memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    return invalid('MemberEpoch is invalid.');
  }
  if (req.serverAssignor !== null && !assignors.includes(req.serverAssignor)) {
    return rejection(
      ErrorCode.UNSUPPORTED_ASSIGNOR,
      `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${assignors.join(', ')}.`,
    );
  }
  if (req.subscribedTopicRegex !== null && compileTopicRegex(req.subscribedTopicRegex) === null) {
    return rejection(ErrorCode.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex ${req.subscribedTopicRegex} is invalid.`);
  }
  return null;
}

/**
 * Compiles a subscription regex to match whole topic names (Kafka matches the full name), or
 * returns null when it is not a valid pattern. Kafka uses RE2/J syntax; JavaScript's is a superset
 * for the patterns clients send (character classes, alternation, repetition, anchors).
 */
export function compileTopicRegex(regex: string): RegExp | null {
  try {
    new RegExp(regex); // on its own first, so "a)|(b" cannot pass by closing our wrapper
    return new RegExp(`^(?:${regex})$`);
  } catch (err) {
    if (err instanceof SyntaxError) return null;
    throw err;
  }
}
