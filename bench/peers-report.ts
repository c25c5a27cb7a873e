// The peers benchmark's rows and tables: every system's produce and consume figures (median of
// the runs, interleaved in one bench run), and Tideline's ratio to each peer for the same
// workload. Pure.

import { median } from './stats.js';

export type PeerRowId = 'tideline-produce' | 'tideline-fsync-produce' | 'tideline-consume' | 'tideline-node-produce' | 'redis-produce' | 'redis-consume' | 'nats-produce' | 'nats-consume';

export interface PeerRun {
  recordsPerSec: number;
  mbPerSec: number;
  clientCpuSec: number | null;
  serverCpuSec: number | null;
  /** 1-minute load average when the run started. */
  load1: number;
}

export interface PeerRow {
  id: PeerRowId;
  system: string;
  phase: 'produce' | 'consume';
  client: string;
  durability: string;
  records: number;
  runs: PeerRun[];
  error?: string;
}

/** Tideline's figure over a peer's, by name: which rows to divide and what the pair compares. */
export interface RatioPair {
  label: string;
  tideline: PeerRowId;
  peer: PeerRowId;
}

export const RATIO_PAIRS: readonly RatioPair[] = [
  { label: 'produce vs Redis Streams (both C load tools)', tideline: 'tideline-produce', peer: 'redis-produce' },
  { label: 'produce, fsync ≤ 1 s on both (flush.ms=1000 vs appendfsync everysec)', tideline: 'tideline-fsync-produce', peer: 'redis-produce' },
  { label: 'consume vs Redis Streams (C client vs Node XRANGE loop)', tideline: 'tideline-consume', peer: 'redis-consume' },
  { label: 'produce vs NATS JetStream (librdkafka vs nats.js)', tideline: 'tideline-produce', peer: 'nats-produce' },
  { label: 'produce vs NATS JetStream (both Node clients: kafkajs vs nats.js)', tideline: 'tideline-node-produce', peer: 'nats-produce' },
  { label: 'consume vs NATS JetStream (librdkafka vs nats.js)', tideline: 'tideline-consume', peer: 'nats-consume' },
];

export const medianRate = (row: PeerRow | undefined): number | null => (row && row.runs.length > 0 && !row.error ? median(row.runs.map((r) => r.recordsPerSec)) : null);

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const fixed = (n: number | null, digits = 2): string => (n === null || !Number.isFinite(n) ? '–' : n.toFixed(digits));
const medianOf = (runs: PeerRun[], f: (r: PeerRun) => number | null): number | null => {
  const values = runs.map(f);
  return values.every((v): v is number => v !== null) && values.length > 0 ? median(values) : null;
};

export function peersTable(rows: readonly PeerRow[]): string {
  const lines = [
    '| system | phase | client | durability at ack | records | records/s (median) | MB/s | runs (records/s) | client CPU s | server CPU s | load (1 min) at each run |',
    '|---|---|---|---|---:|---:|---:|---|---:|---:|---|',
  ];
  for (const r of rows) {
    const rate = medianRate(r);
    if (rate === null) {
      lines.push(`| ${r.system} | ${r.phase} | ${r.client} | ${r.durability} | ${int(r.records)} | failed | | ${r.error?.split('\n')[0] ?? 'no runs'} | | | |`);
      continue;
    }
    lines.push(
      `| ${r.system} | ${r.phase} | ${r.client} | ${r.durability} | ${int(r.records)} | ${int(rate)} | ${fixed(medianOf(r.runs, (x) => x.mbPerSec), 1)} | ${r.runs.map((x) => int(x.recordsPerSec)).join(', ')} | ${fixed(medianOf(r.runs, (x) => x.clientCpuSec))} | ${fixed(medianOf(r.runs, (x) => x.serverCpuSec))} | ${r.runs.map((x) => x.load1.toFixed(1)).join(', ')} |`,
    );
  }
  return lines.join('\n');
}

export function ratioTable(rows: readonly PeerRow[], pairs: readonly RatioPair[] = RATIO_PAIRS): string {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const lines = ['| Tideline … | Tideline records/s | peer records/s | ratio |', '|---|---:|---:|---:|'];
  for (const p of pairs) {
    const t = medianRate(byId.get(p.tideline));
    const q = medianRate(byId.get(p.peer));
    const ratio = t !== null && q !== null && q > 0 ? `**${(t / q).toFixed(2)}×**` : '–';
    lines.push(`| ${p.label} | ${t === null ? '–' : int(t)} | ${q === null ? '–' : int(q)} | ${ratio} |`);
  }
  return lines.join('\n');
}
