// ConsumerGroupDescribe (key 69), v0: KIP-848 groups with their epochs, assignor, members,
// and each member's current and target assignment. A classic group gets GROUP_ID_NOT_FOUND.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { ConsumerGroupDescribeRequest } from '../../protocol/generated/consumer-group-describe-request.js';
import type { ConsumerGroupDescribeResponseInput } from '../../protocol/generated/consumer-group-describe-response.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';

export const consumerGroupDescribeHandler = defineHandler<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponseInput>({
  apiKey: ApiKey.ConsumerGroupDescribe,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req) {
    const coordinator = ctx.broker.groups;
    const groups = req.groupIds.map((groupId) => {
      const fail = (errorCode: number) => ({ groupId, errorCode, errorMessage: errorInfo(errorCode).message, groupState: '', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [] });
      const problem = coordinator.check(groupId);
      if (problem !== ErrorCode.NONE) return fail(problem);
      const g = coordinator.entry(groupId);
      if (!g?.consumer) return fail(ErrorCode.GROUP_ID_NOT_FOUND);
      return { ...g.consumer.describe(coordinator.topicsView()), groupId, errorCode: ErrorCode.NONE, errorMessage: null };
    });
    return { throttleTimeMs: 0, groups };
  },
});
