// Presentation of a bench run: the machine it ran on, markdown tables for the terminal and
// docs/performance.md, and the JSON file under bench/results/ (gitignored).

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { totalCpuSec } from './children.js';
import type { LatencyRow } from './latency.js';
import type { ProfileSummary } from './profile.js';
import type { ThroughputRow } from './throughput.js';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memTotalGiB: number;
  node: string;
  kernel: string;
  librdkafka: string | null;
  gitCommit: string | null;
}

export function machineInfo(repoRoot: string, librdkafka: string | null): MachineInfo {
  let gitCommit: string | null = null;
  try {
    gitCommit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    gitCommit = null; // Not a git checkout (e.g. an unpacked tarball): the figure is still valid.
  }
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memTotalGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: release(),
    librdkafka,
    gitCommit,
  };
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const fixed = (n: number | null | undefined, digits = 2): string => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits));

export function throughputTable(rows: readonly ThroughputRow[]): string {
  const lines = [
    '| phase | client | records | records/s (median) | MB/s | runs (records/s) | client CPU s | broker CPU s | broker CPU / wall | stored MB |',
    '|---|---|---:|---:|---:|---|---:|---:|---:|---:|',
  ];
  const notes: string[] = [];
  for (const r of rows) {
    const mark = r.note ? ` [${notes.push(`${r.label}: ${r.note}`)}]` : '';
    if (!r.median) {
      lines.push(`| ${r.label}${mark} | ${r.client} | ${int(r.records)} | failed | | ${r.error?.split('\n')[0] ?? ''} | | | | |`);
      continue;
    }
    const runs = r.runs.map((m) => int(m.run.recordsPerSec)).join(', ');
    // Broker CPU over the client's measured interval: 100% is one core busy all the time.
    const elapsedSec = r.runs.map((m) => m.run.elapsedMs / 1000);
    const util = r.runs.map((m, i) => (totalCpuSec(m.brokerCpu) ?? Number.NaN) / elapsedSec[i]!);
    const utilMedian = [...util].sort((a, b) => a - b)[util.length >> 1]!;
    const failed = r.error ? ' (then failed)' : '';
    lines.push(
      `| ${r.label}${mark} | ${r.client} | ${int(r.records)} | ${int(r.median.recordsPerSec)}${failed} | ${fixed(r.median.mbPerSec, 1)} | ${runs} | ${fixed(r.median.clientCpuSec)} | ${fixed(r.median.brokerCpuSec)} | ${Number.isFinite(utilMedian) ? `${Math.round(utilMedian * 100)}%` : '–'} | ${r.median.storedMb === null ? '' : fixed(r.median.storedMb, 1)} |`,
    );
  }
  if (notes.length > 0) lines.push('', ...notes.map((n, i) => `[${i + 1}] ${n}`));
  return lines.join('\n');
}

export function latencyTable(rows: readonly LatencyRow[]): string {
  const lines = [
    '| target records/s | achieved records/s | acks | linger.ms | ack p50 ms | ack p99 ms | ack p99.9 ms | ack max ms | end-to-end p50 ms | end-to-end p99 ms | end-to-end p99.9 ms | end-to-end max ms | samples | client CPU s | broker CPU s |',
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    if (!r.latencyMs || !r.run) {
      lines.push(`| ${int(r.targetRate)} | failed | all | ${r.lingerMs} | | | | | | | | | | | ${r.error?.split('\n')[0] ?? ''} |`);
      continue;
    }
    const [l, e] = [r.latencyMs, r.endToEndMs];
    const endToEnd = e ? `${fixed(e.p50)} | ${fixed(e.p99)} | ${fixed(e.p999)} | ${fixed(e.max)}` : '– | – | – | –';
    lines.push(
      `| ${int(r.targetRate)} | ${int(r.achievedRate)} | all | ${r.lingerMs} | ${fixed(l.p50)} | ${fixed(l.p99)} | ${fixed(l.p999)} | ${fixed(l.max)} | ${endToEnd} | ${int(l.samples)} | ${fixed(totalCpuSec(r.run.clientCpu))} | ${fixed(totalCpuSec(r.brokerCpu))} |`,
    );
  }
  return lines.join('\n');
}

export function profileTable(p: ProfileSummary): string {
  const busyPct = (100 * (p.totalUs - p.idleUs)) / Math.max(1, p.totalUs);
  const lines = [
    `Sampled ${fixed(p.totalUs / 1e6, 1)} s of the broker's main thread, ${fixed(busyPct, 1)}% not idle. Top ${p.top.length} functions by self time:`,
    '',
    '| # | function (file:line) | self ms | % of busy | mostly called from (share) |',
    '|---:|---|---:|---:|---|',
    ...p.top.map(
      (f, i) =>
        `| ${i + 1} | \`${f.label}\` | ${int(f.selfUs / 1000)} | ${fixed(f.busyPct, 1)} | ${f.via ? `\`${f.via.caller}\` (${Math.round(f.via.pctOfSelf)}%)` : ''} |`,
    ),
    '',
    'Self time by script (top 10):',
    '',
    '| script | self ms | % of busy |',
    '|---|---:|---:|',
    ...p.byScript.slice(0, 10).map((s) => `| \`${s.script}\` | ${int(s.selfUs / 1000)} | ${fixed(s.busyPct, 1)} |`),
  ];
  return lines.join('\n');
}

/** Writes bench/results/<timestamp>.json (and the raw .cpuprofile beside it); returns the JSON path. */
export function writeResults(repoRoot: string, startedAt: Date, result: unknown, cpuProfilePath: string | null): string {
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  if (cpuProfilePath) copyFileSync(cpuProfilePath, join(dir, `${stamp}.cpuprofile`));
  return path;
}
