// Drives rdkafka_performance (librdkafka's load tool) for produce, consume and latency runs and
// parses its summary lines. Its producer defaults are changed where they would distort a
// throughput figure: it sets linger.ms=1000 itself, which is put back to librdkafka's default of
// 5 ms, and the local queue is raised to 1M messages so the application thread is not throttled
// by back-pressure before the network is.

import type { TimedRun } from './children.js';
import { runTimed } from './children.js';
import { clientFailure, makeClientRun, type ClientRun } from './client-run.js';

export type Codec = 'none' | 'lz4' | 'zstd';

export interface ProduceParams {
  tool: string;
  bootstrap: string;
  topic: string;
  records: number;
  recordBytes: number;
  /** 1 or -1 (all). */
  acks: 1 | -1;
  codec: Codec;
  lingerMs: number;
  scratchDir: string;
  timeoutMs: number;
}

const PRODUCE_SUMMARY =
  /% (\d+) messages produced \((\d+) bytes\), (\d+) delivered \(offset (-?\d+), (\d+) failed\) in (\d+)ms: (\d+) msgs\/s and ([\d.]+) MB\/s/g;
const CONSUME_SUMMARY = /% (\d+) messages \((\d+) bytes\) consumed in (\d+)ms: (\d+) msgs\/s \(([\d.]+) MB\/s\)/g;

export interface ProduceSummary {
  produced: number;
  delivered: number;
  failed: number;
  elapsedMs: number;
}

export interface ConsumeSummary {
  consumed: number;
  bytes: number;
  elapsedMs: number;
}

/** The last summary line (the tool prints one per interval and a final one). */
export function parseProduceSummary(stdout: string): ProduceSummary | null {
  const all = [...stdout.matchAll(PRODUCE_SUMMARY)];
  const m = all[all.length - 1];
  return m ? { produced: Number(m[1]), delivered: Number(m[3]), failed: Number(m[5]), elapsedMs: Number(m[6]) } : null;
}

export function parseConsumeSummary(stdout: string): ConsumeSummary | null {
  const all = [...stdout.matchAll(CONSUME_SUMMARY)];
  const m = all[all.length - 1];
  return m ? { consumed: Number(m[1]), bytes: Number(m[2]), elapsedMs: Number(m[3]) } : null;
}

function producerArgs(p: ProduceParams): string[] {
  const args = ['-P', '-t', p.topic, '-b', p.bootstrap, '-s', String(p.recordBytes), '-c', String(p.records), '-a', String(p.acks)];
  if (p.codec !== 'none') args.push('-z', p.codec);
  args.push(
    '-X', `linger.ms=${p.lingerMs}`,
    '-X', 'batch.num.messages=10000',
    '-X', 'queue.buffering.max.messages=1000000',
    '-X', 'queue.buffering.max.kbytes=1048576',
  );
  return args;
}

/**
 * rdkafka_performance exits 1 when its message count minus rd_kafka_outq_len() at exit differs
 * from its delivery reports. The outq also counts requests still in flight (a metadata refresh),
 * so a run whose every message was delivered can exit 1 (seen once at 04:23 on 3 brokers: 1,000,000
 * delivered, 0 failed, "999999 messages produced"). The delivery counts decide here.
 */
function checkedProduce(what: string, run: TimedRun, records: number): ProduceSummary {
  const s = parseProduceSummary(run.stdout);
  if (!s || (run.code !== 0 && run.code !== 1)) throw clientFailure(what, run, s ? undefined : 'no summary line');
  if (s.delivered !== records || s.failed !== 0) throw clientFailure(what, run, `${s.delivered}/${records} delivered, ${s.failed} failed`);
  return s;
}

export async function rdkafkaProduce(p: ProduceParams): Promise<ClientRun> {
  const run = await runTimed('rdkafka_performance -P', p.tool, producerArgs(p), { timeoutMs: p.timeoutMs, scratchDir: p.scratchDir });
  const s = checkedProduce(`rdkafka_performance producer (${p.topic})`, run, p.records);
  return makeClientRun('rdkafka_performance', p.records, p.records * p.recordBytes, s.elapsedMs, run);
}

export interface ConsumeParams {
  tool: string;
  bootstrap: string;
  topic: string;
  partitions: number;
  records: number;
  scratchDir: string;
  timeoutMs: number;
}

/** Reads every partition from the beginning until `records` arrived (or all hit EOF). */
export async function rdkafkaConsume(p: ConsumeParams): Promise<ClientRun> {
  const args = ['-C', '-t', p.topic, '-b', p.bootstrap, '-o', 'beginning', '-c', String(p.records), '-e'];
  for (let i = 0; i < p.partitions; i++) args.push('-p', String(i));
  const run = await runTimed('rdkafka_performance -C', p.tool, args, { timeoutMs: p.timeoutMs, scratchDir: p.scratchDir });
  const what = `rdkafka_performance consumer (${p.topic})`;
  const s = parseConsumeSummary(run.stdout);
  if (run.code !== 0 || !s) throw clientFailure(what, run, s ? undefined : 'no summary line');
  if (s.consumed !== p.records) throw clientFailure(what, run, `consumed ${s.consumed} of ${p.records}`);
  // The tool times from the first message received, so connection set-up is not in the rate.
  return makeClientRun('rdkafka_performance', s.consumed, s.bytes, s.elapsedMs, run);
}

export interface CompressionProbe {
  /** False when librdkafka decided the broker cannot take this codec and sent batches plain. */
  compressed: boolean;
  /** librdkafka's own account of the feature check that failed, when it did. */
  reason: string | null;
}

/**
 * librdkafka enables a codec only when the broker's ApiVersions answer passes a feature check
 * (for LZ4 in 2.0 that is FindCoordinator v0), and otherwise silently produces uncompressed
 * batches. A 100-record run with feature and msg debugging shows which happened, so a "lz4" row
 * is never quietly an uncompressed one.
 */
export async function probeCompression(p: { tool: string; bootstrap: string; topic: string; codec: Codec; scratchDir: string }): Promise<CompressionProbe> {
  const args = producerArgs({ ...p, records: 100, recordBytes: 100, acks: 1, lingerMs: 5, timeoutMs: 30_000 });
  args.push('-d', 'feature,msg');
  const run = await runTimed('rdkafka_performance compression probe', p.tool, args, { timeoutMs: 30_000, scratchDir: p.scratchDir });
  if (run.code !== 0) throw clientFailure(`rdkafka_performance compression probe (${p.codec})`, run);
  const text = `${run.stdout}\n${run.stderr}`;
  if (!text.includes(`does not support compression type ${p.codec}`)) return { compressed: true, reason: null };
  const feature = new RegExp(`Feature ${p.codec.toUpperCase()}: (.+ NOT supported by broker)`).exec(text);
  return { compressed: false, reason: feature ? `librdkafka feature check failed: ${feature[1]!}` : 'librdkafka reports the broker does not support it' };
}
