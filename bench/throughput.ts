// The throughput scenario: for each variant (acks=1, acks=all, lz4, zstd, and the kafkajs
// producer), produce `records` records of `recordBytes` into a fresh topic, then read them all
// back where the variant says so; repeat `runs` times and keep every run plus the medians. The
// broker's CPU time is read from /proc around each client run, so each figure carries both the
// client's and the broker's CPU cost.

import { join } from 'node:path';
import { cpuDelta, runTimed, totalCpuSec, type CpuTimes } from './children.js';
import type { BrokerHandle } from './broker.js';
import { clientFailure, makeClientRun, type ClientRun } from './client-run.js';
import { kcatConsume, kcatProduce } from './kcat.js';
import type { LoadTool } from './load-tool.js';
import { probeCompression, rdkafkaConsume, rdkafkaProduce, type Codec } from './rdkafka-perf.js';
import { median } from './stats.js';
import { startProgress } from '../src/cli/progress.js';
import { createTopic } from './topics.js';

export interface Variant {
  id: string;
  label: string;
  acks: 1 | -1;
  codec: Codec;
  /** Read the data back after producing it (acks=all data reads the same as acks=1 data). */
  consume: boolean;
  nodeClient: boolean;
  /** Topic configs; when set, each run's topic is created with them (tideline topics create) rather than auto-created. */
  topicConfigs?: Readonly<Record<string, string>>;
}

export const VARIANTS: readonly Variant[] = [
  { id: 'acks1', label: 'acks=1', acks: 1, codec: 'none', consume: true, nodeClient: false },
  { id: 'acksall', label: 'acks=all', acks: -1, codec: 'none', consume: false, nodeClient: false },
  // Group commit: every produce waits for an fdatasync of its partition, and the produces that
  // arrive while one runs share the next (PartitionLog.flush).
  { id: 'flush1', label: 'acks=1, flush.messages=1 (fsync before ack)', acks: 1, codec: 'none', consume: false, nodeClient: false, topicConfigs: { 'flush.messages': '1' } },
  { id: 'lz4', label: 'acks=1, lz4', acks: 1, codec: 'lz4', consume: true, nodeClient: false },
  { id: 'zstd', label: 'acks=1, zstd', acks: 1, codec: 'zstd', consume: true, nodeClient: false },
  { id: 'kafkajs', label: 'acks=1, kafkajs, send() of 1000', acks: 1, codec: 'none', consume: false, nodeClient: true },
];

export interface ThroughputOptions {
  records: number;
  kafkajsRecords: number;
  recordBytes: number;
  partitions: number;
  runs: number;
  lingerMs: number;
  variants: readonly Variant[];
  repoRoot: string;
  scratchDir: string;
  /**
   * Called with each run's fresh topic before the timed produce, so that topic creation and
   * leader election (seconds on a cluster) are not part of the rate. Returns how many records it
   * wrote there, which the consume run then also reads.
   */
  prepareTopic?: (topic: string) => Promise<number>;
}

export interface MeasuredRun {
  run: ClientRun;
  brokerCpu: CpuTimes | null;
  /** Segment bytes the broker holds for the topic after a produce run (shows what a codec saved). */
  storedBytes?: number;
  /** The topic a produce run wrote (a fresh one per run). */
  topic?: string;
}

export interface ThroughputRow {
  variant: string;
  phase: 'produce' | 'consume';
  label: string;
  client: string;
  records: number;
  runs: MeasuredRun[];
  /** Medians over runs; null when every run failed. */
  median: { recordsPerSec: number; mbPerSec: number; clientCpuSec: number | null; brokerCpuSec: number | null; storedMb: number | null } | null;
  error?: string;
  /** Something a reader must know to interpret the figure, e.g. a codec the client did not use. */
  note?: string;
}

// Generous: a healthy 2M-record run takes seconds; this only catches a wedged client.
const clientTimeoutMs = (records: number): number => 60_000 + records / 5;

async function measure(broker: BrokerHandle, body: () => Promise<ClientRun>): Promise<MeasuredRun> {
  const before = broker.cpu();
  const run = await body();
  return { run, brokerCpu: cpuDelta(before, broker.cpu()) };
}

async function produceOnce(v: Variant, tool: LoadTool, broker: BrokerHandle, topic: string, o: ThroughputOptions): Promise<ClientRun> {
  const timeoutMs = clientTimeoutMs(o.records);
  if (v.nodeClient) return kafkajsProduce(broker.bootstrap, topic, o);
  const common = { bootstrap: broker.bootstrap, topic, records: o.records, recordBytes: o.recordBytes, acks: v.acks, codec: v.codec, lingerMs: o.lingerMs, scratchDir: o.scratchDir, timeoutMs };
  return tool.kind === 'rdkafka_performance' ? rdkafkaProduce({ tool: tool.path, ...common }) : kcatProduce({ tool: tool.path, ...common });
}

async function consumeOnce(tool: LoadTool, broker: BrokerHandle, topic: string, o: ThroughputOptions): Promise<ClientRun> {
  const common = { bootstrap: broker.bootstrap, topic, records: o.records, scratchDir: o.scratchDir, timeoutMs: clientTimeoutMs(o.records) };
  return tool.kind === 'rdkafka_performance'
    ? rdkafkaConsume({ tool: tool.path, partitions: o.partitions, ...common })
    : kcatConsume({ tool: tool.path, recordBytes: o.recordBytes, ...common });
}

export async function kafkajsProduce(bootstrap: string, topic: string, o: Pick<ThroughputOptions, 'repoRoot' | 'kafkajsRecords' | 'recordBytes' | 'scratchDir'>): Promise<ClientRun> {
  const script = join(o.repoRoot, 'dist', 'bench', 'kafkajs-produce.js');
  const args = [script, '--bootstrap', bootstrap, '--topic', topic, '--records', String(o.kafkajsRecords), '--record-bytes', String(o.recordBytes), '--batch', '1000', '--acks', '1'];
  const env = { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' };
  const run = await runTimed('kafkajs producer', process.execPath, args, { timeoutMs: clientTimeoutMs(o.kafkajsRecords) * 4, scratchDir: o.scratchDir, cwd: o.repoRoot, env });
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (run.code !== 0 || !line) throw clientFailure(`kafkajs producer (${topic})`, run, line ? undefined : 'no RESULT line');
  const result = JSON.parse(line.slice('RESULT '.length)) as { records: number; elapsedMs: number };
  return makeClientRun('kafkajs', result.records, result.records * o.recordBytes, result.elapsedMs, run);
}

function summarize(row: Omit<ThroughputRow, 'median'>): ThroughputRow {
  if (row.runs.length === 0) return { ...row, median: null };
  const pick = (f: (m: MeasuredRun) => number | null): number | null => {
    const values = row.runs.map(f).filter((x): x is number => x !== null);
    return values.length === row.runs.length ? median(values) : null;
  };
  return {
    ...row,
    median: {
      recordsPerSec: pick((m) => m.run.recordsPerSec)!,
      mbPerSec: pick((m) => m.run.mbPerSec)!,
      clientCpuSec: pick((m) => totalCpuSec(m.run.clientCpu)),
      brokerCpuSec: pick((m) => totalCpuSec(m.brokerCpu)),
      storedMb: row.phase === 'produce' ? pick((m) => (m.storedBytes === undefined ? null : m.storedBytes / 1e6)) : null,
    },
  };
}

function clientName(v: Variant, tool: LoadTool): string {
  return v.nodeClient ? 'kafkajs' : tool.kind;
}

/** Runs one variant; a failure is recorded in its rows and the remaining variants still run. */
/** Progress over every produce and consume run of every variant. */
interface Steps {
  begin(detail: string): void;
  end(): void;
}

async function runVariant(v: Variant, tool: LoadTool, broker: BrokerHandle, o: ThroughputOptions, log: (s: string) => void, steps: Steps): Promise<ThroughputRow[]> {
  const records = v.nodeClient ? o.kafkajsRecords : o.records;
  const produce: Omit<ThroughputRow, 'median'> = { variant: v.id, phase: 'produce', label: `produce ${v.label}`, client: clientName(v, tool), records, runs: [] };
  const consume: Omit<ThroughputRow, 'median'> = { variant: v.id, phase: 'consume', label: `consume (${v.label} data)`, client: tool.kind, records, runs: [] };
  const stamp = Date.now().toString(36);
  try {
    if (v.codec !== 'none' && tool.kind === 'rdkafka_performance') {
      const probe = await probeCompression({ tool: tool.path, bootstrap: broker.bootstrap, topic: `bench-probe-${v.id}-${stamp}`, codec: v.codec, scratchDir: o.scratchDir });
      if (!probe.compressed) {
        produce.note = consume.note = `librdkafka sent these batches uncompressed (${probe.reason})`;
        log(`  NOTE: ${produce.note}`);
      }
    }
    for (let r = 1; r <= o.runs; r++) {
      const topic = `bench-${v.id}-${stamp}-${r}`;
      if (v.topicConfigs) await createTopic(o.repoRoot, broker.bootstrap, { topic, partitions: o.partitions, configs: v.topicConfigs }, o.scratchDir);
      const warmupRecords = (await o.prepareTopic?.(topic)) ?? 0;
      steps.begin(`${produce.label} run ${r}`);
      const p = await measure(broker, () => produceOnce(v, tool, broker, topic, o));
      steps.end();
      p.storedBytes = broker.storedBytes(topic);
      p.topic = topic;
      produce.runs.push(p);
      log(`  ${produce.label} run ${r}/${o.runs}: ${Math.round(p.run.recordsPerSec).toLocaleString('en-US')} records/s`);
      if (!v.consume) continue;
      steps.begin(`${consume.label} run ${r}`);
      const c = await measure(broker, () => consumeOnce(tool, broker, topic, { ...o, records: o.records + warmupRecords }));
      steps.end();
      consume.runs.push(c);
      log(`  ${consume.label} run ${r}/${o.runs}: ${Math.round(c.run.recordsPerSec).toLocaleString('en-US')} records/s`);
    }
  } catch (err) {
    const message = (err as Error).message;
    log(`  ${v.label} FAILED: ${message}`);
    // The phase that was running when it failed has fewer runs than the other.
    if (v.consume && consume.runs.length < produce.runs.length) consume.error = message;
    else produce.error = message;
  }
  const rows = [summarize(produce)];
  if (v.consume) rows.push(summarize(consume));
  return rows;
}

export async function runThroughput(tool: LoadTool, broker: BrokerHandle, o: ThroughputOptions, log: (s: string) => void): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  const bar = startProgress('bench throughput', o.variants.reduce((n, v) => n + o.runs * (v.consume ? 2 : 1), 0));
  const say = (s: string): void => bar.log(s);
  let done = 0;
  const steps: Steps = { begin: (detail) => bar.update(done, detail), end: () => bar.update(++done, '') };
  try {
    for (const v of o.variants) {
      say(`variant ${v.id}: ${v.nodeClient ? o.kafkajsRecords : o.records} records × ${o.recordBytes} B, ${o.runs} run(s)`);
      rows.push(...(await runVariant(v, tool, broker, o, say, steps)));
    }
  } finally {
    bar.finish();
  }
  return rows;
}
