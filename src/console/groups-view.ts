// The consumer groups pages' data: every group with its state and total lag, one group's
// members, assignment and per-partition committed offset and lag, and the two changes a group
// page offers, both refused by the broker for a group with members: resetting offsets (to the
// earliest, latest, a given offset or a timestamp, clamped to the log as kafka-consumer-groups
// does) and deleting the group. Lag is log end offset minus committed offset; a partition with
// no commit has no lag (null).

import type { CommittedOffset, GroupDescription, OffsetSpec, TopicPartition } from '../client/index.js';
import { ConsoleRequestError } from './http.js';
import { partitionKey, type ConsoleContext } from './context.js';

export interface LagRow extends TopicPartition {
  committedOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  memberId: string | null;
  clientId: string | null;
}

export function lagRows(group: GroupDescription, committed: readonly CommittedOffset[], ends: ReadonlyMap<string, number>): LagRow[] {
  const owners = new Map<string, GroupDescription['members'][number]>();
  const all = new Map<string, TopicPartition>();
  for (const m of group.members) {
    for (const tp of m.assignment ?? []) {
      owners.set(partitionKey(tp.topic, tp.partition), m);
      all.set(partitionKey(tp.topic, tp.partition), tp);
    }
  }
  const commits = new Map(committed.map((c) => [partitionKey(c.topic, c.partition), c.offset]));
  for (const c of committed) all.set(partitionKey(c.topic, c.partition), { topic: c.topic, partition: c.partition });
  return [...all.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([key, tp]) => {
      const committedOffset = commits.get(key) ?? null;
      const logEndOffset = ends.get(key) ?? null;
      const owner = owners.get(key);
      return {
        ...tp,
        committedOffset,
        logEndOffset,
        lag: committedOffset === null || logEndOffset === null ? null : Math.max(0, logEndOffset - committedOffset),
        memberId: owner?.memberId ?? null,
        clientId: owner?.clientId ?? null,
      };
    });
}

async function endOffsets(ctx: ConsoleContext, partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
  if (partitions.length === 0) return new Map();
  const listed = await ctx.admin.listOffsets(partitions.map((p) => ({ ...p, spec: 'latest' as const })));
  return new Map(listed.map((l) => [partitionKey(l.topic, l.partition), l.offset]));
}

export async function groupLag(ctx: ConsoleContext, groupId: string) {
  const [group, committed] = await Promise.all([ctx.admin.describeGroup(groupId), ctx.admin.fetchCommittedOffsets(groupId)]);
  const partitions = [...committed, ...group.members.flatMap((m) => m.assignment ?? [])];
  const rows = lagRows(group, committed, await endOffsets(ctx, partitions));
  return {
    groupId,
    state: group.groupState,
    protocolType: group.protocolType,
    protocol: group.protocol,
    coordinator: group.coordinator.nodeId,
    members: group.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, groupInstanceId: m.groupInstanceId, assignment: m.assignment })),
    partitions: rows,
    totalLag: rows.reduce((sum, r) => sum + (r.lag ?? 0), 0),
  };
}

export async function groupsView(ctx: ConsoleContext) {
  const listed = await ctx.admin.listGroups();
  const described = listed.length === 0 ? [] : await ctx.admin.describeGroups(listed.map((g) => g.groupId));
  return Promise.all(described.map(async (g) => {
    const lag = await groupLag(ctx, g.groupId).catch(() => null);
    return {
      groupId: g.groupId,
      state: g.groupState,
      protocolType: g.protocolType,
      protocol: g.protocol,
      type: listed.find((l) => l.groupId === g.groupId)?.groupType ?? null,
      members: g.members.length,
      coordinator: g.coordinator.nodeId,
      totalLag: lag?.totalLag ?? null,
    };
  }));
}

export interface ResetBody {
  /** earliest, latest, offset or timestamp. */
  to?: unknown;
  /** The offset or the timestamp (ms) for `offset` and `timestamp`. */
  value?: unknown;
  /** Only this topic's partitions; every committed partition by default. */
  topic?: unknown;
}

export async function resetGroupOffsets(ctx: ConsoleContext, groupId: string, body: ResetBody) {
  const group = await ctx.admin.describeGroup(groupId);
  if (group.members.length > 0) throw new ConsoleRequestError(`group ${groupId} has ${group.members.length} member(s); offsets can be reset only while it is empty`, 409);
  const committed = await ctx.admin.fetchCommittedOffsets(groupId);
  let partitions: TopicPartition[] = committed.map((c) => ({ topic: c.topic, partition: c.partition }));
  if (typeof body.topic === 'string' && body.topic !== '') {
    const meta = await ctx.admin.metadata([body.topic]);
    const t = meta.topics.find((x) => x.name === body.topic && x.errorCode === 0);
    if (t === undefined) throw new ConsoleRequestError(`topic ${body.topic} does not exist`, 404);
    partitions = t.partitions.map((p) => ({ topic: t.name, partition: p.partition }));
  }
  if (partitions.length === 0) throw new ConsoleRequestError('the group has no committed offsets; name a topic to reset');
  const bounds = async (spec: OffsetSpec) => new Map((await ctx.admin.listOffsets(partitions.map((p) => ({ ...p, spec })))).map((l) => [partitionKey(l.topic, l.partition), l.offset]));
  const [earliest, latest] = await Promise.all([bounds('earliest'), bounds('latest')]);
  let wanted: (tp: TopicPartition) => number;
  if (body.to === 'earliest') wanted = (tp) => earliest.get(partitionKey(tp.topic, tp.partition))!;
  else if (body.to === 'latest') wanted = (tp) => latest.get(partitionKey(tp.topic, tp.partition))!;
  else if (body.to === 'offset' || body.to === 'timestamp') {
    const n = Number(body.value);
    if (!Number.isSafeInteger(n) || n < 0) throw new ConsoleRequestError(`${body.to} must be a whole number`);
    if (body.to === 'offset') wanted = () => n;
    else {
      const byTime = await bounds({ timestampMs: n });
      wanted = (tp) => {
        const o = byTime.get(partitionKey(tp.topic, tp.partition))!;
        return o < 0 ? latest.get(partitionKey(tp.topic, tp.partition))! : o;
      };
    }
  } else throw new ConsoleRequestError('to must be earliest, latest, offset or timestamp');
  const offsets = partitions.map((tp) => {
    const key = partitionKey(tp.topic, tp.partition);
    return { ...tp, offset: Math.min(latest.get(key)!, Math.max(earliest.get(key)!, wanted(tp))) };
  });
  await ctx.admin.commitOffsets(groupId, offsets);
  return { groupId, offsets };
}
