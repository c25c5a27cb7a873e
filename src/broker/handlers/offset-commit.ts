// OffsetCommit (key 8), v2-9 (Kafka 4.0's floor is 2). Commits from group members are checked
// against the group's generation (classic) or member epoch (KIP-848, v9+); generation -1 with
// an empty member id is a "simple" commit, allowed when the group has no members (that is how
// `reset-offsets` and manual-assign consumers commit). Offsets are written to the group's
// __consumer_offsets partition and acknowledged once committed there.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { OffsetCommitRequest } from '../../protocol/generated/offset-commit-request.js';
import type { OffsetCommitResponseInput } from '../../protocol/generated/offset-commit-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { GroupCoordinator, GroupEntry } from '../../group/coordinator.js';
import { defineHandler } from './handler.js';

export const offsetCommitHandler = defineHandler<OffsetCommitRequest, OffsetCommitResponseInput>({
  apiKey: ApiKey.OffsetCommit,
  minVersion: 2,
  maxVersion: 9,
  async handle(ctx, req) {
    const coordinator = ctx.broker.groups;
    const all = (errorCode: number) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
    });
    const problem = req.groupId === '' ? ErrorCode.INVALID_GROUP_ID : coordinator.check(req.groupId);
    if (problem !== ErrorCode.NONE) return all(problem);
    const existing = coordinator.entry(req.groupId);
    const memberCheck = validateMember(existing, req, ctx.apiVersion);
    if (memberCheck !== ErrorCode.NONE) return all(memberCheck);
    const g = existing ?? coordinator.entryOrCreate(req.groupId);

    const image = ctx.broker.image;
    const known = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.filter((p) => image.topicsByName.get(t.name)?.partitions[p.partitionIndex] !== undefined),
    }));
    const results = await commit(coordinator, g, known, ctx.nowMs);
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: results.get(`${t.name}\0${p.partitionIndex}`) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        })),
      })),
    };
  },
});

function validateMember(g: GroupEntry | undefined, req: OffsetCommitRequest, version: number): number {
  const generation = req.generationIdOrMemberEpoch;
  if (g?.consumer && g.consumer.state !== 'empty') {
    // Members of a KIP-848 group commit with their member epoch, which only v9+ carries.
    if (version < 9 && req.memberId !== '') return ErrorCode.UNSUPPORTED_VERSION;
    return g.consumer.validateOffsetCommit(req.memberId, version >= 9 ? generation : -1);
  }
  if (g?.classic) return g.classic.validateOffsetCommit(req.memberId, version >= 7 ? req.groupInstanceId : null, generation);
  // No group yet: only a simple commit may create one.
  return generation < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
}

function commit(coordinator: GroupCoordinator, g: GroupEntry, topics: OffsetCommitRequest['topics'], nowMs: number) {
  return coordinator.commitOffsets(
    g,
    topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        committedOffset: p.committedOffset,
        committedLeaderEpoch: p.committedLeaderEpoch,
        committedMetadata: p.committedMetadata,
      })),
    })),
    nowMs,
  );
}
