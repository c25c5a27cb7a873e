// The location service's live feed for a map (`GET /live`), without sockets or timers: the
// service records every update it applies, and every few hundred milliseconds `flush` hands each
// subscriber the partners that reported since its last event, one update per partner (the
// latest), optionally only those inside the subscriber's bounding box. A subscriber whose socket
// is backed up is skipped; its pending updates keep merging (newer replaces older per partner),
// so what it holds is bounded by the partners in its box, and it catches up with the latest
// positions once the socket drains instead of replaying every intermediate one.

import type { LocationUpdate } from './types.js';

/** West, south, east, north in degrees, as GeoJSON orders a bbox. */
export interface Bbox {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

/** `minLon,minLat,maxLon,maxLat`; null when absent, an error message when malformed. */
export function parseBbox(value: string | null): Bbox | null | string {
  if (value === null) return null;
  const parts = value.split(',').map((s) => (s.trim() === '' ? Number.NaN : Number(s)));
  if (parts.length !== 4 || !parts.every(Number.isFinite)) return 'bbox must be minLon,minLat,maxLon,maxLat';
  const [minLon, minLat, maxLon, maxLat] = parts as [number, number, number, number];
  if (minLon > maxLon || minLat > maxLat) return 'bbox must have minLon <= maxLon and minLat <= maxLat';
  return { minLon, minLat, maxLon, maxLat };
}

export function isInBbox(update: LocationUpdate, bbox: Bbox | null): boolean {
  return bbox === null || (update.lon >= bbox.minLon && update.lon <= bbox.maxLon && update.lat >= bbox.minLat && update.lat <= bbox.maxLat);
}

export class LiveSubscriber {
  /** Partner id → latest update not yet sent. */
  readonly pending = new Map<string, LocationUpdate>();
  /** Set by the shell while the socket is backed up. */
  isBlocked = false;

  constructor(readonly bbox: Bbox | null) {}

  /** The pending updates, by partner id, and nothing pending afterwards. */
  take(): LocationUpdate[] {
    const updates = [...this.pending.values()].sort((a, b) => (a.partnerId < b.partnerId ? -1 : 1));
    this.pending.clear();
    return updates;
  }
}

export class LiveFeed {
  private readonly changed = new Map<string, LocationUpdate>();
  private readonly subscribers = new Set<LiveSubscriber>();

  constructor(readonly subscribersMax: number) {}

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** An update the service applied; ignored while nobody listens. */
  record(update: LocationUpdate): void {
    if (this.subscribers.size > 0) this.changed.set(update.partnerId, update);
  }

  /** A new subscriber, or undefined when subscribersMax are connected. */
  subscribe(bbox: Bbox | null): LiveSubscriber | undefined {
    if (this.subscribers.size >= this.subscribersMax) return undefined;
    const subscriber = new LiveSubscriber(bbox);
    this.subscribers.add(subscriber);
    return subscriber;
  }

  unsubscribe(subscriber: LiveSubscriber): void {
    this.subscribers.delete(subscriber);
  }

  /** Hands out what changed since the last flush; returns the subscribers to write to now, with their updates. */
  flush(): { subscriber: LiveSubscriber; updates: LocationUpdate[] }[] {
    for (const update of this.changed.values()) {
      for (const s of this.subscribers) if (isInBbox(update, s.bbox)) s.pending.set(update.partnerId, update);
    }
    this.changed.clear();
    const out: { subscriber: LiveSubscriber; updates: LocationUpdate[] }[] = [];
    for (const s of this.subscribers) if (!s.isBlocked && s.pending.size > 0) out.push({ subscriber: s, updates: s.take() });
    return out;
  }
}
