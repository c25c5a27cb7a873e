// Entry point of the `tideline` command: picks the subcommand and turns Tideline's own errors
// into a one-line message and an exit code. Every command keeps to the same codes (README,
// "Exit codes"): 0 done; 1 the work failed (a broker error or unreachable broker, a missing
// topic or group, a node that would not start); 2 the command line or configuration is wrong and
// running it again unchanged cannot help.

import { TidelineError, TidelineErrorCode, type TidelineErrorCodeValue } from '../common/errors.js';

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

// Each command's module is imported when it runs: the demo's (SQLite, a second Kafka client) takes
// most of a second to load, which a `tideline topics list` should not wait for.
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return (await import('./start.js')).runStart(rest);
    case 'groups':
      return (await import('./groups.js')).runGroups(rest);
    case 'topics':
      return (await import('./topics.js')).runTopics(rest);
    case 'produce':
      return (await import('./produce.js')).runProduce(rest);
    case 'consume':
      return (await import('./consume.js')).runConsume(rest);
    case 'reassign':
      return (await import('./reassign.js')).runReassign(rest);
    case 'cluster':
      return (await import('./cluster.js')).runCluster(rest);
    case 'demo':
      return (await import('./demo.js')).runDemo(rest);
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

/** Tideline's own errors that are failures of the run rather than of what was asked. */
const FAILURE_CODES = new Set<TidelineErrorCodeValue>([TidelineErrorCode.CLUSTER_START, TidelineErrorCode.STORAGE_LOCKED]);

function hintFor(err: TidelineError, command: string | undefined): string {
  if (err.code === TidelineErrorCode.CLI_USAGE && !err.message.includes('--help')) {
    return `\n  \`tideline ${command === undefined || command.startsWith('-') ? '' : `${command} `}--help\` shows the usage.`;
  }
  if (err.code === TidelineErrorCode.STORAGE_LOCKED) return '\n  another broker uses this log dir: stop it, or give this one its own log.dirs.';
  return '';
}

// `tideline consume … | head`: once the reader is gone there is nothing left to do, so end quietly
// (exit 0, as other console tools do) unless the command handles it itself (consume --group
// leaves its group first).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (process.stdout.listenerCount('error') > 1) return;
  if (err.code !== 'EPIPE') process.stderr.write(`tideline: cannot write to stdout: ${err.message}\n`);
  process.exit(err.code === 'EPIPE' ? 0 : 1);
});

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof TidelineError) {
      process.stderr.write(`tideline: ${err.message} [${err.code}]${hintFor(err, argv[0])}\n`);
      process.exitCode = FAILURE_CODES.has(err.code) ? 1 : 2;
    } else {
      process.stderr.write(`tideline: unexpected failure (a bug in tideline; please report it with this output): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
