// AlterPartition on the active controller: a partition leader asks to change its ISR, naming
// the leader epoch and partition epoch it based the change on (KIP-497, KIP-841). A pure function
// of the image returning a result per partition and the PartitionChange records to commit.
//
// Checks, per partition, in KRaft's order (ReplicationControlManager.validateAlterPartitionData):
// UNKNOWN_TOPIC_ID / UNKNOWN_TOPIC_OR_PARTITION; FENCED_LEADER_EPOCH when the leader epoch is not
// the current one; NOT_LEADER_OR_FOLLOWER when the sender does not lead (KRaft says
// INVALID_REQUEST); INVALID_UPDATE_VERSION when the partition epoch is not the current one;
// INVALID_REQUEST for an empty ISR, a repeated member, or one without the leader;
// INELIGIBLE_REPLICA when a member is not a replica (KRaft: INVALID_REQUEST), not registered,
// fenced or in controlled shutdown, or is being removed by a reassignment (KIP-455) and is not in
// the ISR now: a replica on its way out never rejoins, since completion drops it anyway and a
// member that only slows acks=all down until then is no help. KRaft answers NOT_CONTROLLER for
// epochs from the future; here any mismatch is fenced, since the controller decides only from a
// caught-up image. A
// sender whose broker epoch is not the registered one gets STALE_BROKER_EPOCH at the top and on
// every partition. A successful result is the partition after the change (partition epoch + 1),
// or as it is when the ISR asked for is the current one.

import { ErrorCode } from '../protocol/errors.js';
import type { MetadataImage, PartitionImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import { partitionChange } from './partition-election.js';

export interface AlterPartitionInput {
  brokerId: number;
  brokerEpoch: number;
  topics: {
    topicId: string;
    partitions: { partitionIndex: number; leaderEpoch: number; newIsr: number[]; partitionEpoch: number }[];
  }[];
}

export interface AlterPartitionPartitionResult {
  partitionIndex: number;
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
  isr: number[];
  partitionEpoch: number;
}

export interface AlterPartitionOutcome {
  /** Top-level: STALE_BROKER_EPOCH or NONE. */
  errorCode: number;
  topics: { topicId: string; partitions: AlterPartitionPartitionResult[] }[];
  records: MetadataRecord[];
}

type PartitionRequest = AlterPartitionInput['topics'][number]['partitions'][number];

export function alterPartition(image: MetadataImage, req: AlterPartitionInput): AlterPartitionOutcome {
  const sender = image.brokers.get(req.brokerId);
  if (!sender || sender.brokerEpoch !== req.brokerEpoch) {
    const topics = req.topics.map((t) => ({
      topicId: t.topicId,
      partitions: t.partitions.map((p) => failed(p.partitionIndex, ErrorCode.STALE_BROKER_EPOCH, image.topicsById.get(t.topicId)?.partitions[p.partitionIndex])),
    }));
    return { errorCode: ErrorCode.STALE_BROKER_EPOCH, topics, records: [] };
  }
  const records: MetadataRecord[] = [];
  // A partition named twice is judged the second time as the first change left it.
  const changed = new Map<string, PartitionImage>();
  const topics = req.topics.map((t) => {
    const topic = image.topicsById.get(t.topicId);
    const partitions = t.partitions.map((p): AlterPartitionPartitionResult => {
      if (!topic) return failed(p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_ID, undefined);
      const key = `${t.topicId}:${p.partitionIndex}`;
      const current = changed.get(key) ?? topic.partitions[p.partitionIndex];
      if (!current) return failed(p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, undefined);
      const errorCode = check(image, req.brokerId, current, p);
      if (errorCode !== ErrorCode.NONE) return failed(p.partitionIndex, errorCode, current);
      const record = partitionChange(t.topicId, current, { leader: current.leader, isr: p.newIsr });
      if (!record) return succeeded(current);
      records.push(record);
      const next = { ...current, isr: [...p.newIsr], partitionEpoch: current.partitionEpoch + 1 };
      changed.set(key, next);
      return succeeded(next);
    });
    return { topicId: t.topicId, partitions };
  });
  return { errorCode: ErrorCode.NONE, topics, records };
}

function check(image: MetadataImage, brokerId: number, p: PartitionImage, req: PartitionRequest): number {
  if (req.leaderEpoch !== p.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (brokerId !== p.leader) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  if (req.partitionEpoch !== p.partitionEpoch) return ErrorCode.INVALID_UPDATE_VERSION;
  const isr = req.newIsr;
  if (isr.length === 0 || new Set(isr).size !== isr.length || !isr.includes(p.leader)) return ErrorCode.INVALID_REQUEST;
  if (isr.some((id) => !p.replicas.includes(id) || !image.isActiveBroker(id))) return ErrorCode.INELIGIBLE_REPLICA;
  if (isr.some((id) => p.removingReplicas.includes(id) && !p.isr.includes(id))) return ErrorCode.INELIGIBLE_REPLICA;
  return ErrorCode.NONE;
}

function succeeded(p: PartitionImage): AlterPartitionPartitionResult {
  return { partitionIndex: p.partitionId, errorCode: ErrorCode.NONE, leaderId: p.leader, leaderEpoch: p.leaderEpoch, isr: [...p.isr], partitionEpoch: p.partitionEpoch };
}

/** An error result, with the partition as it stands when it exists. */
function failed(partitionIndex: number, errorCode: number, p: PartitionImage | undefined): AlterPartitionPartitionResult {
  if (!p) return { partitionIndex, errorCode, leaderId: -1, leaderEpoch: -1, isr: [], partitionEpoch: -1 };
  return { partitionIndex, errorCode, leaderId: p.leader, leaderEpoch: p.leaderEpoch, isr: [...p.isr], partitionEpoch: p.partitionEpoch };
}
