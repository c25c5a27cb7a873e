// OffsetForLeaderEpoch (key 23), v2-4 (Kafka 4.0 dropped v0-1, KIP-896). Answers, for a leader
// epoch, where that epoch's data ends in the leader's log: followers truncate to the answer after
// a leader change (KIP-101/KIP-279) and consumers validate their position with it (KIP-320).
// v2+ carry currentLeaderEpoch, which fences a caller with stale metadata; v3+ carry replicaId
// (KIP-392): a follower's broker id, or -1/-2 for a consumer. Both get the same answer here, as
// every read of this API is served by the leader. v4+ are flexible.
//
// An epoch the leader does not know (above its latest, or -1) is not an error: the answer is
// epoch -1 and offset -1 with error NONE, as in Kafka, and the caller decides what that means.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { OffsetForLeaderEpochRequest, OffsetForLeaderEpochRequestOffsetForLeaderPartition } from '../../protocol/generated/offset-for-leader-epoch-request.js';
import type { OffsetForLeaderEpochResponseEpochEndOffsetInput, OffsetForLeaderEpochResponseInput } from '../../protocol/generated/offset-for-leader-epoch-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { leaderEpochError } from './fetch.js';
import { defineHandler, type HandlerContext } from './handler.js';

export const offsetForLeaderEpochHandler = defineHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponseInput>({
  apiKey: ApiKey.OffsetForLeaderEpoch,
  minVersion: 2,
  maxVersion: 4,
  handle(ctx, req) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => endOffsetFor(ctx, t.topic, p)) })),
    };
  },
});

function endOffsetFor(ctx: HandlerContext, topic: string, p: OffsetForLeaderEpochRequestOffsetForLeaderPartition): OffsetForLeaderEpochResponseEpochEndOffsetInput {
  const answer = (errorCode: number, leaderEpoch = -1, endOffset = -1) => ({ errorCode, partition: p.partition, leaderEpoch, endOffset });
  const partition = ctx.broker.getPartition(topic, p.partition);
  if (!partition) {
    // Known to the cluster but not hosted here: the client's metadata is stale.
    const known = ctx.broker.image.topicsByName.get(topic)?.partitions[p.partition];
    return answer(known ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }
  // Kafka checks the caller's epoch before leadership (Partition.getLocalLog), so a fenced caller
  // hears FENCED_LEADER_EPOCH from a follower too and refreshes its metadata.
  const epochError = leaderEpochError(partition, p.currentLeaderEpoch);
  if (epochError !== ErrorCode.NONE) return answer(epochError);
  if (!partition.isLeader) return answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  // The log end offset, not the high watermark, answers the current epoch (LeaderEpochFileCache):
  // a follower must not truncate data the leader has but has not yet committed.
  const found = partition.log.leaderEpochs.endOffsetFor(p.leaderEpoch);
  return answer(ErrorCode.NONE, found.epoch, found.endOffset);
}
