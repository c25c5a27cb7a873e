// `npm run bench -- footprint`: what one broker costs in time and memory.
//  - start to ready: wall time from spawning `node bin/tideline.js start` to its `tideline ready`
//    line, on an empty data dir, several times (median reported);
//  - idle RSS: in the first 3 s after ready and 7–10 s after, nothing connected;
//  - RSS under load: sampled every 50 ms during a librdkafka produce run;
//  - RSS against data retained: after each further produce run (a few seconds after, so that
//    transient buffers can be collected), next to the bytes the broker's segments hold;
//  Each RSS figure except the one under load is the lowest of 3 s of samples (see settledRssMiB).
//  - RSS with 1,000 partitions: after creating topics totalling that many partitions, and again
//    after writing a few records to every one of them (the first write opens segment files).
// RSS is VmRSS from /proc/<pid>/status, so this benchmark needs Linux.

import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startBroker, type BrokerHandle } from './broker.js';
import { footprintTables, type FootprintResult } from './footprint-report.js';
import { INSTALL_HINT } from './load-tool.js';
import { positiveNumber } from './options.js';
import { rdkafkaProduce } from './rdkafka-perf.js';
import { readRss, sampleRss } from './rss.js';
import { loadNow, runStandalone, type StandaloneContext, type StandaloneOutcome } from './standalone.js';
import { median } from './stats.js';
import { createTopic } from './topics.js';

export const FOOTPRINT_USAGE = `usage: npm run bench -- footprint [options]

  start-to-ready time, idle RSS, RSS under load, RSS against data retained, RSS with 1,000 partitions

options:
  --starts N              broker starts timed for start-to-ready (default 5)
  --records N             records per produce run (default 2000000, 100-byte records)
  --retain-runs N         further produce runs to grow the data retained (default 4)
  --partitions-total N    partitions created for the partition measurement (default 1000)
  --keep                  keep the scratch dir
`;

const SETTLE_MS = 3000;
const IDLE_MS = 10_000;
const TOPICS_FOR_PARTITIONS = 10;
const RECORDS_PER_PARTITION_TOPIC = 20_000;

function parseFootprintOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      starts: { type: 'string', default: '5' },
      records: { type: 'string', default: '2000000' },
      'retain-runs': { type: 'string', default: '4' },
      'partitions-total': { type: 'string', default: '1000' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  return {
    starts: positiveNumber(values.starts, 'starts'),
    records: positiveNumber(values.records, 'records'),
    retainRuns: positiveNumber(values['retain-runs'], 'retain-runs'),
    partitionsTotal: positiveNumber(values['partitions-total'], 'partitions-total'),
    keep: values.keep,
  };
}

type FootprintOptions = NonNullable<ReturnType<typeof parseFootprintOptions>>;

/**
 * The lowest RSS over the next SETTLE_MS (sampled every 100 ms): garbage collection moves a
 * single reading by tens of MiB, and the low point is the settled size, not a GC's peak.
 */
async function settledRssMiB(pid: number): Promise<number> {
  if (!readRss(pid)) throw new Error(`cannot read /proc/${pid}/status (the footprint benchmark needs Linux)`);
  const sampler = sampleRss(pid, 100);
  await sleep(SETTLE_MS);
  return Math.min(...sampler.stop()) / 1024;
}

async function timeStarts(o: FootprintOptions, ctx: StandaloneContext): Promise<number[]> {
  const times: number[] = [];
  for (let i = 1; i <= o.starts; i++) {
    const started = performance.now();
    const broker = await startBroker({ repoRoot: ctx.repoRoot, runDir: join(ctx.scratchDir, `start-${i}`), partitions: 1, profile: false });
    times.push(performance.now() - started);
    await broker.stop();
    ctx.log(`  start ${i}/${o.starts}: ready after ${Math.round(times[times.length - 1]!)} ms`);
  }
  return times;
}

async function body(o: FootprintOptions, ctx: StandaloneContext): Promise<StandaloneOutcome> {
  const { repoRoot, tool, scratchDir, log } = ctx;
  if (tool.kind !== 'rdkafka_performance') throw new Error(`the footprint benchmark needs rdkafka_performance. ${INSTALL_HINT}`);
  const loadByPhase: Record<string, number[]> = { start: loadNow() };
  log('start to ready:');
  const startMs = await timeStarts(o, ctx);

  let broker: BrokerHandle | null = null;
  const result: FootprintResult = {
    startToReadyMs: { runs: startMs, median: median(startMs) },
    idleRssSoonMiB: 0,
    idleRssMiB: 0,
    load: { records: o.records, peakRssMiB: 0, medianRssMiB: 0, recordsPerSec: 0 },
    retained: [],
    partitions: [],
  };
  try {
    broker = await startBroker({ repoRoot, runDir: join(scratchDir, 'main'), partitions: 4, profile: false });
    const b = broker;
    // Start-up garbage is collected lazily; the RSS right after ready is not the idle figure.
    result.idleRssSoonMiB = await settledRssMiB(b.pid);
    await sleep(IDLE_MS - 2 * SETTLE_MS);
    result.idleRssMiB = await settledRssMiB(b.pid);
    log(`idle RSS ${result.idleRssSoonMiB.toFixed(1)} MiB after ${SETTLE_MS / 1000} s, ${result.idleRssMiB.toFixed(1)} MiB after ${IDLE_MS / 1000} s`);

    const produce = (topic: string, records: number) =>
      rdkafkaProduce({ tool: tool.path, bootstrap: b.bootstrap, topic, records, recordBytes: 100, acks: 1, codec: 'none', lingerMs: 5, scratchDir, timeoutMs: 120_000 + records / 5 });
    const topics: string[] = [];
    const retainedMB = (): number => topics.reduce((sum, t) => sum + b.storedBytes(t), 0) / 1e6;

    loadByPhase['load'] = loadNow();
    const sampler = sampleRss(b.pid);
    topics.push('footprint-0');
    const run = await produce('footprint-0', o.records);
    const samples = sampler.stop().map((kb) => kb / 1024);
    result.load = { records: o.records, peakRssMiB: Math.max(...samples), medianRssMiB: median(samples), recordsPerSec: run.recordsPerSec };
    log(`under load: peak ${result.load.peakRssMiB.toFixed(1)} MiB, median ${result.load.medianRssMiB.toFixed(1)} MiB (${Math.round(run.recordsPerSec)} records/s)`);

    for (let i = 0; i <= o.retainRuns; i++) {
      if (i > 0) {
        const topic = `footprint-${i}`;
        topics.push(topic);
        await produce(topic, o.records);
      }
      result.retained.push({ retainedMB: retainedMB(), rssMiB: await settledRssMiB(b.pid), peakRssMiB: readRss(b.pid)!.peakKb / 1024 });
      log(`  retained ${retainedMB().toFixed(0)} MB: RSS ${result.retained[result.retained.length - 1]!.rssMiB.toFixed(1)} MiB`);
    }

    loadByPhase['partitions'] = loadNow();
    const perTopic = Math.ceil(o.partitionsTotal / TOPICS_FOR_PARTITIONS);
    // Every footprint-N topic was auto-created with num.partitions=4.
    const partitionsBefore = topics.length * 4;
    result.partitions.push({ partitions: partitionsBefore, state: 'before (with the data above)', rssMiB: await settledRssMiB(b.pid) });
    const partitionTopics = Array.from({ length: TOPICS_FOR_PARTITIONS }, (_, i) => `footprint-parts-${i}`);
    for (const topic of partitionTopics) await createTopic(repoRoot, b.bootstrap, { topic, partitions: perTopic }, scratchDir);
    const created = partitionsBefore + perTopic * TOPICS_FOR_PARTITIONS;
    result.partitions.push({ partitions: created, state: 'created, empty', rssMiB: await settledRssMiB(b.pid) });
    log(`  ${created} partitions, empty: RSS ${result.partitions[1]!.rssMiB.toFixed(1)} MiB`);
    // librdkafka spreads keyless records over all partitions at random.
    for (const topic of partitionTopics) await produce(topic, RECORDS_PER_PARTITION_TOPIC);
    result.partitions.push({ partitions: created, state: `each written (${RECORDS_PER_PARTITION_TOPIC / perTopic} records per partition on average)`, rssMiB: await settledRssMiB(b.pid) });
    log(`  ${created} partitions, written: RSS ${result.partitions[2]!.rssMiB.toFixed(1)} MiB`);
  } finally {
    if (broker) await broker.stop();
  }
  return { result: { loadByPhase, footprint: result }, tables: [`Load average at the start: ${loadByPhase['start']!.join(' ')}; load phase: ${loadByPhase['load']?.join(' ') ?? '–'}; partitions phase: ${loadByPhase['partitions']?.join(' ') ?? '–'}.`, ...footprintTables(result)], isFailed: false };
}

export async function runFootprintBench(argv: string[]): Promise<number> {
  const o = parseFootprintOptions(argv);
  if (!o) {
    process.stdout.write(FOOTPRINT_USAGE);
    return 0;
  }
  return runStandalone('footprint', o, (ctx) => body(o, ctx), { keep: o.keep });
}
