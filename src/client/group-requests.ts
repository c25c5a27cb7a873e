// The group APIs as plain data: FindCoordinator, ListGroups, DescribeGroups, OffsetFetch and
// OffsetCommit. Builders take the negotiated version and set only fields that version carries
// (the generated writers throw on anything else); parsers turn error codes into KafkaErrors that
// name the request and the group. No I/O here: admin.ts sends what these build.

import { ApiKey } from '../protocol/generated/api-keys.js';
import type { DeleteGroupsResponse } from '../protocol/generated/delete-groups-response.js';
import type { DescribeGroupsResponse } from '../protocol/generated/describe-groups-response.js';
import type { FindCoordinatorRequestInput } from '../protocol/generated/find-coordinator-request.js';
import type { FindCoordinatorResponse } from '../protocol/generated/find-coordinator-response.js';
import type { ListGroupsResponse } from '../protocol/generated/list-groups-response.js';
import type { OffsetCommitRequestInput } from '../protocol/generated/offset-commit-request.js';
import type { OffsetCommitResponse } from '../protocol/generated/offset-commit-response.js';
import type { OffsetFetchRequestInput } from '../protocol/generated/offset-fetch-request.js';
import type { OffsetFetchResponse } from '../protocol/generated/offset-fetch-response.js';
import { decodeConsumerAssignment } from './assignment.js';
import type { VersionRange } from './connection.js';
import { kafkaErrorFor, throwIfError } from './errors.js';
import type { CommittedOffset, GroupMember, ListedGroup, OffsetToCommit } from './types.js';

/** The version ranges this client can build; a connection narrows them to the broker's. */
export const groupApis = {
  findCoordinator: { apiKey: ApiKey.FindCoordinator, versions: { min: 0, max: 6 } },
  listGroups: { apiKey: ApiKey.ListGroups, versions: { min: 0, max: 5 } },
  describeGroups: { apiKey: ApiKey.DescribeGroups, versions: { min: 0, max: 5 } },
  // v1 cannot ask for "all topics" (null arrives in v2); v0 read offsets from ZooKeeper.
  offsetFetch: { apiKey: ApiKey.OffsetFetch, versions: { min: 2, max: 9 } },
  // v0 has no generation id, so it cannot say "simple commit" (generation -1) explicitly.
  offsetCommit: { apiKey: ApiKey.OffsetCommit, versions: { min: 1, max: 9 } },
  deleteGroups: { apiKey: ApiKey.DeleteGroups, versions: { min: 0, max: 2 } },
} satisfies Record<string, { apiKey: number; versions: VersionRange }>;

/** FindCoordinator v4+ batches keys (KIP-699); earlier versions take one key per request. */
export const FIND_COORDINATOR_BATCH_MIN_VERSION = 4;
const KEY_TYPE_GROUP = 0;

export interface CoordinatorAnswer {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}

export function buildFindCoordinatorRequest(version: number, groupIds: readonly string[]): FindCoordinatorRequestInput {
  if (version >= FIND_COORDINATOR_BATCH_MIN_VERSION) return { keyType: KEY_TYPE_GROUP, coordinatorKeys: groupIds };
  if (groupIds.length !== 1) throw new RangeError(`FindCoordinator v${version} takes one key, got ${groupIds.length}`);
  return version >= 1 ? { key: groupIds[0]!, keyType: KEY_TYPE_GROUP } : { key: groupIds[0]! };
}

export function parseFindCoordinatorResponse(version: number, groupIds: readonly string[], response: FindCoordinatorResponse): CoordinatorAnswer[] {
  if (version >= FIND_COORDINATOR_BATCH_MIN_VERSION) return response.coordinators.map((c) => ({ ...c }));
  const { nodeId, host, port, errorCode, errorMessage } = response;
  return [{ key: groupIds[0]!, nodeId, host, port, errorCode, errorMessage }];
}

export function buildListGroupsRequest(version: number, states: readonly string[]): object {
  // The state filter arrived in v4 (KIP-518); older brokers list every group.
  return version >= 4 ? { statesFilter: states } : {};
}

export function parseListGroupsResponse(version: number, nodeId: number, response: ListGroupsResponse): ListedGroup[] {
  throwIfError(response.errorCode, `ListGroups on broker ${nodeId}`);
  return response.groups.map((g) => ({
    groupId: g.groupId,
    protocolType: g.protocolType,
    groupState: version >= 4 ? g.groupState : null,
    groupType: version >= 5 ? g.groupType : null,
    coordinatorId: nodeId,
  }));
}

export interface DescribedGroupData {
  groupId: string;
  groupState: string;
  protocolType: string;
  protocol: string;
  members: GroupMember[];
}

export function buildDescribeGroupsRequest(groupIds: readonly string[]): object {
  return { groups: groupIds };
}

/** One entry per group answered; a group-level error code becomes a KafkaError as its result. */
export function parseDescribeGroupsResponse(response: DescribeGroupsResponse): { groupId: string; result: DescribedGroupData | Error }[] {
  return response.groups.map((g) => {
    if (g.errorCode !== 0) return { groupId: g.groupId, result: kafkaErrorFor(g.errorCode, `DescribeGroups(${g.groupId})`) };
    const isConsumer = g.protocolType === 'consumer';
    const result: DescribedGroupData = {
      groupId: g.groupId,
      groupState: g.groupState,
      protocolType: g.protocolType,
      protocol: g.protocolData,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignment: isConsumer ? decodeConsumerAssignment(m.memberAssignment) : null,
      })),
    };
    return { groupId: g.groupId, result };
  });
}

/** Asks for every committed offset of the group (a null topic list). */
export function buildOffsetFetchRequest(version: number, groupId: string): OffsetFetchRequestInput {
  if (version >= 8) return { groups: [{ groupId, topics: null }] };
  return { groupId, topics: null };
}

/** The group's committed offsets, sorted; partitions without a commit (offset -1) are left out. */
export function parseOffsetFetchResponse(version: number, groupId: string, response: OffsetFetchResponse): CommittedOffset[] {
  const context = `OffsetFetch(${groupId})`;
  const offsets: CommittedOffset[] = [];
  const collect = (topic: string, p: { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; metadata: string | null; errorCode: number }): void => {
    throwIfError(p.errorCode, `${context} ${topic}-${p.partitionIndex}`);
    if (p.committedOffset < 0) return;
    offsets.push({ topic, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.metadata });
  };
  if (version >= 8) {
    const group = response.groups.find((g) => g.groupId === groupId);
    if (group === undefined) throw kafkaErrorFor(-1, context, 'the response does not mention the group');
    throwIfError(group.errorCode, context);
    for (const t of group.topics) for (const p of t.partitions) collect(t.name, p);
  } else {
    throwIfError(response.errorCode, context);
    for (const t of response.topics) for (const p of t.partitions) collect(t.name, p);
  }
  return offsets.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

/**
 * A "simple" commit, as kafka-consumer-groups --reset-offsets sends: generation -1 and an empty
 * member id, which the coordinator accepts only for a group without members. Every other field
 * keeps its default, which suits every version from v1.
 */
export function buildOffsetCommitRequest(groupId: string, offsets: readonly OffsetToCommit[]): OffsetCommitRequestInput {
  const byTopic = new Map<string, OffsetToCommit[]>();
  for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
  return {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    topics: [...byTopic].map(([name, list]) => ({
      name,
      partitions: list.map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedMetadata: '' })),
    })),
  };
}

export function parseOffsetCommitResponse(groupId: string, response: OffsetCommitResponse): void {
  for (const t of response.topics) {
    for (const p of t.partitions) throwIfError(p.errorCode, `OffsetCommit(${groupId}) ${t.name}-${p.partitionIndex}`);
  }
}

/** DeleteGroups for one group; a group with members fails with NON_EMPTY_GROUP, as in Kafka. */
export function parseDeleteGroupsResponse(groupId: string, response: DeleteGroupsResponse): void {
  const result = response.results.find((r) => r.groupId === groupId);
  if (result === undefined) throw kafkaErrorFor(-1, `DeleteGroups(${groupId})`, 'the response does not name the group');
  throwIfError(result.errorCode, `DeleteGroups(${groupId})`);
}
