// The footprint benchmark's result and its markdown tables. Pure.

export interface FootprintResult {
  startToReadyMs: { runs: number[]; median: number };
  /** 3 s after ready. */
  idleRssSoonMiB: number;
  /** 10 s after ready. */
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
    `| idle RSS, 3 s after ready | ${f1(r.idleRssSoonMiB)} MiB | |`,
    `| idle RSS, 10 s after ready | ${f1(r.idleRssMiB)} MiB | < 80 MB${r.idleRssMiB * 1.048576 < 80 ? ' (met)' : ' (NOT met)'} |`,
    `| RSS during a ${int(r.load.records)}-record produce (${int(r.load.recordsPerSec)} records/s): peak / median | ${f1(r.load.peakRssMiB)} / ${f1(r.load.medianRssMiB)} MiB | |`,
  ].join('\n');
  const retained = [
    '| data retained (segment MB) | RSS MiB, 3 s after the run | peak RSS so far MiB |',
    '|---:|---:|---:|',
    ...r.retained.map((x) => `| ${int(x.retainedMB)} | ${f1(x.rssMiB)} | ${f1(x.peakRssMiB)} |`),
    '',
    `RSS change from the first to the last step: ${f1(rssGrowthPerGB(r.retained))} MiB per GB retained.`,
  ].join('\n');
  const partitions = [
    '| partitions | state | RSS MiB |',
    '|---:|---|---:|',
    ...r.partitions.map((x) => `| ${int(x.partitions)} | ${x.state} | ${f1(x.rssMiB)} |`),
  ].join('\n');
  return [summary, retained, partitions];
}

/** RSS growth per GB retained between the first and last step (MiB per GB); NaN with one step. */
export function rssGrowthPerGB(rows: FootprintResult['retained']): number {
  if (rows.length < 2) return Number.NaN;
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  return (last.rssMiB - first.rssMiB) / ((last.retainedMB - first.retainedMB) / 1000);
}
