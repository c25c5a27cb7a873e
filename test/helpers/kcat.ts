// Runs kcat 1.7 (librdkafka 2.0.2) from the system path with a bounded time. kcat is a black-box
// Kafka client here: tests feed it stdin or files and parse what it prints.

import { runProcess, type RunOptions, type RunResult } from './run-process.js';

export const kcatPath = '/usr/bin/kcat';

/** Runs kcat; rejects on a non-zero exit (unless allowFailure) or when timeoutMs passes. */
export function kcat(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return runProcess(kcatPath, args, { timeoutMs: 30_000, ...opts });
}

/** One line of `kcat -C -J` output. */
export interface KcatMessage {
  topic: string;
  partition: number;
  offset: number;
  tstype: string;
  ts: number;
  broker: number;
  headers?: string[] | Record<string, string>;
  key: string | null;
  payload: string | null;
}

export function parseKcatJsonLines(stdout: string): KcatMessage[] {
  const messages: KcatMessage[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    messages.push(JSON.parse(line) as KcatMessage);
  }
  return messages;
}

/** Produces `key:value` lines (see records.ts kcatKeyedLines) with acks=all; extra args e.g. -z, -H. */
export function kcatProduceKeyed(
  bootstrap: string,
  topic: string,
  input: string,
  extraArgs: readonly string[] = [],
  timeoutMs = 45_000,
): Promise<RunResult> {
  const args = ['-P', '-b', bootstrap, '-t', topic, '-K:', '-X', 'acks=all', '-X', 'message.timeout.ms=30000', '-m', '10'];
  return kcat([...args, ...extraArgs], { stdin: input, timeoutMs });
}

/** Consumes with -J from `offset` (default beginning) until the end of every partition (-e). */
export async function kcatConsumeJson(
  bootstrap: string,
  topic: string,
  extraArgs: readonly string[] = [],
  timeoutMs = 45_000,
): Promise<KcatMessage[]> {
  const hasOffset = extraArgs.includes('-o');
  const args = ['-C', '-b', bootstrap, '-t', topic, '-e', '-J', '-q', '-m', '10', ...(hasOffset ? [] : ['-o', 'beginning'])];
  const result = await kcat([...args, ...extraArgs], { timeoutMs });
  return parseKcatJsonLines(result.stdout);
}
