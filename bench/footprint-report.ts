// The footprint benchmark's result and its markdown tables. Pure.

export interface FootprintResult {
  startToReadyMs: { runs: number[]; median: number };
  /** Lowest in the first 3 s after ready. */
  idleRssSoonMiB: number;
  /** Lowest 7–10 s after ready. */
  idleRssMiB: number;
  load: { records: number; peakRssMiB: number; medianRssMiB: number; recordsPerSec: number };
  /** One row per step of retained data, measured a few seconds after the produce run. */
  retained: { retainedMB: number; rssMiB: number; peakRssMiB: number }[];
  partitions: { partitions: number; state: string; rssMiB: number }[];
}

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '–');
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

export function footprintTables(r: FootprintResult): string[] {
  const summary = [
    '| measurement | value | target |',
    '|---|---:|---|',
    `| start to ready (median of ${r.startToReadyMs.runs.length}; runs ${r.startToReadyMs.runs.map(int).join(', ')} ms) | ${int(r.startToReadyMs.median)} ms | < 1,000 ms${r.startToReadyMs.median < 1000 ? ' (met)' : ' (NOT met)'} |`,
    `| idle RSS, 0–3 s after ready (lowest sample) | ${f1(r.idleRssSoonMiB)} MiB | |`,
    `| idle RSS, 7–10 s after ready (lowest sample) | ${f1(r.idleRssMiB)} MiB | < 80 MB${r.idleRssMiB * 1.048576 < 80 ? ' (met)' : ' (NOT met)'} |`,
    `| RSS during a ${int(r.load.records)}-record produce (${int(r.load.recordsPerSec)} records/s): peak / median | ${f1(r.load.peakRssMiB)} / ${f1(r.load.medianRssMiB)} MiB | |`,
  ].join('\n');
  const retained = [
    '| data retained (segment MB) | RSS MiB (lowest in the 3 s after the run) | peak RSS so far MiB |',
    '|---:|---:|---:|',
    ...r.retained.map((x) => `| ${int(x.retainedMB)} | ${f1(x.rssMiB)} | ${f1(x.peakRssMiB)} |`),
    '',
    `RSS over these steps: ${f1(Math.min(...r.retained.map((x) => x.rssMiB)))}–${f1(Math.max(...r.retained.map((x) => x.rssMiB)))} MiB; least-squares slope ${f1(rssGrowthPerGB(r.retained))} MiB per GB retained.`,
  ].join('\n');
  const partitions = [
    '| partitions | state | RSS MiB (lowest of 3 s) |',
    '|---:|---|---:|',
    ...r.partitions.map((x) => `| ${int(x.partitions)} | ${x.state} | ${f1(x.rssMiB)} |`),
  ].join('\n');
  return [summary, retained, partitions];
}

/**
 * Least-squares slope of RSS against data retained, in MiB per GB, over every step: garbage
 * collection moves a single reading by tens of MiB, so two endpoints alone say little. NaN with
 * fewer than two distinct steps.
 */
export function rssGrowthPerGB(rows: FootprintResult['retained']): number {
  const n = rows.length;
  if (n < 2) return Number.NaN;
  const meanX = rows.reduce((s, r) => s + r.retainedMB / 1000, 0) / n;
  const meanY = rows.reduce((s, r) => s + r.rssMiB, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const r of rows) {
    const dx = r.retainedMB / 1000 - meanX;
    sxy += dx * (r.rssMiB - meanY);
    sxx += dx * dx;
  }
  return sxx === 0 ? Number.NaN : sxy / sxx;
}
