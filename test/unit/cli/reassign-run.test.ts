// Goal: `tideline reassign` reads and checks its plan before it connects, so a plan file that is
// missing or malformed is a usage error (exit 2) whatever the cluster's state, and --help prints
// the usage with the plan format.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TidelineError, TidelineErrorCode } from '../../../src/common/errors.js';
import { runReassign } from '../../../src/cli/reassign.js';

const usage = (pattern: RegExp) => (err: unknown): boolean =>
  err instanceof TidelineError && err.code === TidelineErrorCode.CLI_USAGE && pattern.test(err.message);

function capture(): { out: { stdout(t: string): void; stderr(t: string): void }; text: () => string } {
  let text = '';
  return { out: { stdout: (t) => (text += t), stderr: (t) => (text += t) }, text: () => text };
}

test('--help prints the modes and the plan format', async () => {
  const { out, text } = capture();
  assert.equal(await runReassign(['--help'], out), 0);
  assert.match(text(), /--generate --topics T\[,T\.\.\.\] --brokers ID\[,ID\.\.\.\]/);
  assert.match(text(), /\{"version":1,"partitions":\[\{"topic":"t","partition":0,"replicas":\[1,2,3\]\}\]\}/);
});

test('a plan file that cannot be read or parsed is a usage error, before any connection', async () => {
  const { out } = capture();
  // Port 1 has no broker: reaching it would be a connection error (exit 1), not a usage error.
  const args = (file: string) => ['--execute', '--plan', file, '--bootstrap-server', '127.0.0.1:1'];
  await assert.rejects(runReassign(args('/nonexistent/plan.json'), out), usage(/cannot read the plan file \/nonexistent\/plan.json/));
  await assert.rejects(runReassign(args('-'), out, async () => '{"version":1,'), usage(/the plan in stdin is not JSON/));
  await assert.rejects(runReassign(['--verify', '--plan', 'p.json'], out, async () => '{"version":1,"partitions":[]}'), usage(/p.json has no "partitions"/));
});
