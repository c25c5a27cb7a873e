// The latency scenario: produce at fixed rates with acks=all and report produce→ack and
// end-to-end produce→consume latency percentiles. The client is this repo's paced producer
// (bench/rdkafka/paced_producer.c, on librdkafka): message i is due at start + i / rate; its
// ack latency runs from that due time to its delivery report, its end-to-end latency to its
// arrival at a consumer in the same process (every partition read as it fills), so a stall of
// the client or the broker counts in full (no coordinated omission). Between due messages it
// sleeps instead of spinning, so on a 2-core machine the client leaves the brokers their CPU
// (rdkafka_performance's -r mode spins one core). Every latency is recorded, so percentiles are
// exact. Each point first runs unmeasured warm-up traffic on a topic of its own (WARMUP_RUN_SEC);
// in the measured run the first second of samples is dropped, because it holds the new client's
// connection set-up and metadata wait, not steady-state latency. Each point deletes its topics.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuDelta, type CpuTimes } from './children.js';
import type { BrokerHandle } from './broker.js';
import type { ClientRun } from './client-run.js';
import { buildPacedProducer } from './load-tool.js';
import { clientFailure, makeClientRun } from './client-run.js';
import { runTimed } from './children.js';
import { findRepoRoot } from './repo-root.js';
import { deleteTopic } from './topics.js';
import { summarizeLatency, type LatencySummary } from './stats.js';
import { startProgress } from '../src/cli/progress.js';

export interface LatencyOptions {
  rates: number[];
  /** Each rate is measured once per linger.ms value. */
  lingerMsList: number[];
  durationSec: number;
  recordBytes: number;
  scratchDir: string;
  /** Called with each point's fresh topic before calibration (see ThroughputOptions.prepareTopic). */
  prepareTopic?: (topic: string) => Promise<unknown>;
}

export interface LatencyRow {
  targetRate: number;
  lingerMs: number;
  achievedRate: number;
  /** Produce→ack latency in milliseconds. */
  latencyMs: LatencySummary | null;
  /** Produce→consume latency in milliseconds (due time to arrival at the consumer). */
  endToEndMs: LatencySummary | null;
  droppedWarmupSamples: number;
  run: ClientRun | null;
  brokerCpu: CpuTimes | null;
  error?: string;
}

/**
 * Before each measured run, this many seconds of the same traffic (rate, linger.ms, consumer) go
 * to a topic of their own and are not measured, so the brokers' JIT-compiled code and caches are
 * in their steady state, as after a benchmark's warm-up phase (OpenMessaging Benchmark runs one
 * too). Without it, a fresh cluster's first seconds dominate the p99 of a 10 s run.
 */
const WARMUP_RUN_SEC = 5;
/** Samples of the measured run's first second are dropped: its client's connections are new. */
const WARMUP_SEC = 1;
/** The paced producer's end-to-end stamp: marker, run nonce, index and due time (paced_producer.c). */
const END_TO_END_STAMP_BYTES = 31;

function readLatenciesMs(path: string): number[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => Number(l) / 1000);
}

interface Point {
  target: number;
  lingerMs: number;
}

/** One paced run: `records` messages at `target`/s; throws with the client's output on failure. */
async function pacedRun(paced: string, bootstrap: string, topic: string, records: number, { target, lingerMs }: Point, o: LatencyOptions, files: { ack: string; endToEnd: string }): Promise<ClientRun> {
  const args = ['-b', bootstrap, '-t', topic, '-r', String(target), '-c', String(records), '-s', String(o.recordBytes), '-o', files.ack, '-e', files.endToEnd, '-X', `linger.ms=${lingerMs}`];
  const run = await runTimed('paced_producer', paced, args, { timeoutMs: 120_000 + o.durationSec * 10_000, scratchDir: o.scratchDir });
  const m = /sent=(\d+) delivered=(\d+) failed=(\d+) send_us=(\d+) elapsed_us=\d+ consumed=(\d+)/.exec(run.stdout);
  if (run.code !== 0 || !m) throw clientFailure(`paced_producer (${topic})`, run);
  const sent = Number(m[1]);
  return makeClientRun('paced_producer', sent, sent * o.recordBytes, Number(m[4]) / 1000, run);
}

async function measurePoint(repoRoot: string, paced: string, broker: BrokerHandle, point: Point, o: LatencyOptions, log: (s: string) => void): Promise<LatencyRow> {
  const { target, lingerMs } = point;
  const topic = `bench-latency-${target}-${lingerMs}-${Date.now().toString(36)}`;
  const row: LatencyRow = { targetRate: target, lingerMs, achievedRate: 0, latencyMs: null, endToEndMs: null, droppedWarmupSamples: 0, run: null, brokerCpu: null };
  try {
    const files = { ack: join(o.scratchDir, `latency-${target}-${lingerMs}.txt`), endToEnd: join(o.scratchDir, `latency-e2e-${target}-${lingerMs}.txt`) };
    await o.prepareTopic?.(`${topic}-warmup`);
    await pacedRun(paced, broker.bootstrap, `${topic}-warmup`, Math.round(target * WARMUP_RUN_SEC), point, o, files);
    // Topics are deleted once used (as OpenMessaging Benchmark does after a test): a follower's
    // fetch names every partition it follows, so topics left behind would make each later
    // point's replication work grow with the points before it.
    await deleteTopic(repoRoot, broker.bootstrap, `${topic}-warmup`, o.scratchDir);
    await o.prepareTopic?.(topic);
    const before = broker.cpu();
    const records = Math.round(target * o.durationSec);
    row.run = await pacedRun(paced, broker.bootstrap, topic, records, point, o, files);
    row.brokerCpu = cpuDelta(before, broker.cpu());
    row.achievedRate = row.run.recordsPerSec;
    const samples = readLatenciesMs(files.ack);
    row.droppedWarmupSamples = Math.min(samples.length, Math.round(row.achievedRate * WARMUP_SEC));
    row.latencyMs = summarizeLatency(samples.slice(row.droppedWarmupSamples));
    row.endToEndMs = summarizeLatency(readLatenciesMs(files.endToEnd).slice(row.droppedWarmupSamples));
    const [a, e] = [row.latencyMs, row.endToEndMs];
    log(`  measured: ${Math.round(row.achievedRate)} records/s; ack p50 ${a.p50.toFixed(2)} ms, p99 ${a.p99.toFixed(2)} ms, p99.9 ${a.p999.toFixed(2)} ms; end to end p50 ${e.p50.toFixed(2)} ms, p99 ${e.p99.toFixed(2)} ms, p99.9 ${e.p999.toFixed(2)} ms`);
    await deleteTopic(repoRoot, broker.bootstrap, topic, o.scratchDir);
  } catch (err) {
    row.error = (err as Error).message;
    log(`  rate ${target} FAILED: ${row.error}`);
  }
  return row;
}

export async function runLatency(broker: BrokerHandle, o: LatencyOptions, log: (s: string) => void): Promise<LatencyRow[]> {
  if (o.recordBytes < END_TO_END_STAMP_BYTES) throw new Error(`latency needs records of at least ${END_TO_END_STAMP_BYTES} bytes (the end-to-end stamp), got ${o.recordBytes}`);
  const repoRoot = findRepoRoot();
  const paced = buildPacedProducer(repoRoot);
  const rows: LatencyRow[] = [];
  const bar = startProgress('bench latency', o.lingerMsList.length * o.rates.length);
  const say = (s: string): void => bar.log(s);
  try {
    for (const lingerMs of o.lingerMsList) {
      for (const target of o.rates) {
        say(`rate ${target} records/s, acks=all, linger.ms=${lingerMs}, ${WARMUP_RUN_SEC} s warm-up then ${o.durationSec} s measured`);
        bar.update(rows.length, `rate ${target}, linger.ms=${lingerMs}`);
        rows.push(await measurePoint(repoRoot, paced, broker, { target, lingerMs }, o, say));
        bar.update(rows.length, '');
      }
    }
  } finally {
    bar.finish();
  }
  return rows;
}
