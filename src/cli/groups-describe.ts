// What `groups describe` shows, built from plain data so it can be tested without a broker: one
// row per partition the group has an assignment or a committed offset for (as
// kafka-consumer-groups --describe prints them), one per member (--members), or the group's
// state line (--state). Lag is the log end offset minus the committed offset; it is unknown
// (null, printed "-") where the group has committed nothing.

import { compareTopicPartitions, type CommittedOffset, type GroupDescription, type TopicPartition } from '../client/index.js';
import { formatTable, type Cell } from './format.js';
import { partitionKey } from './reset-offsets.js';

export interface OffsetRow {
  group: string;
  /** Null for a member that has no partitions assigned. */
  topic: string | null;
  partition: number | null;
  currentOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  consumerId: string | null;
  host: string | null;
  clientId: string | null;
}

/** The partitions whose log end offsets the offset view needs: assigned or committed ones. */
export function partitionsToDescribe(group: GroupDescription, committed: readonly CommittedOffset[]): TopicPartition[] {
  const all = new Map<string, TopicPartition>();
  for (const member of group.members) for (const tp of member.assignment ?? []) all.set(partitionKey(tp), tp);
  for (const c of committed) all.set(partitionKey(c), { topic: c.topic, partition: c.partition });
  return [...all.values()].sort(compareTopicPartitions);
}

export function offsetRows(group: GroupDescription, committed: readonly CommittedOffset[], logEndOffsets: ReadonlyMap<string, number>): OffsetRow[] {
  const owners = new Map<string, GroupDescription['members'][number]>();
  for (const member of group.members) for (const tp of member.assignment ?? []) owners.set(partitionKey(tp), member);
  const committedByKey = new Map(committed.map((c) => [partitionKey(c), c.offset]));
  const rows: OffsetRow[] = partitionsToDescribe(group, committed).map((tp) => {
    const key = partitionKey(tp);
    const owner = owners.get(key);
    const currentOffset = committedByKey.get(key) ?? null;
    const logEndOffset = logEndOffsets.get(key) ?? null;
    return {
      group: group.groupId,
      topic: tp.topic,
      partition: tp.partition,
      currentOffset,
      logEndOffset,
      lag: currentOffset === null || logEndOffset === null ? null : logEndOffset - currentOffset,
      consumerId: owner?.memberId ?? null,
      host: owner?.clientHost ?? null,
      clientId: owner?.clientId ?? null,
    };
  });
  // Members without partitions still show, so a consumer idling in the group is visible.
  for (const member of group.members) {
    if (member.assignment !== null && member.assignment.length > 0) continue;
    rows.push({
      group: group.groupId, topic: null, partition: null, currentOffset: null, logEndOffset: null, lag: null,
      consumerId: member.memberId, host: member.clientHost, clientId: member.clientId,
    });
  }
  return rows;
}

export function formatOffsetRows(rows: readonly OffsetRow[]): string {
  const headers = ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'];
  return formatTable(headers, rows.map((r) => [r.group, r.topic, r.partition, r.currentOffset, r.logEndOffset, r.lag, r.consumerId, r.host, r.clientId]));
}

export interface MemberRow {
  group: string;
  consumerId: string;
  groupInstanceId: string | null;
  host: string;
  clientId: string;
  /** Null when the assignment could not be decoded. */
  partitionCount: number | null;
  assignment: TopicPartition[] | null;
}

export function memberRows(group: GroupDescription): MemberRow[] {
  return group.members.map((m) => ({
    group: group.groupId,
    consumerId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    host: m.clientHost,
    clientId: m.clientId,
    partitionCount: m.assignment === null ? null : m.assignment.length,
    assignment: m.assignment,
  }));
}

/** `topic(0,1),other(3)`, as kafka-consumer-groups --members --verbose prints an assignment. */
export function assignmentText(assignment: readonly TopicPartition[] | null): string | null {
  if (assignment === null || assignment.length === 0) return null;
  const byTopic = new Map<string, number[]>();
  for (const tp of assignment) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return [...byTopic].map(([topic, partitions]) => `${topic}(${partitions.join(',')})`).join(',');
}

export function formatMemberRows(rows: readonly MemberRow[], isVerbose: boolean): string {
  const headers = ['GROUP', 'CONSUMER-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS', ...(isVerbose ? ['ASSIGNMENT'] : [])];
  return formatTable(headers, rows.map((r): Cell[] => [r.group, r.consumerId, r.host, r.clientId, r.partitionCount, ...(isVerbose ? [assignmentText(r.assignment)] : [])]));
}

export interface StateRow {
  group: string;
  coordinator: { nodeId: number; host: string; port: number };
  assignmentStrategy: string;
  state: string;
  memberCount: number;
}

export function stateRow(group: GroupDescription): StateRow {
  const { nodeId, host, port } = group.coordinator;
  return { group: group.groupId, coordinator: { nodeId, host, port }, assignmentStrategy: group.protocol, state: group.groupState, memberCount: group.members.length };
}

export function formatStateRow(row: StateRow): string {
  const coordinator = `${row.coordinator.host}:${row.coordinator.port} (${row.coordinator.nodeId})`;
  return formatTable(['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'], [[row.group, coordinator, row.assignmentStrategy, row.state, row.memberCount]]);
}
