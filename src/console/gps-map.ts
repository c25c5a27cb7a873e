// The map page of the GPS demo, fed by the console itself rather than by the demo's services:
// while a map page is open and topic delivery-location-updates exists, it tails every
// partition of it and keeps each partner's latest position, and reads the compacted
// delivery-zone-stats topic for each zone's latest window (summed over the analytics
// partitions). The feed stops a while after the last page leaves. Geometry comes from the
// demo's city (pure data), so partners are drawn on the same street grid they drive.

import type { FetchPosition } from '../client/index.js';
import { BLOCK_DEG, CITY, ZONE_COLS, ZONE_ROWS } from '../demo/city.js';
import { LOCATION_TOPIC, ZONE_STATS_TOPIC, type LocationUpdate } from '../demo/types.js';
import type { ZoneStats } from '../demo/zone-windows.js';
import type { ConsoleContext } from './context.js';
import { groupLag } from './groups-view.js';

/** Records read back per location partition when the feed starts: enough for every partner's latest. */
const START_BACKLOG_RECORDS = 2000;
const FETCH_WAIT_MS = 500;
const FETCH_BYTES_MAX = 4 << 20;
const IDLE_STOP_MS = 30_000;
/** Partners not heard from for this long are dropped from the map (a stopped demo). */
const PARTNER_STALE_MS = 60_000;
const PARTNERS_MAX = 100_000;

export const MAP_GEOMETRY = { city: CITY, blockDeg: BLOCK_DEG, zoneRows: ZONE_ROWS, zoneCols: ZONE_COLS, locationTopic: LOCATION_TOPIC, zoneStatsTopic: ZONE_STATS_TOPIC };

export class GpsMapFeed {
  private readonly partners = new Map<string, LocationUpdate & { seenMs: number }>();
  private readonly zoneStats = new Map<string, ZoneStats>();
  private positions: FetchPosition[] | null = null;
  private isRunning = false;
  private lastWantedMs = 0;
  private recordsSeen = 0;

  constructor(private readonly ctx: ConsoleContext) {}

  /** The current picture; starts the feed if it is not running. */
  async snapshot() {
    this.lastWantedMs = Date.now();
    const exists = await this.topicExists();
    if (exists && !this.isRunning) this.start();
    const now = Date.now();
    for (const [id, p] of this.partners) if (now - p.seenMs > PARTNER_STALE_MS) this.partners.delete(id);
    const groups = (await this.ctx.admin.listGroups()).filter((g) => g.groupId.startsWith('demo-gps-'));
    const lags = await Promise.all(groups.map((g) => groupLag(this.ctx, g.groupId).then((l) => ({ groupId: g.groupId, state: l.state, members: l.members.length, totalLag: l.totalLag }), () => null)));
    return {
      exists,
      recordsSeen: this.recordsSeen,
      partners: [...this.partners.values()].map(({ partnerId, lat, lon, speedKmh, heading, status, ts }) => ({ partnerId, lat, lon, speedKmh, heading, status, ts })),
      zones: zonesSummed(this.zoneStats.values()),
      groups: lags.filter((l) => l !== null),
    };
  }

  private async topicExists(): Promise<boolean> {
    const meta = await this.ctx.admin.metadata([LOCATION_TOPIC]);
    return meta.topics.some((t) => t.name === LOCATION_TOPIC && t.errorCode === 0 && t.partitions.length > 0);
  }

  private start(): void {
    this.isRunning = true;
    this.positions = null;
    void this.run().catch((err: unknown) => this.ctx.logger.warn({ err }, 'map feed stopped')).finally(() => (this.isRunning = false));
  }

  private async run(): Promise<void> {
    while (Date.now() - this.lastWantedMs < IDLE_STOP_MS) {
      this.positions ??= await this.startPositions();
      const fetched = await this.ctx.admin.fetch(this.positions, { maxWaitMs: FETCH_WAIT_MS, minBytes: 1, maxBytes: FETCH_BYTES_MAX, partitionMaxBytes: FETCH_BYTES_MAX >> 2 });
      for (const f of fetched) {
        const position = this.positions.find((p) => p.topic === f.topic && p.partition === f.partition);
        if (position === undefined) continue;
        for (const r of f.records) {
          if (r.offset < position.fetchOffset || r.value === null) continue;
          this.recordsSeen++;
          if (f.topic === LOCATION_TOPIC) this.addLocation(r.value);
          else this.addZoneStats(r.value);
        }
        position.fetchOffset = Math.max(position.fetchOffset, f.nextOffset);
      }
    }
  }

  private async startPositions(): Promise<FetchPosition[]> {
    const meta = await this.ctx.admin.metadata([LOCATION_TOPIC, ZONE_STATS_TOPIC]);
    const partitions = meta.topics.filter((t) => t.errorCode === 0).flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })));
    const [starts, ends] = await Promise.all([
      this.ctx.admin.listOffsets(partitions.map((p) => ({ ...p, spec: 'earliest' as const }))),
      this.ctx.admin.listOffsets(partitions.map((p) => ({ ...p, spec: 'latest' as const }))),
    ]);
    return partitions.map((p, i) => {
      const start = starts[i]!.offset;
      const from = p.topic === LOCATION_TOPIC ? Math.max(start, ends[i]!.offset - START_BACKLOG_RECORDS) : start;
      return { ...p, fetchOffset: from };
    });
  }

  private addLocation(value: Buffer): void {
    const u = parseJson(value) as Partial<LocationUpdate> | null;
    if (u === null || typeof u.partnerId !== 'string' || typeof u.lat !== 'number' || typeof u.lon !== 'number') return;
    const current = this.partners.get(u.partnerId);
    if (current !== undefined && (u.ts ?? 0) < current.ts) return;
    if (current === undefined && this.partners.size >= PARTNERS_MAX) return;
    this.partners.set(u.partnerId, { ...(u as LocationUpdate), seenMs: Date.now() });
  }

  private addZoneStats(value: Buffer): void {
    const s = parseJson(value) as (ZoneStats & { partition?: number }) | null;
    if (s === null || typeof s.zone !== 'string') return;
    const key = `${s.zone}/${s.partition ?? 0}`;
    const current = this.zoneStats.get(key);
    if (current === undefined || current.windowStartMs <= s.windowStartMs) this.zoneStats.set(key, s);
  }
}

function parseJson(value: Buffer): unknown {
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    return null;
  }
}

/** Each zone's latest window, partitions added up (speed weighted by events). */
export function zonesSummed(stats: Iterable<ZoneStats>): { zone: string; windowStartMs: number; activePartners: number; avgSpeedKmh: number; events: number }[] {
  const latestStart = new Map<string, number>();
  const all = [...stats];
  for (const s of all) latestStart.set(s.zone, Math.max(latestStart.get(s.zone) ?? 0, s.windowStartMs));
  const out = new Map<string, { zone: string; windowStartMs: number; activePartners: number; speedSum: number; events: number }>();
  for (const s of all) {
    if (s.windowStartMs !== latestStart.get(s.zone)) continue;
    const z = out.get(s.zone) ?? { zone: s.zone, windowStartMs: s.windowStartMs, activePartners: 0, speedSum: 0, events: 0 };
    z.activePartners += s.activePartners;
    z.speedSum += s.avgSpeedKmh * s.events;
    z.events += s.events;
    out.set(s.zone, z);
  }
  return [...out.values()].sort((a, b) => a.zone.localeCompare(b.zone)).map((z) => ({
    zone: z.zone,
    windowStartMs: z.windowStartMs,
    activePartners: z.activePartners,
    avgSpeedKmh: z.events === 0 ? 0 : z.speedSum / z.events,
    events: z.events,
  }));
}
