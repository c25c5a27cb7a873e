// Decodes the assignment bytes a classic consumer group's leader hands each member (the
// `memberAssignment` of DescribeGroups): an int16 version, then ConsumerProtocolAssignment.
// Versions newer than the schema are read as the newest we know: the consumer protocol only ever
// appends fields, so older readers stay valid (Kafka's ConsumerProtocol relies on the same rule).

import {
  CONSUMER_PROTOCOL_ASSIGNMENT_VERSIONS,
  readConsumerProtocolAssignment,
} from '../protocol/generated/consumer-protocol-assignment.js';
import { Reader } from '../protocol/reader.js';
import type { TopicPartition } from './types.js';

/** The assigned partitions, sorted; [] for an empty assignment; null if the bytes are not an assignment. */
export function decodeConsumerAssignment(bytes: Buffer): TopicPartition[] | null {
  // A member that has joined but not yet synced has an empty assignment.
  if (bytes.length === 0) return [];
  const r = new Reader(bytes);
  let assigned;
  try {
    const version = r.readInt16();
    if (version < 0) return null;
    assigned = readConsumerProtocolAssignment(r, Math.min(version, CONSUMER_PROTOCOL_ASSIGNMENT_VERSIONS.max));
  } catch (err) {
    // Not our format (another protocol type, or a broken client): the caller shows it as unknown.
    void err;
    return null;
  }
  const partitions = assigned.assignedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
  return partitions.sort(compareTopicPartitions);
}

export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}
