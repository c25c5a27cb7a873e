// `tideline cluster describe`: the cluster id, the active controller and every broker with its
// endpoint, from a Metadata request (which any broker answers, unlike DescribeCluster's
// controller endpoints). Exit codes as for the other verbs: 0, 1 Kafka/connection, 2 usage.

import { commonOptionSpec, connectionOptions, tokenize, usageError } from './cli-args.js';
import { processOutput, withAdmin } from './admin-run.js';
import { formatJson, formatTable } from './format.js';
import { CLUSTER_RUN_USAGE, runLocalCluster } from './cluster-run.js';
import { CLUSTER_UNREGISTER_USAGE, runClusterUnregister } from './cluster-unregister.js';
import type { CliOutput } from './groups.js';

export const CLUSTER_USAGE = `usage: tideline cluster describe [--bootstrap-server HOST:PORT] [--timeout MS] [--json]
  the cluster id, the controller, and each broker with its endpoint and rack
${CLUSTER_UNREGISTER_USAGE}${CLUSTER_RUN_USAGE}`;

export async function runCluster(args: readonly string[], out: CliOutput = processOutput): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help' || sub === '-h' || sub === '--help') {
    out.stdout(CLUSTER_USAGE);
    return 0;
  }
  if (sub.startsWith('--nodes') || sub === '--dir') return runLocalCluster(args);
  if (sub === 'unregister') return runClusterUnregister(rest, out);
  if (sub !== 'describe') throw usageError('cluster', `unknown command "${sub}"; use describe, unregister or --nodes N`);
  const parsed = tokenize('cluster describe', rest, { ...commonOptionSpec, json: 'flag' });
  if (parsed.values.has('help')) {
    out.stdout(CLUSTER_USAGE);
    return 0;
  }
  if (parsed.positionals.length > 0) throw usageError('cluster describe', `takes no arguments, got "${parsed.positionals[0]}"`);
  const connection = connectionOptions('cluster describe', parsed);
  return withAdmin('cluster describe', connection, out, async (admin) => {
    const metadata = await admin.metadata([]);
    const brokers = [...metadata.brokers].sort((a, b) => a.nodeId - b.nodeId);
    if (parsed.values.has('json')) {
      out.stdout(formatJson({ clusterId: metadata.clusterId, controllerId: metadata.controllerId, brokers }));
      return 0;
    }
    out.stdout(`Cluster ID: ${metadata.clusterId ?? '-'}\nController: ${metadata.controllerId < 0 ? 'none' : metadata.controllerId}\n`);
    out.stdout(formatTable(['BROKER', 'HOST', 'PORT', 'RACK', 'CONTROLLER'], brokers.map((b) => [b.nodeId, b.host, b.port, b.rack, b.nodeId === metadata.controllerId ? 'yes' : ''])));
    return 0;
  });
}
