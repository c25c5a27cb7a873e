// The frame shared by the benchmarks that manage their own servers (`cluster`, `footprint`,
// `peers`): repo root, load client, scratch dir, load averages, machine description, and the
// JSON + markdown files under bench/results/. Each benchmark supplies only its body, which
// returns the result to store and the markdown tables to print. Every process the body starts
// through children.ts is stopped afterwards, on failure too.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAll } from './children.js';
import { INSTALL_HINT, prepareLoadTool, type LoadTool } from './load-tool.js';
import { findRepoRoot } from './repo-root.js';
import { machineInfo, writeResults } from './report.js';

export interface StandaloneContext {
  repoRoot: string;
  tool: LoadTool;
  scratchDir: string;
  log: (s: string) => void;
}

export interface StandaloneOutcome {
  result: object;
  /** Markdown sections, printed in order and saved beside the JSON. */
  tables: string[];
  isFailed: boolean;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Load averages (1/5/15 min) now, rounded: stored with each phase a benchmark measures. */
export const loadNow = (): number[] => loadavg().map(round2);

export const log = (s: string): void => void process.stderr.write(`${s}\n`);

export async function runStandalone(name: string, options: object, body: (ctx: StandaloneContext) => Promise<StandaloneOutcome>, opts: { keep?: boolean } = {}): Promise<number> {
  const repoRoot = findRepoRoot();
  const startedAt = new Date();
  const loadBefore = loadNow();
  const tool = prepareLoadTool(repoRoot, { forceKcat: false });
  if (tool.kind === 'kcat') log(`NOTE: ${tool.fallbackReason}\nNOTE: falling back to kcat; ${INSTALL_HINT}`);
  else log(`client: ${tool.path} (librdkafka ${tool.librdkafkaVersion ?? 'unknown'})`);
  const scratchDir = mkdtempSync(join(tmpdir(), `tideline-bench-${name}-`));
  if (!opts.keep) process.on('exit', () => rmSync(scratchDir, { recursive: true, force: true }));
  let outcome: StandaloneOutcome;
  try {
    outcome = await body({ repoRoot, tool, scratchDir, log });
  } finally {
    await stopAll();
  }
  const machine = machineInfo(repoRoot, tool.librdkafkaVersion);
  const load = { before: loadBefore, after: loadNow() };
  const resultPath = writeResults(repoRoot, startedAt, { benchmark: name, startedAt: startedAt.toISOString(), machine, options, client: tool, load, ...outcome.result }, null);
  const markdown = [
    `## ${name} — ${machine.nproc} vCPU ${machine.cpuModel}, ${machine.memTotalGiB} GiB, Node ${machine.node}, librdkafka ${machine.librdkafka ?? '?'}, commit ${machine.gitCommit ?? '?'}`,
    '',
    `Load average (1/5/15 min) before: ${load.before.join(' ')}; after: ${load.after.join(' ')}.`,
    '',
    ...outcome.tables.flatMap((t) => [t, '']),
  ].join('\n');
  const markdownPath = resultPath.replace(/\.json$/, '.md');
  writeFileSync(markdownPath, markdown);
  process.stdout.write(`${markdown}results: ${resultPath}, ${markdownPath}\n`);
  if (opts.keep) log(`scratch dir kept: ${scratchDir}`);
  return outcome.isFailed ? 1 : 0;
}
