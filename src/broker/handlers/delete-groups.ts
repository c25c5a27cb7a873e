// DeleteGroups (key 42), v0-2: removes groups that have no members, with their committed
// offsets (tombstones in __consumer_offsets). A group with members gets NON_EMPTY_GROUP.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { DeleteGroupsRequest } from '../../protocol/generated/delete-groups-request.js';
import type { DeleteGroupsResponseInput } from '../../protocol/generated/delete-groups-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { groupState } from './group-view.js';
import { defineHandler } from './handler.js';

export const deleteGroupsHandler = defineHandler<DeleteGroupsRequest, DeleteGroupsResponseInput>({
  apiKey: ApiKey.DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, req) {
    const coordinator = ctx.broker.groups;
    const results = [];
    for (const groupId of req.groupsNames) {
      const problem = coordinator.check(groupId);
      const g = coordinator.entry(groupId);
      let errorCode: number;
      if (problem !== ErrorCode.NONE) errorCode = problem;
      else if (!g) errorCode = ErrorCode.GROUP_ID_NOT_FOUND;
      else if (groupState(g) !== 'Empty') errorCode = ErrorCode.NON_EMPTY_GROUP;
      else {
        errorCode = await coordinator.deleteGroup(g);
        if (errorCode === ErrorCode.NONE) ctx.broker.logger.info({ groupId }, 'group deleted');
      }
      results.push({ groupId, errorCode });
    }
    return { throttleTimeMs: 0, results };
  },
});
