// DescribeQuorum's answer (KIP-595/KIP-853) from the metadata quorum: the leader, its epoch and
// high watermark, and each voter's and observer's log end and last fetch, as the leader sees
// them. Only the leader knows its followers' progress; anyone else answers NOT_LEADER_OR_FOLLOWER
// with the leader it knows, so the caller can ask there.

import type { MetadataImage } from '../../metadata/image.js';
import { METADATA_TOPIC, type RaftMetadataQuorum } from '../../metadata/metadata-quorum.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeQuorumResponse } from '../../protocol/generated/describe-quorum-response.js';
import { ZERO_UUID } from '../../protocol/reader.js';

export function describeQuorumResponse(quorum: RaftMetadataQuorum, _image: MetadataImage): DescribeQuorumResponse {
  const d = quorum.raftNode.describeQuorum();
  const state = (r: { replicaId: number; logEndOffset: number; lastFetchTimestamp: number; lastCaughtUpTimestamp: number }) => ({
    replicaId: r.replicaId,
    replicaDirectoryId: ZERO_UUID,
    logEndOffset: r.logEndOffset,
    lastFetchTimestamp: r.lastFetchTimestamp,
    lastCaughtUpTimestamp: r.lastCaughtUpTimestamp,
  });
  const nodes = [...quorum.voterAddresses].map(([nodeId, a]) => ({ nodeId, listeners: a === null ? [] : [{ name: 'CONTROLLER', host: a.host, port: a.port }] }));
  const partition =
    d === null
      ? {
          partitionIndex: 0,
          errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
          errorMessage: `node is not the quorum leader; the leader is ${quorum.leaderId}`,
          leaderId: quorum.leaderId,
          leaderEpoch: quorum.epoch,
          highWatermark: -1,
          currentVoters: [],
          observers: [],
        }
      : {
          partitionIndex: 0,
          errorCode: 0,
          errorMessage: null,
          leaderId: d.leaderId,
          leaderEpoch: d.leaderEpoch,
          highWatermark: d.highWatermark,
          currentVoters: d.voters.map(state),
          observers: d.observers.map(state),
        };
  return { errorCode: 0, errorMessage: null, topics: [{ topicName: METADATA_TOPIC, partitions: [partition] }], nodes };
}
