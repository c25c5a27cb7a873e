// ListGroups (key 16), v0-5: the groups this broker coordinates. v4+ filter by state
// (case-insensitive, KIP-518), v5+ by type ("classic", "consumer"; KIP-848).

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { ListGroupsRequest } from '../../protocol/generated/list-groups-request.js';
import type { ListGroupsResponseInput } from '../../protocol/generated/list-groups-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { groupProtocolType, groupState, groupType } from './group-view.js';
import { defineHandler } from './handler.js';

export const listGroupsHandler = defineHandler<ListGroupsRequest, ListGroupsResponseInput>({
  apiKey: ApiKey.ListGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, req) {
    const states = new Set((ctx.apiVersion >= 4 ? req.statesFilter : []).map((s) => s.toLowerCase()));
    const types = new Set((ctx.apiVersion >= 5 ? req.typesFilter : []).map((s) => s.toLowerCase()));
    const coordinator = ctx.broker.groups;
    const groups = [...coordinator.groups.values()]
      .filter((g) => coordinator.check(g.groupId) === ErrorCode.NONE)
      .filter((g) => states.size === 0 || states.has(groupState(g).toLowerCase()))
      .filter((g) => types.size === 0 || types.has(groupType(g)))
      .map((g) => ({
        groupId: g.groupId,
        protocolType: groupProtocolType(g),
        groupState: ctx.apiVersion >= 4 ? groupState(g) : undefined,
        groupType: ctx.apiVersion >= 5 ? groupType(g) : undefined,
      }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
  },
});
