// The delivery partners. Each partner drives along the street grid of city.ts (east-west first,
// then north-south, as a courier on a Manhattan grid would) towards a target intersection, then
// waits a few updates idle and picks the next target, cycling idle → to_pickup → to_dropoff.
//
// Updates are handed out round-robin, so with N partners and a total rate R each partner reports
// every N / R seconds. Movement advances by that nominal interval rather than by wall-clock time,
// which makes the sequence of positions depend only on the seed and the partner count; only `ts`
// (the wall-clock time the update is made) differs between runs.
//
// Several producer processes split the partners by id range (`producerRanges`), each simulating
// only its own; a partner thus stays in one process and its updates stay in order. A range's
// random sequence derives from the seed and the range's first partner, so one producer (the
// range starting at 0) replays exactly what the single-process simulator always did.

import {
  BLOCK_KM_EAST_WEST,
  BLOCK_KM_NORTH_SOUTH,
  STREET_COLS,
  STREET_ROWS,
  clamp,
  latOfRow,
  lonOfCol,
} from './city.js';
import { SeededRandom } from '../common/random.js';
import type { LocationUpdate, PartnerStatus } from './types.js';

export interface SimulatorOptions {
  /** All partners of the demo. */
  partners: number;
  /** Total updates per second across all partners; sets each partner's reporting interval. */
  ratePerSec: number;
  seed: number;
  /** The partners this simulator moves, [from, to) by index; all when absent. */
  range?: PartnerRange;
}

export interface PartnerRange {
  from: number;
  to: number;
}

/** `producers` contiguous ranges of partner indexes, sizes differing by one at most. */
export function producerRanges(partners: number, producers: number): PartnerRange[] {
  return Array.from({ length: producers }, (_, i) => ({ from: Math.floor((i * partners) / producers), to: Math.floor(((i + 1) * partners) / producers) }));
}

interface Partner {
  id: string;
  /** Position in street units; at least one of them is always a whole number (on a street). */
  row: number;
  col: number;
  targetRow: number;
  targetCol: number;
  speedKmh: number;
  heading: number;
  status: PartnerStatus;
  idleUpdatesLeft: number;
}

/** Routes stay within this many blocks of the start, so trips are a few kilometres. */
const TRIP_BLOCKS_MAX = 15;
const IDLE_UPDATES_MAX = 3;

export function partnerIdOf(index: number): string {
  return `p${String(index).padStart(6, '0')}`;
}

export class Simulator {
  private readonly random: SeededRandom;
  private readonly partners: Partner[] = [];
  private readonly intervalSec: number;
  private cursor = 0;

  constructor(options: SimulatorOptions) {
    const { from, to } = options.range ?? { from: 0, to: options.partners };
    this.random = new SeededRandom(options.seed + Math.imul(from, 0x9e3779b1));
    this.intervalSec = options.partners / options.ratePerSec;
    for (let i = from; i < to; i++) this.partners.push(this.newPartner(i));
  }

  get partnerCount(): number {
    return this.partners.length;
  }

  /** The next partner's update, moved by one reporting interval. */
  next(ts: number): LocationUpdate {
    const partner = this.partners[this.cursor]!;
    this.cursor = (this.cursor + 1) % this.partners.length;
    this.advance(partner);
    return {
      partnerId: partner.id,
      lat: round6(latOfRow(partner.row)),
      lon: round6(lonOfCol(partner.col)),
      speedKmh: Math.round(partner.speedKmh * 10) / 10,
      heading: partner.heading,
      status: partner.status,
      ts,
    };
  }

  private newPartner(index: number): Partner {
    const row = this.random.int(0, STREET_ROWS);
    const col = this.random.int(0, STREET_COLS);
    const partner: Partner = {
      id: partnerIdOf(index),
      row,
      col,
      targetRow: row,
      targetCol: col,
      speedKmh: 0,
      heading: 0,
      status: 'idle',
      idleUpdatesLeft: this.random.int(0, IDLE_UPDATES_MAX),
    };
    return partner;
  }

  private advance(p: Partner): void {
    if (p.status === 'idle') {
      if (p.idleUpdatesLeft > 0) {
        p.idleUpdatesLeft--;
        return;
      }
      p.status = 'to_pickup';
      this.pickTarget(p);
    }
    let remainingKm = (p.speedKmh * this.intervalSec) / 3600;
    // East-west leg first, then north-south; a leg ends exactly on the target's street.
    while (remainingKm > 0 && (p.col !== p.targetCol || p.row !== p.targetRow)) {
      const isEastWest = p.col !== p.targetCol;
      const blockKm = isEastWest ? BLOCK_KM_EAST_WEST : BLOCK_KM_NORTH_SOUTH;
      const gap = isEastWest ? p.targetCol - p.col : p.targetRow - p.row;
      const step = Math.min(Math.abs(gap), remainingKm / blockKm);
      remainingKm -= step * blockKm;
      if (isEastWest) {
        p.col = step === Math.abs(gap) ? p.targetCol : p.col + Math.sign(gap) * step;
        p.heading = gap > 0 ? 90 : 270;
      } else {
        p.row = step === Math.abs(gap) ? p.targetRow : p.row + Math.sign(gap) * step;
        p.heading = gap > 0 ? 0 : 180;
      }
    }
    if (p.col === p.targetCol && p.row === p.targetRow) this.arrive(p);
    else p.speedKmh = clamp(p.speedKmh + (this.random.next() - 0.5) * 8, 8, 45);
  }

  private arrive(p: Partner): void {
    if (p.status === 'to_pickup') {
      p.status = 'to_dropoff';
      this.pickTarget(p);
      return;
    }
    p.status = 'idle';
    p.speedKmh = 0;
    p.idleUpdatesLeft = this.random.int(1, IDLE_UPDATES_MAX);
  }

  private pickTarget(p: Partner): void {
    const row = Math.round(p.row);
    const col = Math.round(p.col);
    p.targetRow = clamp(row + this.random.int(-TRIP_BLOCKS_MAX, TRIP_BLOCKS_MAX), 0, STREET_ROWS);
    p.targetCol = clamp(col + this.random.int(-TRIP_BLOCKS_MAX, TRIP_BLOCKS_MAX), 0, STREET_COLS);
    // Snap to the street the partner stands on so legs start on the grid.
    if (!Number.isInteger(p.row)) p.row = row;
    if (!Number.isInteger(p.col)) p.col = col;
    p.speedKmh = 15 + this.random.next() * 20;
  }
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
