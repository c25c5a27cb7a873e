// `npm run bench -- gps`: the delivery-partner demo (docs/demo.md) under load. Runs `tideline demo
// gps` with 100,000 partners at rising total rates, each run on a fresh cluster, and stops at the
// first rate the machine does not sustain. A rate is sustained when, over the steady part of the
// run (after a warm-up), the producers deliver at least PRODUCED_SHARE_MIN of it, every group's
// lag stays below LAG_BOUND_SEC seconds of traffic, and the demo ends with nothing missing. For
// each run it reports events/s produced and consumed by the slowest group (end to end), the
// db-writer's database transactions/s, and the brokers' CPU (cores) and peak memory, read from
// /proc (and the CPU of all the demo's processes, for scale). The demo is a black box here: its once-a-second status lines (documented in
// docs/demo.md) give the rates and lags, and its brokers are found by their command line.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { collectOutput, procCpu, spawnTracked, stopTracked, totalCpuSec } from './children.js';
import { machineInfo, writeResults } from './report.js';

export const GPS_USAGE = `usage: npm run bench -- gps [options]

  --rates LIST         total update rates to try in order, stopping at the first not sustained
                       (default 10000,20000,30000,40000)
  --partners N         delivery partners (default 100000)
  --duration S         seconds of producing per rate (default 20)
  --nodes N            brokers of the demo's cluster (default 3)
  --database-url URL   PostgreSQL for the db-writer (default: SQLite)
  --keep               keep the demo data dirs and print where
`;

/** Status lines before this second are start-up (groups joining, JIT warm-up) and not judged. */
const WARMUP_SEC = 4;
/**
 * A group lagging more than this many seconds of traffic is not keeping up. The location and
 * analytics services autocommit every 500 ms and the db-writer commits after batches of up to
 * 5,000, so a group that keeps up still shows a second or two of lag at times.
 */
const LAG_BOUND_SEC = 5;
/** The producers must deliver this share of the asked rate. */
const PRODUCED_SHARE_MIN = 0.95;
const CATCH_UP_TIMEOUT_SEC = 30;
/** Start-up and the final catch-up on top of --duration; past this the run is stopped. */
const RUN_OVERHEAD_MS = 90_000;

export interface StatusLine {
  t: number;
  produced: number;
  groups: Map<string, { rate: number; lag: number }>;
  dbTx: number;
}

/** `t=5s produced=20040/s location=19841/s lag=6560 p=0-11 analytics=… db=… db_tx=98/s`, or null. */
export function parseStatusLine(line: string): StatusLine | null {
  const head = /^t=(\d+)s produced=(\d+)\/s /.exec(line);
  if (head === null) return null;
  const groups = new Map<string, { rate: number; lag: number }>();
  for (const m of line.matchAll(/ (location|analytics|db)=(\d+)\/s lag=(\d+)/g)) groups.set(m[1]!, { rate: Number(m[2]), lag: Number(m[3]) });
  const dbTx = /db_tx=(\d+)\/s/.exec(line);
  return { t: Number(head[1]), produced: Number(head[2]), groups, dbTx: dbTx === null ? 0 : Number(dbTx[1]) };
}

export interface RateVerdict {
  producedPerSec: number;
  /** The slowest group's average consumed/s: updates that made it all the way through. */
  endToEndPerSec: number;
  dbTxPerSec: number;
  /** Largest lag of any group over the steady window, in records. */
  lagMax: number;
  isSustained: boolean;
  reason: string;
}

/** Judges the steady window (t ≥ WARMUP_SEC, up to the duration) of one run's status lines. */
export function judgeRun(lines: readonly StatusLine[], rate: number, durationSec: number, exitCode: number | null): RateVerdict {
  const steady = lines.filter((l) => l.t >= WARMUP_SEC && l.t <= durationSec);
  const mean = (values: number[]): number => (values.length === 0 ? 0 : Math.round(values.reduce((a, b) => a + b, 0) / values.length));
  const producedPerSec = mean(steady.map((l) => l.produced));
  const groupNames = [...new Set(steady.flatMap((l) => [...l.groups.keys()]))];
  const endToEndPerSec = Math.min(...groupNames.map((g) => mean(steady.map((l) => l.groups.get(g)?.rate ?? 0))), producedPerSec);
  const lagMax = Math.max(0, ...steady.flatMap((l) => [...l.groups.values()].map((g) => g.lag)));
  const verdict = { producedPerSec, endToEndPerSec, dbTxPerSec: mean(steady.map((l) => l.dbTx)), lagMax };
  const reasons: string[] = [];
  if (steady.length === 0) reasons.push('no status lines in the steady window');
  if (producedPerSec < rate * PRODUCED_SHARE_MIN) reasons.push(`produced ${producedPerSec}/s of ${rate}/s`);
  if (lagMax > rate * LAG_BOUND_SEC) reasons.push(`lag reached ${lagMax} (> ${LAG_BOUND_SEC} s of traffic)`);
  if (exitCode !== 0) reasons.push(`the demo exited ${exitCode}`);
  return { ...verdict, isSustained: reasons.length === 0, reason: reasons.length === 0 ? 'kept up' : reasons.join('; ') };
}

interface ProcessUsage {
  pid: number;
  isBroker: boolean;
  /** CPU-seconds and time of the first and the latest sample in the steady window. */
  first: { atMs: number; cpuSec: number };
  last: { atMs: number; cpuSec: number };
  rssPeakMiB: number;
}

/**
 * The demo's processes, found by their command line mentioning `dataDir`: the brokers (`start`
 * with a log dir under it), and the demo itself, its producers and services (their config holds
 * the data dir).
 */
function demoProcesses(dataDir: string): { pid: number; isBroker: boolean }[] {
  const found: { pid: number; isBroker: boolean }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string[];
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    if (!cmdline.some((arg) => arg.includes(dataDir))) continue;
    found.push({ pid: Number(entry), isBroker: cmdline.includes('start') && cmdline.some((arg) => arg.startsWith('log.dirs=') && arg.includes(dataDir)) });
  }
  return found;
}

function rssMiB(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb === null ? 0 : Math.round(Number(kb[1]) / 1024);
  } catch {
    return 0;
  }
}

/** Samples every demo process's CPU time and RSS; called once a second during the steady window. */
function sampleProcesses(dataDir: string, usage: Map<number, ProcessUsage>): void {
  const atMs = Date.now();
  for (const { pid, isBroker } of demoProcesses(dataDir)) {
    const cpuSec = totalCpuSec(procCpu(pid));
    if (cpuSec === null) continue;
    const u = usage.get(pid) ?? { pid, isBroker, first: { atMs, cpuSec }, last: { atMs, cpuSec }, rssPeakMiB: 0 };
    u.last = { atMs, cpuSec };
    u.rssPeakMiB = Math.max(u.rssPeakMiB, rssMiB(pid));
    usage.set(pid, u);
  }
}

/** CPU-seconds per second over the sampled window, of the processes given. */
function coresOf(processes: readonly ProcessUsage[]): number {
  if (processes.length === 0) return 0;
  const windowSec = (Math.max(...processes.map((p) => p.last.atMs)) - Math.min(...processes.map((p) => p.first.atMs))) / 1000;
  const cpuSec = processes.reduce((sum, p) => sum + p.last.cpuSec - p.first.cpuSec, 0);
  return windowSec <= 0 ? 0 : Math.round((cpuSec / windowSec) * 100) / 100;
}

interface RunResult extends RateVerdict {
  rate: number;
  summary: string | null;
  brokers: { pid: number; cpuSec: number; rssPeakMiB: number }[];
  /** Brokers' CPU over the steady window, in cores (CPU-seconds per second), all brokers together. */
  brokerCores: number;
  /** The same for every demo process: brokers, producers, services and the demo itself. */
  demoCores: number;
  loadAvg1: number;
}

interface GpsOptions {
  rates: number[];
  partners: number;
  durationSec: number;
  nodes: number;
  databaseUrl: string | undefined;
  keep: boolean;
}

async function runOneRate(repoRoot: string, scratch: string, o: GpsOptions, rate: number, log: (s: string) => void): Promise<RunResult> {
  const dataDir = join(scratch, `rate-${rate}-run`);
  mkdirSync(dataDir, { recursive: true });
  const args = [join(repoRoot, 'bin', 'tideline.js'), 'demo', 'gps', '--partners', String(o.partners), '--rate', String(rate), '--duration', String(o.durationSec)];
  args.push('--nodes', String(o.nodes), '--catch-up-timeout', String(CATCH_UP_TIMEOUT_SEC), '--data-dir', dataDir);
  if (o.databaseUrl !== undefined) args.push('--database-url', o.databaseUrl);
  const lines: StatusLine[] = [];
  const usage = new Map<number, ProcessUsage>();
  let summary: string | null = null;
  const demo = spawnTracked(`demo@${rate}`, process.execPath, args, { cwd: repoRoot });
  collectOutput(demo.proc.stdout, (line) => {
    if (line.startsWith('demo summary ')) summary = line;
    const status = parseStatusLine(line);
    if (status === null) return;
    lines.push(status);
    if (status.t >= WARMUP_SEC && status.t <= o.durationSec) sampleProcesses(dataDir, usage);
    if (status.t >= WARMUP_SEC && status.t % 5 === 0 && status.t <= o.durationSec) log(`  ${rate}/s ${line}`);
  });
  const stderr = collectOutput(demo.proc.stderr);
  const timer = setTimeout(() => void stopTracked(demo, 5_000), o.durationSec * 1000 + RUN_OVERHEAD_MS);
  const exit = await demo.exited;
  clearTimeout(timer);
  if (exit.code !== 0) log(`  demo at ${rate}/s exited ${exit.code ?? exit.signal}: ${stderr().slice(-600)}`);
  const brokerUsage = [...usage.values()].filter((u) => u.isBroker);
  const brokers = brokerUsage.map((u) => ({ pid: u.pid, cpuSec: Math.round((u.last.cpuSec - u.first.cpuSec) * 10) / 10, rssPeakMiB: u.rssPeakMiB }));
  if (!o.keep) rmSync(dataDir, { recursive: true, force: true });
  return { rate, summary, brokers, brokerCores: coresOf(brokerUsage), demoCores: coresOf([...usage.values()]), loadAvg1: Math.round(loadavg()[0]! * 100) / 100, ...judgeRun(lines, rate, o.durationSec, exit.code) };
}

function parseGpsOptions(argv: string[]): GpsOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      rates: { type: 'string', default: '10000,20000,30000,40000' },
      partners: { type: 'string', default: '100000' },
      duration: { type: 'string', default: '20' },
      nodes: { type: 'string', default: '3' },
      'database-url': { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  const positive = (s: string, name: string): number => {
    const n = Number(s.replace(/[_,]/g, ''));
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} expects a positive integer, got "${s}"`);
    return n;
  };
  return {
    rates: values.rates.split(',').map((r) => positive(r, 'rates')),
    partners: positive(values.partners, 'partners'),
    durationSec: positive(values.duration, 'duration'),
    nodes: positive(values.nodes, 'nodes'),
    databaseUrl: values['database-url'],
    keep: values.keep,
  };
}

function table(results: readonly RunResult[]): string {
  const rows = [
    '| rate asked | produced/s | end to end/s | DB tx/s | max lag | broker CPU (cores) | all demo CPU (cores) | broker RSS peak (MiB) | load (1 min) | verdict |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    const rss = r.brokers.map((b) => b.rssPeakMiB).join(' / ') || '?';
    rows.push(`| ${r.rate} | ${r.producedPerSec} | ${r.endToEndPerSec} | ${r.dbTxPerSec} | ${r.lagMax} | ${r.brokerCores} | ${r.demoCores} | ${rss} | ${r.loadAvg1} | ${r.reason} |`);
  }
  return rows.join('\n');
}

/** The `gps` benchmark; returns the exit code (1 when not even the first rate was sustained). */
export async function runGpsBench(argv: string[], repoRoot: string): Promise<number> {
  const o = parseGpsOptions(argv);
  if (o === null) {
    process.stdout.write(GPS_USAGE);
    return 0;
  }
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  const startedAt = new Date();
  const loadBefore = loadavg().map((l) => Math.round(l * 100) / 100);
  const scratch = mkdtempSync(join(tmpdir(), 'tideline-bench-gps-'));
  if (!o.keep) process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
  const results: RunResult[] = [];
  for (const rate of o.rates) {
    log(`gps: ${o.partners} partners at ${rate}/s for ${o.durationSec} s on ${o.nodes} node(s)`);
    const result = await runOneRate(repoRoot, scratch, o, rate, log);
    results.push(result);
    log(`gps: ${rate}/s: ${result.reason}${result.summary === null ? '' : `; ${result.summary}`}`);
    if (!result.isSustained) break;
  }
  const loadAfter = loadavg().map((l) => Math.round(l * 100) / 100);
  const best = results.filter((r) => r.isSustained).at(-1);
  const machine = machineInfo(repoRoot, null);
  const resultPath = writeResults(repoRoot, startedAt, { startedAt: startedAt.toISOString(), scenario: 'gps', machine, options: o, load: { before: loadBefore, after: loadAfter }, results }, null);
  const out = [
    `## gps — ${machine.nproc} vCPU ${machine.cpuModel}, ${machine.memTotalGiB} GiB, Node ${machine.node}; ${o.partners} partners, ${o.nodes} node(s), ${o.durationSec} s per rate`,
    '',
    `Load average (1/5/15 min) before: ${loadBefore.join(' ')}; after: ${loadAfter.join(' ')}.`,
    '',
    table(results),
    '',
    best === undefined
      ? 'No rate was sustained.'
      : `Highest rate sustained: ${best.rate}/s (end to end ${best.endToEndPerSec}/s, ${best.dbTxPerSec} DB transactions/s, brokers ${best.brokerCores} cores).`,
    `results: ${resultPath}`,
  ];
  if (o.keep) out.push(`demo data dirs kept under ${scratch}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return best === undefined ? 1 : 0;
}
