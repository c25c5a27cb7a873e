// The analytics state of one member: zone windows kept per partition of the location topic.
// A partner's updates all live on one partition, so figures from different partitions add up
// exactly (events and distinct partners sum, speeds average weighted by events), whichever member
// processed which partition. That is what lets analytics run as several members of one group:
// each publishes its partitions' figures under the key `zone/partition`, and a reader adds the
// partitions of a zone together (mergeZoneStats).

import type { LocationUpdate } from './types.js';
import { ZoneWindows, type ZoneStats } from './zone-windows.js';

/** One zone's figures in one window, from one partition of the location topic. */
export interface PartitionZoneStats extends ZoneStats {
  partition: number;
}

export class PartitionZoneWindows {
  private readonly byPartition = new Map<number, ZoneWindows>();

  constructor(
    readonly windowMs: number,
    readonly graceMs: number,
  ) {}

  add(partition: number, update: LocationUpdate): void {
    let windows = this.byPartition.get(partition);
    if (windows === undefined) this.byPartition.set(partition, (windows = new ZoneWindows(this.windowMs, this.graceMs)));
    windows.add(update);
  }

  /** What each partition's windows have ready (ZoneWindows.takeReady). */
  takeReady(): PartitionZoneStats[] {
    return this.take((w) => w.takeReady());
  }

  /** Everything not yet emitted in its current state (at shutdown). */
  takeAll(): PartitionZoneStats[] {
    return this.take((w) => w.takeAll());
  }

  /** Window start → events counted, over all partitions. */
  eventsPerWindow(): Map<number, number> {
    const out = new Map<number, number>();
    for (const windows of this.byPartition.values()) {
      for (const [start, events] of windows.eventsPerWindow()) out.set(start, (out.get(start) ?? 0) + events);
    }
    return new Map([...out].sort((a, b) => a[0] - b[0]));
  }

  private take(from: (w: ZoneWindows) => ZoneStats[]): PartitionZoneStats[] {
    return [...this.byPartition].flatMap(([partition, windows]) => from(windows).map((s) => ({ ...s, partition })));
  }
}

/** The record key on delivery-zone-stats: compaction keeps the latest figures per zone and partition. */
export function zoneStatsKey(stats: PartitionZoneStats): string {
  return `${stats.zone}/${stats.partition}`;
}

/** Adds up one zone's figures of the same window from different partitions. */
export function mergeZoneStats(parts: readonly ZoneStats[]): ZoneStats {
  const first = parts[0];
  if (first === undefined) throw new RangeError('nothing to merge');
  const events = parts.reduce((sum, s) => sum + s.events, 0);
  const speedSum = parts.reduce((sum, s) => sum + s.avgSpeedKmh * s.events, 0);
  return {
    zone: first.zone,
    windowStartMs: first.windowStartMs,
    windowEndMs: first.windowEndMs,
    activePartners: parts.reduce((sum, s) => sum + s.activePartners, 0),
    avgSpeedKmh: events === 0 ? 0 : Math.round((speedSum / events) * 10) / 10,
    events,
  };
}

/** Each zone's latest window, adding up the partitions that reported it. */
export function latestPerZone(stats: Iterable<ZoneStats>): ZoneStats[] {
  const byZone = new Map<string, ZoneStats[]>();
  for (const s of stats) {
    const list = byZone.get(s.zone);
    if (list === undefined || list[0]!.windowStartMs < s.windowStartMs) byZone.set(s.zone, [s]);
    else if (list[0]!.windowStartMs === s.windowStartMs) list.push(s);
  }
  return [...byZone.values()].map(mergeZoneStats).sort((a, b) => (a.zone < b.zone ? -1 : 1));
}
