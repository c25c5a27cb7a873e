// A short history of this node's traffic rates for the overview charts: one sample a second of
// the per-topic counters summed (broker/metrics.ts), turned into per-second rates. Pure: the
// console's timer calls sample().

import type { TrafficTotals } from '../broker/metrics.js';

export interface ThroughputSample {
  /** Seconds since the epoch (uPlot's x unit). */
  t: number;
  bytesInPerSec: number;
  messagesInPerSec: number;
  bytesOutPerSec: number;
  messagesOutPerSec: number;
}

export const THROUGHPUT_SAMPLES_MAX = 300;

export class ThroughputHistory {
  private readonly samples: ThroughputSample[] = [];
  private previous: { atMs: number; totals: TrafficTotals } | null = null;

  sample(nowMs: number, totals: TrafficTotals): void {
    const prev = this.previous;
    this.previous = { atMs: nowMs, totals };
    if (prev === null || nowMs <= prev.atMs) return;
    const seconds = (nowMs - prev.atMs) / 1000;
    const rate = (now: number, before: number): number => Math.max(0, (now - before) / seconds);
    this.samples.push({
      t: Math.round(nowMs / 1000),
      bytesInPerSec: rate(totals.bytesIn, prev.totals.bytesIn),
      messagesInPerSec: rate(totals.messagesIn, prev.totals.messagesIn),
      bytesOutPerSec: rate(totals.bytesOut, prev.totals.bytesOut),
      messagesOutPerSec: rate(totals.messagesOut, prev.totals.messagesOut),
    });
    if (this.samples.length > THROUGHPUT_SAMPLES_MAX) this.samples.shift();
  }

  all(): readonly ThroughputSample[] {
    return this.samples;
  }

  latest(): ThroughputSample | null {
    return this.samples.at(-1) ?? null;
  }
}
