// A uniform grid over latitude/longitude for "who is near this point": each partner sits in one
// cell; a radius query scans only the cells its bounding box touches and then filters by
// great-circle distance. Cells of 0.01° are about 1.1 km × 0.7 km in the demo city, so a query of
// a few kilometres touches tens of cells, not the whole fleet.

import { distanceKm } from './city.js';
import type { LocationUpdate } from './types.js';

const CELL_DEG = 0.01;
const KM_PER_DEG_LAT = 111.32;

function cellKey(latCell: number, lonCell: number): string {
  return `${latCell}:${lonCell}`;
}

export interface NearbyPartner {
  update: LocationUpdate;
  distanceKm: number;
}

export class SpatialIndex {
  private readonly latest = new Map<string, LocationUpdate>();
  private readonly cellOf = new Map<string, string>();
  private readonly cells = new Map<string, Set<string>>();

  get size(): number {
    return this.latest.size;
  }

  get(partnerId: string): LocationUpdate | undefined {
    return this.latest.get(partnerId);
  }

  /**
   * Keeps the newer of the stored and the given update (a replay never moves a partner back);
   * false when the given one is older and was dropped.
   */
  upsert(update: LocationUpdate): boolean {
    const previous = this.latest.get(update.partnerId);
    if (previous !== undefined && previous.ts > update.ts) return false;
    this.latest.set(update.partnerId, update);
    const key = cellKey(Math.floor(update.lat / CELL_DEG), Math.floor(update.lon / CELL_DEG));
    const oldKey = this.cellOf.get(update.partnerId);
    if (oldKey === key) return true;
    if (oldKey !== undefined) this.cells.get(oldKey)?.delete(update.partnerId);
    let cell = this.cells.get(key);
    if (cell === undefined) this.cells.set(key, (cell = new Set()));
    cell.add(update.partnerId);
    this.cellOf.set(update.partnerId, key);
    return true;
  }

  /** Partners within `radiusKm`, nearest first, at most `limit`. */
  nearby(lat: number, lon: number, radiusKm: number, limit: number): NearbyPartner[] {
    const dLat = radiusKm / KM_PER_DEG_LAT;
    const dLon = radiusKm / (KM_PER_DEG_LAT * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
    const found: NearbyPartner[] = [];
    for (let la = Math.floor((lat - dLat) / CELL_DEG); la <= Math.floor((lat + dLat) / CELL_DEG); la++) {
      for (let lo = Math.floor((lon - dLon) / CELL_DEG); lo <= Math.floor((lon + dLon) / CELL_DEG); lo++) {
        for (const partnerId of this.cells.get(cellKey(la, lo)) ?? []) {
          const update = this.latest.get(partnerId)!;
          const d = distanceKm(lat, lon, update.lat, update.lon);
          if (d <= radiusKm) found.push({ update, distanceKm: Math.round(d * 1000) / 1000 });
        }
      }
    }
    return found.sort((a, b) => a.distanceKm - b.distanceKm).slice(0, limit);
  }
}
