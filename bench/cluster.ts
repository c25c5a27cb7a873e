// `npm run bench -- cluster`: three brokers on this machine (`tideline cluster --nodes 3`), topics
// auto-created with replication factor 3 and min.insync.replicas=2 (broker defaults set with
// --override), then the throughput scenario's acks=all and acks=1 variants and the latency
// scenario at 50k records/s, all through the same code as the one-broker runs. After each
// produce run the bench checks that all three nodes hold the same segment bytes for the topic,
// i.e. that the data really was replicated three times.

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { INSTALL_HINT } from './load-tool.js';
import { startLocalCluster, type ClusterHandle } from './local-cluster.js';
import { runLatency, type LatencyRow } from './latency.js';
import { latencyTable, throughputTable } from './report.js';
import { loadNow, runStandalone, type StandaloneContext, type StandaloneOutcome } from './standalone.js';
import { rdkafkaProduce } from './rdkafka-perf.js';
import { runThroughput, VARIANTS, type ThroughputRow } from './throughput.js';
import { positiveNumber, wholeNumbers } from './options.js';

export const CLUSTER_USAGE = `usage: npm run bench -- cluster [options]

  3 brokers, RF=3, min.insync.replicas=2: acks=all and acks=1 throughput, acks=all latency (ack and end to end)

options:
  --records N      records per produce run (default 1000000)
  --runs N         runs per throughput figure, median reported (default 3)
  --partitions N   partitions per topic (default 4)
  --rates LIST     latency target rates in records/s (default 50000)
  --linger-ms LIST producer linger.ms for the latency runs (default 0,1,5)
  --duration S     seconds per latency point (default 10)
  --keep           keep the scratch dir (node data and logs)
`;

const NODES = 3;
const MIN_INSYNC = 2;
const WARMUP_RECORDS = 100;

function parseClusterOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string', default: '1000000' },
      runs: { type: 'string', default: '3' },
      partitions: { type: 'string', default: '4' },
      rates: { type: 'string', default: '50000' },
      'linger-ms': { type: 'string', default: '0,1,5' },
      duration: { type: 'string', default: '10' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  return {
    records: positiveNumber(values.records, 'records'),
    runs: positiveNumber(values.runs, 'runs'),
    partitions: positiveNumber(values.partitions, 'partitions'),
    rates: values.rates.split(',').map((r) => positiveNumber(r, 'rates')),
    lingerMsList: wholeNumbers(values['linger-ms'], 'linger-ms'),
    durationSec: positiveNumber(values.duration, 'duration'),
    keep: values.keep,
  };
}

type ClusterOptions = NonNullable<ReturnType<typeof parseClusterOptions>>;

/** Every replica of every produced topic holds the same bytes; returns a description of any that does not. */
function replicaMismatches(cluster: ClusterHandle, rows: readonly ThroughputRow[]): string[] {
  const problems: string[] = [];
  for (const row of rows) {
    if (row.phase !== 'produce') continue;
    for (const { topic } of row.runs) {
      if (topic === undefined) continue;
      const perNode = cluster.storedBytesPerNode(topic);
      if (new Set(perNode).size !== 1 || perNode[0] === 0) problems.push(`${topic}: ${perNode.join(' / ')} bytes on nodes 1..${NODES}`);
    }
  }
  return problems;
}

async function body(o: ClusterOptions, ctx: StandaloneContext): Promise<StandaloneOutcome> {
  const { repoRoot, tool, scratchDir, log } = ctx;
  if (tool.kind !== 'rdkafka_performance') throw new Error(`the cluster benchmark needs rdkafka_performance. ${INSTALL_HINT}`);
  const overrides = [`default.replication.factor=${NODES}`, `min.insync.replicas=${MIN_INSYNC}`, `num.partitions=${o.partitions}`];
  const startMs = performance.now();
  const cluster = await startLocalCluster({ repoRoot, dir: join(scratchDir, 'cluster'), nodes: NODES, overrides });
  log(`cluster ready in ${Math.round(performance.now() - startMs)} ms: ${cluster.bootstrap} (node pids ${cluster.nodePids().join(', ')})`);
  let throughput: ThroughputRow[] = [];
  let latency: LatencyRow[] = [];
  const load: Record<string, number[]> = {};
  try {
    const variants = ['acksall', 'acks1'].map((id) => VARIANTS.find((v) => v.id === id)!);
    // 100 acks=all records create the topic and wait out leader election before the clock starts.
    const prepareTopic = async (topic: string): Promise<number> => {
      await rdkafkaProduce({ tool: tool.path, bootstrap: cluster.bootstrap, topic, records: WARMUP_RECORDS, recordBytes: 100, acks: -1, codec: 'none', lingerMs: 5, scratchDir, timeoutMs: 60_000 });
      return WARMUP_RECORDS;
    };
    // Latency first: its points delete their topics, and the throughput runs keep theirs (for the
    // replica check below), which would otherwise ride along in every follower fetch.
    load['latency'] = loadNow();
    latency = await runLatency(cluster, { rates: o.rates, lingerMsList: o.lingerMsList, durationSec: o.durationSec, recordBytes: 100, scratchDir, prepareTopic }, log);
    load['throughput'] = loadNow();
    throughput = await runThroughput(tool, cluster, { records: o.records, kafkajsRecords: 0, recordBytes: 100, partitions: o.partitions, runs: o.runs, lingerMs: 5, variants, repoRoot, scratchDir, prepareTopic }, log);
  } finally {
    await cluster.stop();
  }
  const mismatches = replicaMismatches(cluster, throughput);
  const setup = `${NODES} brokers (each broker+controller), RF=${NODES}, min.insync.replicas=${MIN_INSYNC}, ${o.partitions} partitions, 100-byte records; each run's topic is created by ${WARMUP_RECORDS} acks=all records before the clock starts; stored MB counts all ${NODES} replicas.`;
  const replicas = mismatches.length === 0 ? 'Every produced topic has identical segment bytes on all three nodes.' : `REPLICA MISMATCH: ${mismatches.join('; ')}`;
  return {
    result: { setup: { nodes: NODES, replicationFactor: NODES, minInsyncReplicas: MIN_INSYNC, partitions: o.partitions }, loadByPhase: load, throughput, latency, replicaMismatches: mismatches },
    tables: [setup, `Load average at the start of latency: ${load['latency']!.join(' ')}; of throughput: ${load['throughput']?.join(' ') ?? '–'}.`, throughputTable(throughput), latencyTable(latency), replicas],
    isFailed: mismatches.length > 0 || [...throughput, ...latency].some((r) => r.error !== undefined),
  };
}

export async function runClusterBench(argv: string[]): Promise<number> {
  const o = parseClusterOptions(argv);
  if (!o) {
    process.stdout.write(CLUSTER_USAGE);
    return 0;
  }
  return runStandalone('cluster', o, (ctx) => body(o, ctx), { keep: o.keep });
}
