// Parses `tideline reassign …` into a typed command. Like kafka-reassign-partitions.sh, the mode
// is an option (--generate, --execute, --verify, --cancel, --list) and a plan is a JSON file;
// --topics and --brokers stand in for Kafka's --topics-to-move-json-file and --broker-list, and
// --decommission BROKER (not in Kafka's tool) proposes emptying one broker. Every problem throws
// TidelineError(CLI_USAGE), exit code 2.

import { commonOptionSpec, connectionOptions, single, tokenize, usageError, type Connection, type OptionSpec, type ParsedArgs } from './cli-args.js';

export const REASSIGN_USAGE = `usage: tideline reassign <mode> [options]

modes (give one):
  --generate --topics T[,T...] --brokers ID[,ID...]
                             print the current assignment of the topics and a balanced one over
                             the brokers (same replication factor, rack-aware when they have racks)
  --decommission BROKER      print the current assignment of the partitions on BROKER and one
                             that moves each of those replicas to the least-loaded other broker
  --execute --plan FILE [--wait]
                             start the reassignments in the plan (FILE - reads stdin); with
                             --wait, show progress until they are all complete
  --verify --plan FILE [--elect-preferred] [--wait]
                             say per partition whether its reassignment is complete or in
                             progress; exit 0 once all are complete, 1 otherwise. With --wait,
                             first wait (showing progress) while any is in progress. With
                             --elect-preferred, then move leadership of the complete ones to
                             their first replica
  --cancel --plan FILE       cancel the plan's reassignments that are still in progress
  --list                     list every reassignment in progress
plan: {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}]}
  the first replica is the preferred leader; --generate and --decommission print plans to save
options:
  --bootstrap-server HOST:PORT[,...]   a broker to start from (default 127.0.0.1:9092)
  --timeout MS                         deadline of each request (default 30000)
`;

export type ReassignCommand =
  | { kind: 'help' }
  | ({ kind: 'generate'; topics: string[]; brokers: number[] } & Connection)
  | ({ kind: 'decommission'; brokerId: number } & Connection)
  | ({ kind: 'execute'; planFile: string; isWaiting: boolean } & Connection)
  | ({ kind: 'verify'; planFile: string; shouldElectPreferred: boolean; isWaiting: boolean } & Connection)
  | ({ kind: 'cancel'; planFile: string } & Connection)
  | ({ kind: 'list' } & Connection);

const MODES = ['generate', 'decommission', 'execute', 'verify', 'cancel', 'list'] as const;
type Mode = (typeof MODES)[number];

const spec: OptionSpec = {
  ...commonOptionSpec,
  generate: 'flag',
  decommission: 'value',
  execute: 'flag',
  verify: 'flag',
  cancel: 'flag',
  list: 'flag',
  topics: 'value',
  brokers: 'value',
  plan: 'value',
  'elect-preferred': 'flag',
  wait: 'flag',
};

/** The options each mode takes besides the connection ones. */
const MODE_OPTIONS: Record<Mode, readonly string[]> = {
  generate: ['topics', 'brokers'],
  decommission: [],
  execute: ['plan', 'wait'],
  verify: ['plan', 'elect-preferred', 'wait'],
  cancel: ['plan'],
  list: [],
};

const COMMAND = 'reassign';

export function parseReassignArgs(args: readonly string[]): ReassignCommand {
  if (args.length === 0 || args[0] === 'help') return { kind: 'help' };
  const parsed = tokenize(COMMAND, args, spec);
  if (parsed.values.has('help')) return { kind: 'help' };
  if (parsed.positionals.length > 0) throw usageError(COMMAND, `takes no arguments, got "${parsed.positionals[0]}"; the mode is an option such as --execute`);
  const mode = modeOf(parsed);
  const stray = [...parsed.values.keys()].find((name) => !(name in commonOptionSpec) && name !== mode && !MODE_OPTIONS[mode].includes(name));
  if (stray !== undefined) throw usageError(COMMAND, `--${stray} does not go with --${mode}`);
  const connection = connectionOptions(COMMAND, parsed);
  switch (mode) {
    case 'generate':
      return { kind: mode, topics: topicList(required(parsed, 'topics', mode)), brokers: brokerList(required(parsed, 'brokers', mode)), ...connection };
    case 'decommission':
      return { kind: mode, brokerId: brokerId('decommission', single(COMMAND, parsed, 'decommission')!), ...connection };
    case 'verify':
      return { kind: mode, planFile: required(parsed, 'plan', mode), shouldElectPreferred: parsed.values.has('elect-preferred'), isWaiting: parsed.values.has('wait'), ...connection };
    case 'execute':
      return { kind: mode, planFile: required(parsed, 'plan', mode), isWaiting: parsed.values.has('wait'), ...connection };
    case 'cancel':
      return { kind: mode, planFile: required(parsed, 'plan', mode), ...connection };
    default:
      return { kind: mode, ...connection };
  }
}

function modeOf(parsed: ParsedArgs): Mode {
  const given = MODES.filter((m) => parsed.values.has(m));
  if (given.length === 0) throw usageError(COMMAND, `needs a mode: one of ${MODES.map((m) => `--${m}`).join(', ')}`);
  if (given.length > 1) throw usageError(COMMAND, `give one mode, not ${given.map((m) => `--${m}`).join(' and ')}`);
  const mode = given[0]!;
  if (parsed.values.get(mode)!.length > 1) throw usageError(COMMAND, `--${mode} given twice`);
  return mode;
}

function required(parsed: ParsedArgs, name: string, mode: Mode): string {
  const value = single(COMMAND, parsed, name);
  if (value === undefined || value === '') throw usageError(COMMAND, `--${mode} needs --${name}`);
  return value;
}

/** `a,b,c`: names without blanks, none twice. */
export function topicList(text: string): string[] {
  const names = text.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw usageError(COMMAND, `--topics expects names separated by commas, got "${text}"`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw usageError(COMMAND, `--topics names ${twice} twice`);
  return names;
}

/** `1,2,4`: broker ids, none twice, in the order given. */
export function brokerList(text: string): number[] {
  const ids = text.split(',').map((s) => brokerId('brokers', s));
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw usageError(COMMAND, `--brokers names broker ${twice} twice`);
  return ids;
}

function brokerId(option: string, text: string): number {
  const trimmed = text.trim();
  const id = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isSafeInteger(id) || id > 2 ** 31 - 1) throw usageError(COMMAND, `--${option} expects broker ids (integers from 0), got "${text}"`);
  return id;
}
