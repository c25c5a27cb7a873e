// Entry point of the `tideline` command: picks the subcommand and turns Tideline's own errors
// into a one-line message and a non-zero exit code (2 for usage and configuration problems).

import { TidelineError } from '../common/errors.js';
import { runDemo } from './demo.js';
import { runGroups } from './groups.js';
import { runCluster } from './cluster.js';
import { runConsume } from './consume.js';
import { runProduce } from './produce.js';
import { runReassign } from './reassign.js';
import { runTopics } from './topics.js';
import { runStart } from './start.js';

const USAGE = `usage: tideline <command> [options]

commands:
  start [--config FILE] [--override key=value]...   run a broker (Kafka config names)
  groups <list|describe|reset-offsets> [options]    consumer groups (tideline groups --help)
  topics <list|create|describe|delete|alter-config|add-partitions>   topics (tideline topics --help)
  produce TOPIC [options]                           write stdin lines as records (tideline produce --help)
  consume TOPIC [options]                           print records (tideline consume --help)
  reassign <mode> [options]                         move partitions between brokers (tideline reassign --help)
  cluster describe                                  cluster id, controller and brokers
  cluster unregister --id N                         remove a stopped, emptied broker's registration
  cluster --nodes N [--dir DIR]                     run a local N-node cluster of separate processes
  demo gps [options]                                the delivery-partner GPS scenario (tideline demo --help)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return runStart(rest);
    case 'groups':
      return runGroups(rest);
    case 'topics':
      return runTopics(rest);
    case 'produce':
      return runProduce(rest);
    case 'consume':
      return runConsume(rest);
    case 'reassign':
      return runReassign(rest);
    case 'cluster':
      return runCluster(rest);
    case 'demo':
      return runDemo(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`tideline: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof TidelineError) {
      process.stderr.write(`tideline: ${err.message} [${err.code}]\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`tideline: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
