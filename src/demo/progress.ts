// How far each group is: log end offsets of delivery-location-updates against each group's
// committed offsets, through the project's own admin client. A partition without a committed
// offset counts from the log start, so a group that has not begun shows the whole log as lag.

import type { KafkaAdmin } from '../client/index.js';
import { LOCATION_TOPIC } from './types.js';

export interface GroupProgress {
  /** Sum over partitions of committed offset − log start offset. */
  consumed: number;
  lag: number;
}

export interface Progress {
  /** Sum over partitions of log end − log start. */
  produced: number;
  groups: Map<string, GroupProgress>;
}

export async function readProgress(admin: KafkaAdmin, partitions: number, groupIds: readonly string[]): Promise<Progress> {
  const indexes = Array.from({ length: partitions }, (_, i) => i);
  const [ends, starts] = await Promise.all([
    admin.listOffsets(indexes.map((partition) => ({ topic: LOCATION_TOPIC, partition, spec: 'latest' as const }))),
    admin.listOffsets(indexes.map((partition) => ({ topic: LOCATION_TOPIC, partition, spec: 'earliest' as const }))),
  ]);
  const endOf = new Map(ends.map((o) => [o.partition, o.offset]));
  const startOf = new Map(starts.map((o) => [o.partition, o.offset]));
  let produced = 0;
  for (const p of indexes) produced += endOf.get(p)! - startOf.get(p)!;
  const groups = new Map<string, GroupProgress>();
  await Promise.all(
    groupIds.map(async (groupId) => {
      const committed = new Map(
        (await admin.fetchCommittedOffsets(groupId)).filter((c) => c.topic === LOCATION_TOPIC && c.offset >= 0).map((c) => [c.partition, c.offset]),
      );
      let consumed = 0;
      let lag = 0;
      for (const p of indexes) {
        const at = committed.get(p) ?? startOf.get(p)!;
        consumed += at - startOf.get(p)!;
        lag += Math.max(0, endOf.get(p)! - at);
      }
      groups.set(groupId, { consumed, lag });
    }),
  );
  return { produced, groups };
}
