// KIP-848 consumer groups in __consumer_offsets, in Kafka's record formats
// (internal/group-coordinator/ConsumerGroup*.json): key versions 3 (group epoch), 4 (subscribed
// topic metadata), 5 (member metadata), 6 (target assignment epoch), 7 (a member's target
// assignment) and 8 (a member's current assignment). Each change rewrites the group's records;
// members that left get tombstones. On load the records of a group are folded back into the
// snapshot ConsumerGroup.restore takes.

import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { readConsumerGroupMetadataKey, writeConsumerGroupMetadataKey } from '../protocol/generated/group-coordinator/consumer-group-metadata-key.js';
import { readConsumerGroupMetadataValue, writeConsumerGroupMetadataValue } from '../protocol/generated/group-coordinator/consumer-group-metadata-value.js';
import { readConsumerGroupPartitionMetadataKey, writeConsumerGroupPartitionMetadataKey } from '../protocol/generated/group-coordinator/consumer-group-partition-metadata-key.js';
import { readConsumerGroupPartitionMetadataValue, writeConsumerGroupPartitionMetadataValue } from '../protocol/generated/group-coordinator/consumer-group-partition-metadata-value.js';
import { readConsumerGroupMemberMetadataKey, writeConsumerGroupMemberMetadataKey } from '../protocol/generated/group-coordinator/consumer-group-member-metadata-key.js';
import { readConsumerGroupMemberMetadataValue, writeConsumerGroupMemberMetadataValue } from '../protocol/generated/group-coordinator/consumer-group-member-metadata-value.js';
import { readConsumerGroupTargetAssignmentMetadataKey, writeConsumerGroupTargetAssignmentMetadataKey } from '../protocol/generated/group-coordinator/consumer-group-target-assignment-metadata-key.js';
import { readConsumerGroupTargetAssignmentMetadataValue, writeConsumerGroupTargetAssignmentMetadataValue } from '../protocol/generated/group-coordinator/consumer-group-target-assignment-metadata-value.js';
import { readConsumerGroupTargetAssignmentMemberKey, writeConsumerGroupTargetAssignmentMemberKey } from '../protocol/generated/group-coordinator/consumer-group-target-assignment-member-key.js';
import { readConsumerGroupTargetAssignmentMemberValue, writeConsumerGroupTargetAssignmentMemberValue } from '../protocol/generated/group-coordinator/consumer-group-target-assignment-member-value.js';
import { readConsumerGroupCurrentMemberAssignmentKey, writeConsumerGroupCurrentMemberAssignmentKey } from '../protocol/generated/group-coordinator/consumer-group-current-member-assignment-key.js';
import { readConsumerGroupCurrentMemberAssignmentValue, writeConsumerGroupCurrentMemberAssignmentValue } from '../protocol/generated/group-coordinator/consumer-group-current-member-assignment-value.js';
import type { ConsumerGroupMemberSnapshot, ConsumerGroupSnapshot, MemberState } from './consumer/index.js';

export const CONSUMER_GROUP_KEY_VERSIONS = new Set([3, 4, 5, 6, 7, 8]);

type KeyValue = { key: Buffer; value: Buffer | null };

/** Kafka's MemberState codes in ConsumerGroupCurrentMemberAssignmentValue. */
const STATE_CODE: Record<MemberState, number> = { stable: 0, 'unrevoked-partitions': 1, 'unreleased-partitions': 2 };
const STATE_BY_CODE = new Map(Object.entries(STATE_CODE).map(([k, v]) => [v, k as MemberState]));

function record(keyVersion: number, writeKey: (w: Writer) => void, writeValue: ((w: Writer) => void) | null): KeyValue {
  const k = new Writer(64);
  k.writeInt16(keyVersion);
  writeKey(k);
  if (!writeValue) return { key: k.toBuffer(), value: null };
  const v = new Writer(128);
  v.writeInt16(0);
  writeValue(v);
  return { key: k.toBuffer(), value: v.toBuffer() };
}

function memberRecords(groupId: string, m: ConsumerGroupMemberSnapshot | null, memberId: string, target: ConsumerGroupSnapshot['targetAssignment'][number] | undefined): KeyValue[] {
  const key = { groupId, memberId };
  return [
    record(5, (w) => writeConsumerGroupMemberMetadataKey(w, 5, key), m && ((w) => writeConsumerGroupMemberMetadataValue(w, 0, {
      instanceId: m.instanceId,
      rackId: m.rackId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: m.subscribedTopicNames,
      subscribedTopicRegex: m.subscribedTopicRegex,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      serverAssignor: m.serverAssignor,
      classicMemberMetadata: null,
    }))),
    record(7, (w) => writeConsumerGroupTargetAssignmentMemberKey(w, 7, key), m && target ? (w) => writeConsumerGroupTargetAssignmentMemberValue(w, 0, { topicPartitions: target.topicPartitions }) : null),
    record(8, (w) => writeConsumerGroupCurrentMemberAssignmentKey(w, 8, key), m && ((w) => writeConsumerGroupCurrentMemberAssignmentValue(w, 0, {
      memberEpoch: m.memberEpoch,
      previousMemberEpoch: m.previousMemberEpoch,
      state: STATE_CODE[m.state],
      assignedPartitions: m.assignedPartitions,
      partitionsPendingRevocation: m.partitionsPendingRevocation,
    }))),
  ];
}

/** The group's records now, with tombstones for members of `previousMemberIds` that are gone. */
export function encodeConsumerGroup(s: ConsumerGroupSnapshot, previousMemberIds: Iterable<string>): KeyValue[] {
  const g = { groupId: s.groupId };
  const current = new Set(s.members.map((m) => m.memberId));
  const out: KeyValue[] = [];
  for (const id of previousMemberIds) if (!current.has(id)) out.push(...memberRecords(s.groupId, null, id, undefined));
  for (const m of s.members) out.push(...memberRecords(s.groupId, m, m.memberId, s.targetAssignment.find((t) => t.memberId === m.memberId)));
  out.push(
    record(4, (w) => writeConsumerGroupPartitionMetadataKey(w, 4, g), (w) =>
      writeConsumerGroupPartitionMetadataValue(w, 0, {
        topics: s.subscriptionMetadata.map((t) => ({ topicId: t.topicId, topicName: t.topicName, numPartitions: t.numPartitions, partitionMetadata: [] })),
      }),
    ),
    record(3, (w) => writeConsumerGroupMetadataKey(w, 3, g), (w) => writeConsumerGroupMetadataValue(w, 0, { epoch: s.groupEpoch })),
    record(6, (w) => writeConsumerGroupTargetAssignmentMetadataKey(w, 6, g), (w) => writeConsumerGroupTargetAssignmentMetadataValue(w, 0, { assignmentEpoch: s.assignmentEpoch })),
  );
  return out;
}

/** Tombstones for every record of the group (DeleteGroups). */
export function deleteConsumerGroup(s: ConsumerGroupSnapshot): KeyValue[] {
  const g = { groupId: s.groupId };
  return [
    ...s.members.flatMap((m) => memberRecords(s.groupId, null, m.memberId, undefined)),
    record(4, (w) => writeConsumerGroupPartitionMetadataKey(w, 4, g), null),
    record(6, (w) => writeConsumerGroupTargetAssignmentMetadataKey(w, 6, g), null),
    record(3, (w) => writeConsumerGroupMetadataKey(w, 3, g), null),
  ];
}

interface PartialGroup {
  groupEpoch?: number;
  assignmentEpoch: number;
  subscriptionMetadata: ConsumerGroupSnapshot['subscriptionMetadata'];
  members: Map<string, Partial<ConsumerGroupMemberSnapshot>>;
  targets: Map<string, ConsumerGroupSnapshot['targetAssignment'][number]['topicPartitions']>;
}

/** Folds consumer-group records (in log order) into snapshots. */
export class ConsumerGroupLoader {
  private readonly groups = new Map<string, PartialGroup>();

  apply(keyVersion: number, key: Reader, value: Buffer | null): void {
    const v = value === null ? null : new Reader(value, 2);
    switch (keyVersion) {
      case 3: {
        const { groupId } = readConsumerGroupMetadataKey(key, 3);
        if (!v) this.groups.delete(groupId);
        else this.group(groupId).groupEpoch = readConsumerGroupMetadataValue(v, 0).epoch;
        return;
      }
      case 4: {
        const g = this.group(readConsumerGroupPartitionMetadataKey(key, 4).groupId);
        g.subscriptionMetadata = v ? readConsumerGroupPartitionMetadataValue(v, 0).topics.map((t) => ({ topicId: t.topicId, topicName: t.topicName, numPartitions: t.numPartitions })) : [];
        return;
      }
      case 5: {
        const k = readConsumerGroupMemberMetadataKey(key, 5);
        const g = this.group(k.groupId);
        if (!v) return void g.members.delete(k.memberId);
        const m = readConsumerGroupMemberMetadataValue(v, 0);
        const { classicMemberMetadata: _classic, ...rest } = m;
        g.members.set(k.memberId, { ...g.members.get(k.memberId), memberId: k.memberId, ...rest });
        return;
      }
      case 6: {
        const g = this.group(readConsumerGroupTargetAssignmentMetadataKey(key, 6).groupId);
        g.assignmentEpoch = v ? readConsumerGroupTargetAssignmentMetadataValue(v, 0).assignmentEpoch : 0;
        return;
      }
      case 7: {
        const k = readConsumerGroupTargetAssignmentMemberKey(key, 7);
        const g = this.group(k.groupId);
        if (!v) g.targets.delete(k.memberId);
        else g.targets.set(k.memberId, readConsumerGroupTargetAssignmentMemberValue(v, 0).topicPartitions);
        return;
      }
      case 8: {
        const k = readConsumerGroupCurrentMemberAssignmentKey(key, 8);
        const g = this.group(k.groupId);
        if (!v) return;
        const a = readConsumerGroupCurrentMemberAssignmentValue(v, 0);
        g.members.set(k.memberId, {
          ...g.members.get(k.memberId),
          memberEpoch: a.memberEpoch,
          previousMemberEpoch: a.previousMemberEpoch,
          state: STATE_BY_CODE.get(a.state) ?? 'stable',
          assignedPartitions: a.assignedPartitions,
          partitionsPendingRevocation: a.partitionsPendingRevocation,
        });
        return;
      }
    }
  }

  private group(groupId: string): PartialGroup {
    let g = this.groups.get(groupId);
    if (!g) this.groups.set(groupId, (g = { assignmentEpoch: 0, subscriptionMetadata: [], members: new Map(), targets: new Map() }));
    return g;
  }

  /** Complete groups only: a group epoch record and members with both metadata and assignment. */
  snapshots(): ConsumerGroupSnapshot[] {
    const out: ConsumerGroupSnapshot[] = [];
    for (const [groupId, g] of this.groups) {
      if (g.groupEpoch === undefined) continue;
      const members = [...g.members.values()].filter((m): m is ConsumerGroupMemberSnapshot => m.clientId !== undefined && m.memberEpoch !== undefined);
      const ids = new Set(members.map((m) => m.memberId));
      out.push({
        groupId,
        groupEpoch: g.groupEpoch,
        assignmentEpoch: g.assignmentEpoch,
        subscriptionMetadata: g.subscriptionMetadata,
        members,
        targetAssignment: [...g.targets].filter(([id]) => ids.has(id)).map(([memberId, topicPartitions]) => ({ memberId, topicPartitions })),
      });
    }
    return out;
  }
}
