// The latency scenario: produce at fixed rates with acks=all and report produce→ack latency
// percentiles, from rdkafka_performance's per-message latency file (-l -A).
//
// Its rate limiter (-r) sleeps a fixed gap after each message, so per-message overhead makes the
// achieved rate fall short of the requested one, by a load-dependent amount. Short probe runs
// therefore calibrate the -r value until the achieved rate is within 5% of the target; they also
// warm the broker up. In the measured run the first second of samples is dropped, because it
// holds the new client's connection set-up and metadata wait, not steady-state latency.

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cpuDelta, type CpuTimes } from './children.js';
import type { BrokerHandle } from './broker.js';
import type { ClientRun } from './client-run.js';
import type { LoadTool } from './load-tool.js';
import { rdkafkaLatency } from './rdkafka-perf.js';
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
  /** The -r value used after calibration. */
  toolRate: number;
  achievedRate: number;
  /** Produce→ack latency in milliseconds. */
  latencyMs: LatencySummary | null;
  droppedWarmupSamples: number;
  run: ClientRun | null;
  brokerCpu: CpuTimes | null;
  error?: string;
}

const PROBE_SEC = 2;
const PROBES_MAX = 4;
const RATE_TOLERANCE = 0.05;
const WARMUP_SEC = 1;

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

async function calibrate(tool: string, bootstrap: string, topic: string, { target, lingerMs }: Point, o: LatencyOptions, log: (s: string) => void): Promise<number> {
  let toolRate = target;
  const latencyFile = join(o.scratchDir, 'probe-latency.txt');
  for (let i = 1; i <= PROBES_MAX; i++) {
    const records = Math.round(target * PROBE_SEC);
    const run = await rdkafkaLatency({ tool, bootstrap, topic, records, recordBytes: o.recordBytes, lingerMs, ratePerSec: Math.round(toolRate), latencyFile, scratchDir: o.scratchDir, timeoutMs: 120_000 });
    const achieved = run.recordsPerSec;
    log(`  probe ${i}: -r ${Math.round(toolRate)} gave ${Math.round(achieved)} records/s`);
    if (Math.abs(achieved - target) / target <= RATE_TOLERANCE) break;
    // Overhead is roughly a fixed time per message, so scale the request by the shortfall; cap
    // the correction so one noisy probe cannot run away. A shortfall beyond 4× is saturation
    // (the broker cannot deliver that rate), not limiter overhead: asking for more would only
    // queue records in the client, so the request never exceeds 4× the target.
    toolRate = Math.min(4 * target, toolRate * Math.min(4, Math.max(0.25, target / achieved)));
  }
  rmSync(latencyFile, { force: true });
  return Math.round(toolRate);
}

async function measurePoint(tool: LoadTool, broker: BrokerHandle, point: Point, o: LatencyOptions, log: (s: string) => void): Promise<LatencyRow> {
  const { target, lingerMs } = point;
  const topic = `bench-latency-${target}-${lingerMs}-${Date.now().toString(36)}`;
  const row: LatencyRow = { targetRate: target, lingerMs, toolRate: target, achievedRate: 0, latencyMs: null, droppedWarmupSamples: 0, run: null, brokerCpu: null };
  try {
    await o.prepareTopic?.(topic);
    row.toolRate = await calibrate(tool.path, broker.bootstrap, topic, point, o, log);
    const latencyFile = join(o.scratchDir, `latency-${target}-${lingerMs}.txt`);
    const before = broker.cpu();
    const records = Math.round(target * o.durationSec);
    row.run = await rdkafkaLatency({ tool: tool.path, bootstrap: broker.bootstrap, topic, records, recordBytes: o.recordBytes, lingerMs, ratePerSec: row.toolRate, latencyFile, scratchDir: o.scratchDir, timeoutMs: 120_000 + o.durationSec * 10_000 });
    row.brokerCpu = cpuDelta(before, broker.cpu());
    row.achievedRate = row.run.recordsPerSec;
    const samples = readLatenciesMs(latencyFile);
    row.droppedWarmupSamples = Math.min(samples.length, Math.round(row.achievedRate * WARMUP_SEC));
    row.latencyMs = summarizeLatency(samples.slice(row.droppedWarmupSamples));
    log(`  measured: ${Math.round(row.achievedRate)} records/s, p50 ${row.latencyMs.p50.toFixed(2)} ms, p99 ${row.latencyMs.p99.toFixed(2)} ms, p99.9 ${row.latencyMs.p999.toFixed(2)} ms`);
  } catch (err) {
    row.error = (err as Error).message;
    log(`  rate ${target} FAILED: ${row.error}`);
  }
  return row;
}

export async function runLatency(tool: LoadTool, broker: BrokerHandle, o: LatencyOptions, log: (s: string) => void): Promise<LatencyRow[]> {
  if (tool.kind !== 'rdkafka_performance') {
    throw new Error('the latency scenario needs rdkafka_performance (kcat cannot measure per-message latency)');
  }
  const rows: LatencyRow[] = [];
  const bar = startProgress('bench latency', o.lingerMsList.length * o.rates.length);
  const say = (s: string): void => bar.log(s);
  try {
    for (const lingerMs of o.lingerMsList) {
      for (const target of o.rates) {
        say(`rate ${target} records/s, acks=all, linger.ms=${lingerMs}, ${o.durationSec} s`);
        bar.update(rows.length, `rate ${target}, linger.ms=${lingerMs}`);
        rows.push(await measurePoint(tool, broker, { target, lingerMs }, o, say));
        bar.update(rows.length, '');
      }
    }
  } finally {
    bar.finish();
  }
  return rows;
}
