// Runs a CLI action with a connected KafkaAdmin and maps failures to exit codes the way
// every admin command does: a KafkaError (from the broker or the connection) prints one line (plus
// a hint) to stderr and exits 1; anything else propagates to main.ts.

import { KafkaAdmin } from '../client/index.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import type { Connection } from './cli-args.js';
import type { CliOutput } from './groups.js';

export const processOutput: CliOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export async function withAdmin(command: string, connection: Connection, out: CliOutput, action: (admin: KafkaAdmin) => Promise<number>): Promise<number> {
  const admin = new KafkaAdmin({ requestTimeoutMs: connection.timeoutMs, connectTimeoutMs: Math.min(connection.timeoutMs, 10_000) });
  try {
    await admin.connect(connection.bootstrap);
    return await action(admin);
  } catch (err) {
    if (!(err instanceof KafkaError)) throw err;
    out.stderr(`tideline ${command}: ${err.message}${hint(err, connection.bootstrap)}\n`);
    return 1;
  } finally {
    await admin.close();
  }
}

function hint(err: KafkaError, bootstrap: string): string {
  if (err.code === ErrorCode.NETWORK_EXCEPTION) return `\n  is a broker listening at ${bootstrap}? Point --bootstrap-server at one.`;
  if (err.code === ErrorCode.REQUEST_TIMED_OUT) return '\n  the broker did not answer in time; check that it is healthy, or raise --timeout.';
  if (err.retriable) return '\n  this is usually temporary; try again in a few seconds.';
  return '';
}
