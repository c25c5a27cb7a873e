// `tideline cluster unregister --id N` (Kafka's `kafka-cluster.sh unregister`): removes a
// decommissioned broker's registration with UnregisterBroker, forwarded to the active
// controller. Move the broker's replicas away (`tideline reassign --decommission`) and stop it
// first: a running broker would register again with its next heartbeat. Exit codes as for the
// other verbs: 0 done; 1 a Kafka or connection error (BROKER_ID_NOT_REGISTERED for an unknown id);
// 2 a usage error.

import { commonOptionSpec, connectionOptions, integerOption, tokenize, usageError } from './cli-args.js';
import { processOutput, withAdmin } from './admin-run.js';
import type { CliOutput } from './groups.js';

export const CLUSTER_UNREGISTER_USAGE = `usage: tideline cluster unregister --id BROKER [--bootstrap-server HOST:PORT] [--timeout MS]
  remove a stopped broker's registration (move its replicas away first: tideline reassign --decommission)
`;

const COMMAND = 'cluster unregister';

export async function runClusterUnregister(args: readonly string[], out: CliOutput = processOutput): Promise<number> {
  const parsed = tokenize(COMMAND, args, { ...commonOptionSpec, id: 'value' });
  if (parsed.values.has('help')) {
    out.stdout(CLUSTER_UNREGISTER_USAGE);
    return 0;
  }
  if (parsed.positionals.length > 0) throw usageError(COMMAND, `takes no arguments, got "${parsed.positionals[0]}"; give the broker as --id N`);
  const brokerId = integerOption(COMMAND, parsed, 'id', 0);
  if (brokerId === undefined) throw usageError(COMMAND, 'needs --id BROKER');
  const connection = connectionOptions(COMMAND, parsed);
  return withAdmin(COMMAND, connection, out, async (admin) => {
    await admin.unregisterBroker(brokerId);
    out.stdout(`Broker ${brokerId} is no longer registered.\n`);
    return 0;
  });
}
