// Creates a topic for a benchmark through Tideline's own CLI (`tideline topics create`), as a
// user would, so that a benchmark can set partitions and topic configs that auto-creation does not.

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
  const args = [join(repoRoot, 'bin', 'tideline.js'), 'topics', 'create', spec.topic, '--partitions', String(spec.partitions), '--bootstrap-server', bootstrap];
  if (spec.replicationFactor !== undefined) args.push('--replication-factor', String(spec.replicationFactor));
  for (const [key, value] of Object.entries(spec.configs ?? {})) args.push('--config', `${key}=${value}`);
  const run = await runTimed('tideline topics create', process.execPath, args, { timeoutMs: 60_000, scratchDir, cwd: repoRoot });
  if (run.code !== 0) throw new Error(`tideline topics create ${spec.topic} failed (code ${run.code}): ${run.stderr.trim() || run.stdout.trim()}`);
}
