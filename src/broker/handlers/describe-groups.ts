// DescribeGroups (key 15), v0-5: state, protocol and members with their subscription metadata
// and assignment as the clients exchanged them. An unknown group is described as Dead with no
// error, as Kafka does. KIP-848 groups are described by ConsumerGroupDescribe; here they
// appear with their state and no classic member data.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { DescribeGroupsRequest } from '../../protocol/generated/describe-groups-request.js';
import type { DescribeGroupsResponseInput } from '../../protocol/generated/describe-groups-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { groupProtocolType, groupState, groupType } from './group-view.js';
import { defineHandler } from './handler.js';

export const describeGroupsHandler = defineHandler<DescribeGroupsRequest, DescribeGroupsResponseInput>({
  apiKey: ApiKey.DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, req) {
    const coordinator = ctx.broker.groups;
    const groups = req.groups.map((groupId) => {
      const base = { groupId, authorizedOperations: -2147483648 };
      const problem = coordinator.check(groupId);
      if (problem !== ErrorCode.NONE) return { ...base, errorCode: problem, groupState: '', protocolType: '', protocolData: '', members: [] };
      const g = coordinator.entry(groupId);
      if (!g) return { ...base, errorCode: ErrorCode.NONE, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
      if (groupType(g) === 'consumer' || !g.classic) {
        return { ...base, errorCode: ErrorCode.NONE, groupState: groupState(g), protocolType: groupProtocolType(g), protocolData: '', members: [] };
      }
      const d = g.classic.describe();
      return {
        ...base,
        errorCode: ErrorCode.NONE,
        groupState: d.state,
        protocolType: d.protocolType,
        protocolData: d.protocolName,
        members: d.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: ctx.apiVersion >= 4 ? m.groupInstanceId : undefined,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
      };
    });
    return { throttleTimeMs: 0, groups };
  },
});
