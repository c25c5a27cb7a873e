// Runs a CLI action with a connected KafkaAdmin and maps failures to exit codes the way
// every admin command does: a KafkaError (from the broker or the connection) prints one line plus
// a hint on what to do to stderr and exits 1; anything else propagates to main.ts. A bootstrap
// server that cannot be reached gets its own message, since it is the most common first mistake.

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
    try {
      await admin.connect(connection.bootstrap);
    } catch (err) {
      if (!(err instanceof KafkaError)) throw err;
      out.stderr(`tideline ${command}: ${unreachable(connection.bootstrap, err)}\n`);
      return 1;
    }
    return await action(admin);
  } catch (err) {
    if (!(err instanceof KafkaError)) throw err;
    out.stderr(`tideline ${command}: ${err.message}${hint(err, connection.bootstrap)}\n`);
    return 1;
  } finally {
    await admin.close();
  }
}

/** `cannot reach a broker at HOST:PORT (ECONNREFUSED) — is it running? …` */
export function unreachable(bootstrap: string, err: Error): string {
  const reason = /\(([A-Z_]+)\)\s*$/.exec(err.message)?.[1] ?? err.message.replace(/^[A-Z_]+: /, '');
  return `cannot reach a broker at ${bootstrap} (${reason}) — is it running? Start one with \`tideline start\`, or point --bootstrap-server at a running broker.`;
}

function hint(err: KafkaError, bootstrap: string): string {
  switch (err.code) {
    case ErrorCode.NETWORK_EXCEPTION:
      return `\n  the connection to the cluster (bootstrap ${bootstrap}) was lost; check that its brokers are running and try again.`;
    case ErrorCode.REQUEST_TIMED_OUT:
      return '\n  the broker did not answer in time; check that it is healthy, or raise --timeout.';
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      return '\n  `tideline topics list` shows the topics there are.';
    case ErrorCode.TOPIC_ALREADY_EXISTS:
      return '\n  `tideline topics describe TOPIC` shows it; delete it first to create it anew.';
    case ErrorCode.GROUP_ID_NOT_FOUND:
      return '\n  `tideline groups list` shows the groups there are.';
    default:
      return err.retriable ? '\n  this is usually temporary; try again in a few seconds.' : '';
  }
}
