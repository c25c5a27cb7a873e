// How far each group is: log end offsets of delivery-location-updates against each group's
// committed offsets, through the project's own admin client. A partition without a committed
// offset counts from the log start, so a group that has not begun shows the whole log as lag.
// The same client reads the topic's leaders for the live view (leadership.ts).
//
// ProgressReader replaces its admin client after a failed round. KafkaAdmin sends Metadata over
// its bootstrap connection and, once that has closed, always to the lowest known broker id, even
// when that broker is down; a new client connects to the first bootstrap address that answers.

import { KafkaAdmin } from '../client/index.js';
import { leaderViewOf, type LeaderView } from './leadership.js';
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

/** Short deadlines: a round that cannot be answered now is better skipped than waited for. */
const ADMIN_OPTIONS = { clientId: 'demo-gps-progress', connectTimeoutMs: 2_000, requestTimeoutMs: 5_000, retries: 2 };

export class ProgressReader {
  private admin: Promise<KafkaAdmin> | undefined;

  constructor(
    private readonly bootstrap: string,
    private readonly partitions: number,
    private readonly groupIds: readonly string[],
  ) {}

  /** Brokers the cluster lists now. */
  async brokerCount(): Promise<number> {
    return this.withAdmin(async (admin) => (await admin.metadata([])).brokers.length);
  }

  async progress(): Promise<Progress> {
    return this.withAdmin((admin) => readProgress(admin, this.partitions, this.groupIds));
  }

  async leaders(): Promise<LeaderView> {
    return this.withAdmin(async (admin) => leaderViewOf(await admin.metadata([LOCATION_TOPIC])));
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await (await admin?.catch(() => undefined))?.close();
  }

  private async withAdmin<T>(read: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
    // Concurrent reads share one client, connected once.
    this.admin ??= (async () => {
      const admin = new KafkaAdmin(ADMIN_OPTIONS);
      try {
        await admin.connect(this.bootstrap);
      } catch (err) {
        await admin.close();
        throw err;
      }
      return admin;
    })();
    const current = this.admin;
    try {
      return await read(await current);
    } catch (err) {
      if (this.admin === current) await this.close().catch(() => {});
      throw err;
    }
  }
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
