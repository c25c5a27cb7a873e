// ElectLeaders (key 43), v0-2: preferred (type 0, the first replica takes leadership back when
// it is in the ISR) or unclean (type 1, a leaderless partition takes a replica from outside the
// ISR) leader election, for the named partitions or all (null). The active controller decides;
// v0 has no election type (preferred) and no top-level error code.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { ElectLeadersRequest } from '../../protocol/generated/elect-leaders-request.js';
import type { ElectLeadersResponseInput } from '../../protocol/generated/elect-leaders-response.js';
import { defineHandler } from './handler.js';

export const electLeadersHandler = defineHandler<ElectLeadersRequest, ElectLeadersResponseInput>({
  apiKey: ApiKey.ElectLeaders,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, req) {
    const res = await ctx.broker.controller.electLeaders({ ...req, electionType: ctx.apiVersion >= 1 ? req.electionType : 0 });
    return {
      throttleTimeMs: 0,
      ...(ctx.apiVersion >= 1 ? { errorCode: res.errorCode } : {}),
      replicaElectionResults: (res.replicaElectionResults ?? []).map((t) => ({
        topic: t.topic,
        partitionResult: t.partitionResult.map((p) => ({ partitionId: p.partitionId, errorCode: p.errorCode, errorMessage: p.errorMessage ?? null })),
      })),
    };
  },
});
