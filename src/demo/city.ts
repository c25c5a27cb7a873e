// The synthetic city: a latitude/longitude box cut into a street grid (intersections every
// BLOCK_DEG) and into square zones for analytics. Everything here is pure geometry; partners and
// their routes live in simulator.ts.

export interface CityBox {
  latMin: number;
  latMax: number;
  lonMin: number;
  lonMax: number;
}

/** About 22 km × 20 km around a made-up centre; routes stay inside it. */
export const CITY: CityBox = { latMin: 52.4, latMax: 52.6, lonMin: 13.25, lonMax: 13.55 };

/** Street spacing in degrees (about 200 m of latitude). */
export const BLOCK_DEG = 0.002;
export const ZONE_ROWS = 8;
export const ZONE_COLS = 8;

export const STREET_ROWS = Math.round((CITY.latMax - CITY.latMin) / BLOCK_DEG);
export const STREET_COLS = Math.round((CITY.lonMax - CITY.lonMin) / BLOCK_DEG);

const EARTH_RADIUS_KM = 6371;

export interface Intersection {
  row: number;
  col: number;
}

export function latOfRow(row: number): number {
  return CITY.latMin + row * BLOCK_DEG;
}

export function lonOfCol(col: number): number {
  return CITY.lonMin + col * BLOCK_DEG;
}

/** Zone id such as `z3-5` (row-col), clamped to the box so a point on the edge has a zone. */
export function zoneOf(lat: number, lon: number): string {
  const row = clamp(Math.floor(((lat - CITY.latMin) / (CITY.latMax - CITY.latMin)) * ZONE_ROWS), 0, ZONE_ROWS - 1);
  const col = clamp(Math.floor(((lon - CITY.lonMin) / (CITY.lonMax - CITY.lonMin)) * ZONE_COLS), 0, ZONE_COLS - 1);
  return `z${row}-${col}`;
}

/** Great-circle distance (haversine). */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Length of one block in km along a street of each direction, at the city's latitude. */
export const BLOCK_KM_NORTH_SOUTH = distanceKm(CITY.latMin, CITY.lonMin, CITY.latMin + BLOCK_DEG, CITY.lonMin);
export const BLOCK_KM_EAST_WEST = distanceKm(CITY.latMin, CITY.lonMin, CITY.latMin, CITY.lonMin + BLOCK_DEG);

export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}
