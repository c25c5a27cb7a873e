// Creates and deletes a benchmark's topics through Tideline's own CLI (`tideline topics create`,
// `delete`), as a user would: a benchmark can set partitions and topic configs that auto-creation
// does not, and remove what it measured so later points do not carry its partitions.

import { join } from 'node:path';
import { runTimed } from './children.js';

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor?: number;
  /** Topic configs, e.g. { 'flush.messages': '1' }. */
  configs?: Readonly<Record<string, string>>;
}

export async function createTopic(repoRoot: string, bootstrap: string, spec: TopicSpec, scratchDir: string): Promise<void> {
  const args = ['create', spec.topic, '--partitions', String(spec.partitions)];
  if (spec.replicationFactor !== undefined) args.push('--replication-factor', String(spec.replicationFactor));
  for (const [key, value] of Object.entries(spec.configs ?? {})) args.push('--config', `${key}=${value}`);
  await runTopicsCommand(repoRoot, bootstrap, args, scratchDir);
}

/** Deletes a topic through `tideline topics delete`, as a benchmark does with its topics once measured. */
export async function deleteTopic(repoRoot: string, bootstrap: string, topic: string, scratchDir: string): Promise<void> {
  await runTopicsCommand(repoRoot, bootstrap, ['delete', topic], scratchDir);
}

/** `tideline topics VERB …` against `bootstrap`; throws with its output unless it exits 0. */
async function runTopicsCommand(repoRoot: string, bootstrap: string, verbArgs: string[], scratchDir: string): Promise<void> {
  const what = `tideline topics ${verbArgs[0]}`;
  const args = [join(repoRoot, 'bin', 'tideline.js'), 'topics', ...verbArgs, '--bootstrap-server', bootstrap];
  const run = await runTimed(what, process.execPath, args, { timeoutMs: 60_000, scratchDir, cwd: repoRoot });
  if (run.code !== 0) throw new Error(`${what} ${verbArgs[1]} failed (code ${run.code}): ${run.stderr.trim() || run.stdout.trim()}`);
}
