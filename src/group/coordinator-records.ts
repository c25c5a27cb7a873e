// The records the group coordinator keeps in `__consumer_offsets`, in Kafka's own format so
// that tools reading the topic (lag monitors such as Burrow, kafka-consumer-groups) understand
// them: each record's key and value start with an int16 version, then the struct of
// internal/group-coordinator/*.json. Key version 0/1 is an offset commit, 2 a classic group's
// metadata; a null value is a tombstone (the offset or group was deleted). Later key versions
// (KIP-848 and share groups) are skipped on load until this broker writes them.

import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { readGroupMetadataKey, writeGroupMetadataKey } from '../protocol/generated/group-coordinator/group-metadata-key.js';
import {
  readGroupMetadataValue,
  writeGroupMetadataValue,
  type GroupMetadataValue,
  type GroupMetadataValueInput,
} from '../protocol/generated/group-coordinator/group-metadata-value.js';
import { readOffsetCommitKey, writeOffsetCommitKey } from '../protocol/generated/group-coordinator/offset-commit-key.js';
import { readOffsetCommitValue, writeOffsetCommitValue } from '../protocol/generated/group-coordinator/offset-commit-value.js';

const OFFSET_KEY_VERSION = 1;
const GROUP_KEY_VERSION = 2;
/** v3 carries the leader epoch and no expire timestamp: what Kafka 2.1+ writes. */
const OFFSET_VALUE_VERSION = 3;
/** v3 carries static member instance ids (KIP-345). */
const GROUP_VALUE_VERSION = 3;

export interface OffsetEntry {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
}

export type CoordinatorRecord =
  | { type: 'offset'; groupId: string; topic: string; partition: number; value: OffsetEntry | null }
  | { type: 'group'; groupId: string; value: GroupMetadataValue | null }
  | { type: 'other'; keyVersion: number };

export function encodeOffsetRecord(groupId: string, topic: string, partition: number, value: OffsetEntry | null): { key: Buffer; value: Buffer | null } {
  const k = new Writer(64);
  k.writeInt16(OFFSET_KEY_VERSION);
  writeOffsetCommitKey(k, OFFSET_KEY_VERSION, { group: groupId, topic, partition });
  if (value === null) return { key: k.toBuffer(), value: null };
  const v = new Writer(64);
  v.writeInt16(OFFSET_VALUE_VERSION);
  writeOffsetCommitValue(v, OFFSET_VALUE_VERSION, {
    offset: value.offset,
    leaderEpoch: value.leaderEpoch,
    metadata: value.metadata,
    commitTimestamp: value.commitTimestampMs,
  });
  return { key: k.toBuffer(), value: v.toBuffer() };
}

export function encodeGroupRecord(groupId: string, value: GroupMetadataValueInput | null): { key: Buffer; value: Buffer | null } {
  const k = new Writer(64);
  k.writeInt16(GROUP_KEY_VERSION);
  writeGroupMetadataKey(k, GROUP_KEY_VERSION, { group: groupId });
  if (value === null) return { key: k.toBuffer(), value: null };
  const v = new Writer(256);
  v.writeInt16(GROUP_VALUE_VERSION);
  writeGroupMetadataValue(v, GROUP_VALUE_VERSION, value);
  return { key: k.toBuffer(), value: v.toBuffer() };
}

export function decodeCoordinatorRecord(key: Buffer, value: Buffer | null): CoordinatorRecord {
  const kr = new Reader(key);
  const keyVersion = kr.readInt16();
  if (keyVersion === 0 || keyVersion === 1) {
    const k = readOffsetCommitKey(kr, keyVersion);
    if (value === null) return { type: 'offset', groupId: k.group, topic: k.topic, partition: k.partition, value: null };
    const vr = new Reader(value);
    const v = readOffsetCommitValue(vr, vr.readInt16());
    return {
      type: 'offset',
      groupId: k.group,
      topic: k.topic,
      partition: k.partition,
      value: { offset: v.offset, leaderEpoch: v.leaderEpoch, metadata: v.metadata, commitTimestampMs: v.commitTimestamp },
    };
  }
  if (keyVersion === GROUP_KEY_VERSION) {
    const k = readGroupMetadataKey(kr, keyVersion);
    if (value === null) return { type: 'group', groupId: k.group, value: null };
    const vr = new Reader(value);
    return { type: 'group', groupId: k.group, value: readGroupMetadataValue(vr, vr.readInt16()) };
  }
  return { type: 'other', keyVersion };
}

/** Java's String.hashCode over UTF-16 code units, so groups land on Kafka's partitions. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's coordinator partition: Utils.abs(groupId.hashCode) % partitions (abs(MIN_VALUE) is 0). */
export function partitionForGroup(groupId: string, partitions: number): number {
  const h = javaStringHash(groupId);
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}
