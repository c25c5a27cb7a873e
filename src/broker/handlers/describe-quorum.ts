// DescribeQuorum (key 55), v0-2: the metadata quorum's leader, epoch, high watermark and each
// voter's and observer's progress (kafka-metadata-quorum describe --status/--replication). A
// broker forwards it to the active controller, which alone knows the followers' progress.
// v1 adds the fetch timestamps, v2 the directory ids, error message and the voters' endpoints.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { DescribeQuorumRequest } from '../../protocol/generated/describe-quorum-request.js';
import type { DescribeQuorumResponse, DescribeQuorumResponseInput, DescribeQuorumResponseReplicaState } from '../../protocol/generated/describe-quorum-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';

export const describeQuorumHandler = defineHandler<DescribeQuorumRequest, DescribeQuorumResponseInput>({
  apiKey: ApiKey.DescribeQuorum,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, req) {
    const asks = req.topics.some((t) => t.topicName === '__cluster_metadata' && t.partitions.some((p) => p.partitionIndex === 0));
    if (!asks) return { errorCode: ErrorCode.INVALID_REQUEST, topics: [] };
    const res = await ctx.broker.controller.describeQuorum();
    return forVersion(res, ctx.apiVersion);
  },
});

/** Drops what the request's version cannot carry. */
function forVersion(res: DescribeQuorumResponse, version: number): DescribeQuorumResponseInput {
  const replica = (r: DescribeQuorumResponseReplicaState) => ({
    replicaId: r.replicaId,
    logEndOffset: r.logEndOffset,
    ...(version >= 1 ? { lastFetchTimestamp: r.lastFetchTimestamp, lastCaughtUpTimestamp: r.lastCaughtUpTimestamp } : {}),
    ...(version >= 2 ? { replicaDirectoryId: r.replicaDirectoryId } : {}),
  });
  return {
    errorCode: res.errorCode,
    ...(version >= 2 ? { errorMessage: res.errorMessage, nodes: res.nodes } : {}),
    topics: (res.topics ?? []).map((t) => ({
      topicName: t.topicName,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: p.errorCode,
        ...(version >= 2 ? { errorMessage: p.errorMessage } : {}),
        leaderId: p.leaderId,
        leaderEpoch: p.leaderEpoch,
        highWatermark: p.highWatermark,
        currentVoters: p.currentVoters.map(replica),
        observers: p.observers.map(replica),
      })),
    })),
  };
}
