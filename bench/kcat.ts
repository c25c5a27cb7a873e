// The fallback load client when rdkafka_performance cannot be built: kcat, which uses the same
// librdkafka. It produces lines of a file (`-P -l`), so the payload file is written once per run
// dir, and it reports no rate of its own: the rate here is over the whole process lifetime
// (start-up, metadata and reading the file included), which understates the broker a little.

import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { runTimed } from './children.js';
import { clientFailure, makeClientRun, type ClientRun } from './client-run.js';
import type { ProduceParams } from './rdkafka-perf.js';

const LINES_PER_WRITE = 10_000;

/** `records` lines of exactly `recordBytes` printable bytes each, newline-terminated. */
export function writePayloadFile(dir: string, records: number, recordBytes: number): string {
  const path = join(dir, `payload-${records}x${recordBytes}.txt`);
  if (existsSync(path)) return path;
  const line = Buffer.alloc(recordBytes + 1, 'x');
  line[recordBytes] = 0x0a;
  const chunk = Buffer.alloc(line.length * LINES_PER_WRITE);
  for (let i = 0; i < LINES_PER_WRITE; i++) line.copy(chunk, i * line.length);
  const fd = openSync(path, 'w');
  try {
    for (let left = records; left > 0; left -= LINES_PER_WRITE) {
      writeSync(fd, chunk, 0, Math.min(left, LINES_PER_WRITE) * line.length);
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

/** The same parameters as rdkafka_performance's produce; `tool` is the kcat binary. */
export async function kcatProduce(p: ProduceParams): Promise<ClientRun> {
  const file = writePayloadFile(p.scratchDir, p.records, p.recordBytes);
  const args = ['-P', '-b', p.bootstrap, '-t', p.topic, '-l', file, '-X', `acks=${p.acks}`, '-X', `linger.ms=${p.lingerMs}`,
    '-X', 'batch.num.messages=10000', '-X', 'queue.buffering.max.messages=1000000', '-X', 'queue.buffering.max.kbytes=1048576'];
  if (p.codec !== 'none') args.push('-z', p.codec);
  const run = await runTimed('kcat -P', p.tool, args, { timeoutMs: p.timeoutMs, scratchDir: p.scratchDir });
  if (run.code !== 0) throw clientFailure(`kcat producer (${p.topic})`, run);
  return makeClientRun('kcat', p.records, p.records * p.recordBytes, run.wallMs, run);
}

export async function kcatConsume(p: { tool: string; bootstrap: string; topic: string; records: number; recordBytes: number; scratchDir: string; timeoutMs: number }): Promise<ClientRun> {
  // -f '%o\n' keeps the output small; -c stops at the count, -e at the end of every partition.
  const args = ['-C', '-b', p.bootstrap, '-t', p.topic, '-o', 'beginning', '-e', '-q', '-c', String(p.records), '-f', '%o\\n'];
  const run = await runTimed('kcat -C', p.tool, args, { timeoutMs: p.timeoutMs, scratchDir: p.scratchDir });
  if (run.code !== 0) throw clientFailure(`kcat consumer (${p.topic})`, run);
  return makeClientRun('kcat', p.records, p.records * p.recordBytes, run.wallMs, run);
}
