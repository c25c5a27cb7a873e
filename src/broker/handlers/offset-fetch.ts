// OffsetFetch (key 9), v1-9. v1-7 ask for one group; v8+ for many (KIP-709), which
// @platformatic/kafka uses; v9 carries the KIP-848 member id and epoch. A null topic list
// (v2+) means every partition the group has offsets for. Partitions without a committed
// offset answer -1 with no error, as Kafka does. requireStable (v7+) matters only with
// transactions, which do not exist yet, so there are never pending offsets to wait for.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { OffsetFetchRequest } from '../../protocol/generated/offset-fetch-request.js';
import type { OffsetFetchResponseInput } from '../../protocol/generated/offset-fetch-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { GroupCoordinator } from '../../group/coordinator.js';
import { defineHandler } from './handler.js';

interface PartitionOffset {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

export const offsetFetchHandler = defineHandler<OffsetFetchRequest, OffsetFetchResponseInput>({
  apiKey: ApiKey.OffsetFetch,
  minVersion: 1,
  maxVersion: 9,
  handle(ctx, req) {
    const coordinator = ctx.broker.groups;
    if (ctx.apiVersion >= 8) {
      return {
        throttleTimeMs: 0,
        groups: req.groups.map((g) => {
          const r = fetchGroup(coordinator, g.groupId, g.topics?.map((t) => ({ name: t.name, partitionIndexes: t.partitionIndexes })) ?? null, g.memberId, g.memberEpoch);
          return { groupId: g.groupId, errorCode: r.errorCode, topics: r.topics };
        }),
      };
    }
    const r = fetchGroup(coordinator, req.groupId, req.topics, null, -1);
    const epochs = ctx.apiVersion >= 5;
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      topics: r.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ ...p, committedLeaderEpoch: epochs ? p.committedLeaderEpoch : undefined })),
      })),
    };
  },
});

function fetchGroup(
  coordinator: GroupCoordinator,
  groupId: string,
  topics: { name: string; partitionIndexes: number[] }[] | null,
  memberId: string | null,
  memberEpoch: number,
): { errorCode: number; topics: { name: string; partitions: PartitionOffset[] }[] } {
  const problem = coordinator.check(groupId);
  if (problem !== ErrorCode.NONE) {
    return { errorCode: problem, topics: (topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((i) => missing(i, problem)) })) };
  }
  const g = coordinator.entry(groupId);
  if (g && memberId !== null) {
    const memberProblem = g.consumer ? g.consumer.validateOffsetFetch(memberId, memberEpoch) : ErrorCode.NONE;
    if (memberProblem !== ErrorCode.NONE) return { errorCode: memberProblem, topics: [] };
  }
  if (topics === null) {
    const byTopic = new Map<string, PartitionOffset[]>();
    for (const o of g?.offsets.values() ?? []) {
      const list = byTopic.get(o.topic) ?? [];
      list.push({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE });
      byTopic.set(o.topic, list);
    }
    return { errorCode: ErrorCode.NONE, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions: partitions.sort((a, b) => a.partitionIndex - b.partitionIndex) })) };
  }
  return {
    errorCode: ErrorCode.NONE,
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((i) => {
        const o = g?.offsets.get(`${t.name}\0${i}`);
        return o ? { partitionIndex: i, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE } : missing(i, ErrorCode.NONE);
      }),
    })),
  };
}

function missing(partitionIndex: number, errorCode: number): PartitionOffset {
  return { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode };
}
