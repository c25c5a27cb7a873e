// `npm run bench [-- NAME] [options]`: starts one Tideline broker, drives it with librdkafka's
// rdkafka_performance (kcat as fallback; kafkajs for the Node comparison), prints markdown
// tables and writes bench/results/<timestamp>.json. NAME is `throughput` (default),
// `latency` or `gps` (the delivery-partner demo under load, bench/gps.ts); `--profile` runs the broker under `node --cpu-prof` and prints where its time went.
// Every process started here is stopped before exit, on failure and Ctrl-C included.

import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBroker, type BrokerHandle } from './broker.js';
import { findRepoRoot } from './repo-root.js';
import { installCleanupHandlers, stopAll } from './children.js';
import { runLatency, type LatencyRow } from './latency.js';
import { STANDALONE_BENCHMARKS } from './standalone-benchmarks.js';
import { INSTALL_HINT, prepareLoadTool, type LoadTool } from './load-tool.js';
import { readCpuProfile, sourceMappedLocator, summarizeProfile, type ProfileSummary } from './profile.js';
import { latencyTable, machineInfo, profileTable, throughputTable, writeResults } from './report.js';
import { runThroughput, VARIANTS, type ThroughputRow } from './throughput.js';

const USAGE = `usage: npm run bench -- [throughput|latency|cluster|footprint|peers|gps] [options]

  throughput (default)  produce N records with acks=1, acks=all, flush.messages=1, lz4, zstd and kafkajs; consume them back
  latency               produce at fixed rates with acks=all; produce→ack and end-to-end (produce→consume) p50/p99/p99.9
  cluster, footprint, peers, gps   see \`npm run bench -- NAME --help\`

options:
  --records N          records per librdkafka run (default 2000000)
  --kafkajs-records N  records per kafkajs run (default 500000)
  --record-bytes N     record value size (default 100)
  --partitions N       partitions per topic, via num.partitions (default 4)
  --runs N             runs per throughput figure, median reported (default 3)
  --variants LIST      subset of ${VARIANTS.map((v) => v.id).join(',')}
  --linger-ms N[,N]    producer linger.ms (throughput default 5; latency measures each, default 0,1,5)
  --rates LIST         latency target rates in records/s (default 10000,50000,100000)
  --duration S         seconds per latency rate (default 10)
  --profile            run the broker under node --cpu-prof and print the top 15 self-time functions
  --client kcat        use kcat even if rdkafka_performance can be built
  --keep               keep the scratch dir (broker data, logs) and print its path
`;

const num = (s: string, name: string): number => {
  const n = Number(s.replace(/[_,]/g, ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} expects a positive number, got "${s}"`);
  return n;
};

function parseOptions(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      records: { type: 'string', default: '2000000' },
      'kafkajs-records': { type: 'string', default: '500000' },
      'record-bytes': { type: 'string', default: '100' },
      partitions: { type: 'string', default: '4' },
      runs: { type: 'string', default: '3' },
      variants: { type: 'string' },
      'linger-ms': { type: 'string' },
      rates: { type: 'string', default: '10000,50000,100000' },
      duration: { type: 'string', default: '10' },
      profile: { type: 'boolean', default: false },
      client: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const scenario = positionals[0] ?? 'throughput';
  if (values.help) return null;
  if (scenario !== 'throughput' && scenario !== 'latency') throw new Error(`unknown benchmark "${scenario}"\n${USAGE}`);
  const variantIds = values.variants?.split(',').map((s) => s.trim()) ?? VARIANTS.map((v) => v.id);
  const variants = variantIds.map((id) => {
    const v = VARIANTS.find((x) => x.id === id);
    if (!v) throw new Error(`unknown variant "${id}"; known: ${VARIANTS.map((x) => x.id).join(', ')}`);
    return v;
  });
  if (values.client !== undefined && values.client !== 'kcat' && values.client !== 'rdkafka') throw new Error('--client expects kcat or rdkafka');
  return {
    scenario,
    records: num(values.records, 'records'),
    kafkajsRecords: num(values['kafkajs-records'], 'kafkajs-records'),
    recordBytes: num(values['record-bytes'], 'record-bytes'),
    partitions: num(values.partitions, 'partitions'),
    runs: num(values.runs, 'runs'),
    variants,
    lingerMsList: (values['linger-ms'] ?? (scenario === 'latency' ? '0,1,5' : '5')).split(',').map((x) => {
      const n = Number(x);
      if (!Number.isInteger(n) || n < 0) throw new Error(`--linger-ms expects whole milliseconds, got "${x}"`);
      return n;
    }),
    rates: values.rates.split(',').map((r) => num(r, 'rates')),
    durationSec: num(values.duration, 'duration'),
    profile: values.profile,
    forceKcat: values.client === 'kcat',
    keep: values.keep,
  };
}

type Options = NonNullable<ReturnType<typeof parseOptions>>;

const round2 = (n: number): number => Math.round(n * 100) / 100;
const log = (s: string): void => void process.stderr.write(`${s}\n`);

async function runScenario(o: Options, tool: LoadTool, broker: BrokerHandle, repoRoot: string, scratchDir: string) {
  if (o.scenario === 'throughput') {
    const rows = await runThroughput(tool, broker, { ...o, lingerMs: o.lingerMsList[0]!, repoRoot, scratchDir }, log);
    return { throughput: rows, latency: undefined };
  }
  const rows = await runLatency(broker, { ...o, scratchDir }, log);
  return { throughput: undefined, latency: rows };
}

async function main(): Promise<number> {
  installCleanupHandlers();
  const standalone = STANDALONE_BENCHMARKS[process.argv[2] ?? ''];
  if (standalone) return standalone(process.argv.slice(3));
  const o = parseOptions(process.argv.slice(2));
  if (!o) {
    process.stdout.write(USAGE);
    return 0;
  }
  const repoRoot = findRepoRoot();
  const startedAt = new Date();
  // Other work on a 2-vCPU machine moves these figures a lot; the load averages say how quiet it was.
  const loadBefore = loadavg();
  const tool = prepareLoadTool(repoRoot, { forceKcat: o.forceKcat });
  if (tool.kind === 'kcat') {
    log(`NOTE: ${tool.fallbackReason}\nNOTE: falling back to kcat (${tool.path}); its rates include process start-up. ${INSTALL_HINT}`);
  } else {
    log(`client: ${tool.path} (librdkafka ${tool.librdkafkaVersion ?? 'unknown'})`);
  }
  const scratchDir = mkdtempSync(join(tmpdir(), 'tideline-bench-run-'));
  // Also on Ctrl-C and on failure: the broker's data is hundreds of megabytes.
  if (!o.keep) process.on('exit', () => rmSync(scratchDir, { recursive: true, force: true }));
  let broker: BrokerHandle | null = null;
  let profilePath: string | null = null;
  let outcome: { throughput?: ThroughputRow[] | undefined; latency?: LatencyRow[] | undefined };
  try {
    broker = await startBroker({ repoRoot, runDir: scratchDir, partitions: o.partitions, profile: o.profile });
    log(`broker pid ${broker.pid} on ${broker.bootstrap}${o.profile ? ' (under --cpu-prof)' : ''}; log: ${broker.logFile}`);
    outcome = await runScenario(o, tool, broker, repoRoot, scratchDir);
  } finally {
    if (broker) profilePath = await broker.stop();
    await stopAll();
  }
  let profile: ProfileSummary | null = null;
  if (o.profile) {
    if (profilePath) profile = summarizeProfile(readCpuProfile(profilePath), 15, sourceMappedLocator(repoRoot));
    else log('WARNING: the broker wrote no .cpuprofile (did it exit cleanly?)');
  }
  const machine = machineInfo(repoRoot, tool.librdkafkaVersion);
  const load = { before: loadBefore.map(round2), after: loadavg().map(round2) };
  const { variants, ...options } = o;
  const result = { startedAt: startedAt.toISOString(), machine, options: { ...options, variants: variants.map((v) => v.id) }, client: tool, load, ...outcome, profile };
  const resultPath = writeResults(repoRoot, startedAt, result, profilePath);

  const out: string[] = [];
  out.push(`## ${o.scenario} — ${machine.nproc} vCPU ${machine.cpuModel}, ${machine.memTotalGiB} GiB, Node ${machine.node}, librdkafka ${machine.librdkafka ?? '?'}, client ${o.scenario === 'latency' ? 'paced_producer' : tool.kind}`, '');
  if (tool.kind === 'kcat') out.push(`NOTE: kcat fallback (${tool.fallbackReason.split('\n')[0]}); its rates include process start-up. ${INSTALL_HINT}`, '');
  out.push(`Load average (1/5/15 min) before: ${load.before.join(' ')}; after: ${load.after.join(' ')}.`, '');
  if (outcome.throughput) out.push(throughputTable(outcome.throughput), '');
  if (outcome.latency) out.push(latencyTable(outcome.latency), '');
  if (profile) out.push('### Broker CPU profile', '', profileTable(profile), '');
  out.push(`results: ${resultPath}`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (o.keep) log(`scratch dir kept: ${scratchDir}`);

  const failed = [...(outcome.throughput ?? []), ...(outcome.latency ?? [])].some((r) => r.error !== undefined);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll(5000);
    process.exit(1);
  },
);
