// Tumbling event-time windows per zone, pure. An update lands in the window its `ts` falls in and
// the zone its position falls in. A window is ready once the newest event time seen is a grace
// period past its end (partitions are read at different paces, so event time is only roughly
// ordered); an update that arrives for an already-emitted window marks it dirty and it is emitted
// again, so the compacted stats topic converges on the right numbers and counts are never lost.

import { zoneOf } from './city.js';
import { windowStartOf, type LocationUpdate } from './types.js';

export interface ZoneStats {
  zone: string;
  windowStartMs: number;
  windowEndMs: number;
  /** Distinct partners that reported from the zone during the window. */
  activePartners: number;
  avgSpeedKmh: number;
  events: number;
}

interface ZoneCell {
  events: number;
  speedSumKmh: number;
  /** Dropped (null) once the window is old, to bound memory; late events then count only. */
  partners: Set<string> | null;
  distinctPartners: number;
}

interface Window {
  startMs: number;
  zones: Map<string, ZoneCell>;
  events: number;
  isEmitted: boolean;
  isDirty: boolean;
}

/** Windows this far behind the newest event time forget their partner sets. */
const PARTNER_SETS_KEPT_WINDOWS = 3;

export class ZoneWindows {
  private readonly windows = new Map<number, Window>();
  private maxTs = 0;

  constructor(
    readonly windowMs: number,
    readonly graceMs: number,
  ) {}

  add(update: LocationUpdate): void {
    const startMs = windowStartOf(update.ts, this.windowMs);
    let window = this.windows.get(startMs);
    if (window === undefined) this.windows.set(startMs, (window = { startMs, zones: new Map(), events: 0, isEmitted: false, isDirty: false }));
    const zone = zoneOf(update.lat, update.lon);
    let cell = window.zones.get(zone);
    if (cell === undefined) window.zones.set(zone, (cell = { events: 0, speedSumKmh: 0, partners: new Set(), distinctPartners: 0 }));
    cell.events++;
    cell.speedSumKmh += update.speedKmh;
    if (cell.partners !== null && !cell.partners.has(update.partnerId)) {
      cell.partners.add(update.partnerId);
      cell.distinctPartners++;
    }
    window.events++;
    if (window.isEmitted) window.isDirty = true;
    if (update.ts > this.maxTs) this.maxTs = update.ts;
  }

  /** Stats of windows that just closed or changed after closing; marks them emitted. */
  takeReady(): ZoneStats[] {
    const out: ZoneStats[] = [];
    for (const window of this.sortedWindows()) {
      const isClosed = window.startMs + this.windowMs + this.graceMs <= this.maxTs;
      if (isClosed && (!window.isEmitted || window.isDirty)) out.push(...this.emit(window));
      if (window.startMs + (PARTNER_SETS_KEPT_WINDOWS + 1) * this.windowMs <= this.maxTs) {
        for (const cell of window.zones.values()) cell.partners = null;
      }
    }
    return out;
  }

  /** Stats of every window not emitted in its current state, open or not (at shutdown). */
  takeAll(): ZoneStats[] {
    return this.sortedWindows()
      .filter((w) => !w.isEmitted || w.isDirty)
      .flatMap((w) => this.emit(w));
  }

  /** Window start → events counted. */
  eventsPerWindow(): Map<number, number> {
    return new Map(this.sortedWindows().map((w) => [w.startMs, w.events]));
  }

  private sortedWindows(): Window[] {
    return [...this.windows.values()].sort((a, b) => a.startMs - b.startMs);
  }

  private emit(window: Window): ZoneStats[] {
    window.isEmitted = true;
    window.isDirty = false;
    return [...window.zones].map(([zone, cell]) => ({
      zone,
      windowStartMs: window.startMs,
      windowEndMs: window.startMs + this.windowMs,
      activePartners: cell.distinctPartners,
      avgSpeedKmh: Math.round((cell.speedSumKmh / cell.events) * 10) / 10,
      events: cell.events,
    }));
  }
}
