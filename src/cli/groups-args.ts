// Parses `tideline groups <list|describe|reset-offsets> …` into a typed command. Options follow
// kafka-consumer-groups.sh where they overlap (--bootstrap-server, --topic T:P,P, --to-earliest,
// --shift-by, --dry-run/--execute). Every problem throws TidelineError(CLI_USAGE) with a message
// that says what to write instead; the CLI turns it into exit code 2.

import { TidelineError, TidelineErrorCode } from '../common/errors.js';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Kafka's classic group state names; `--state` values match them case-insensitively. */
export const GROUP_STATES = ['Empty', 'Stable', 'PreparingRebalance', 'CompletingRebalance', 'Dead', 'Assigning', 'Reconciling'] as const;

export const GROUPS_USAGE = `usage: tideline groups <command> [options]

commands:
  list [--state [STATE,...]]                      list groups, with their state given --state
  describe GROUP [--members [--verbose] | --state] show offsets and lag, members, or state
  reset-offsets GROUP (--topic T[:P,P]... | --all-topics)
      (--to-earliest | --to-latest | --to-offset N | --shift-by N | --to-datetime ISO)
      [--dry-run | --execute]                     plan (default) or commit new offsets; the group
                                                  must have no members
options:
  --bootstrap-server HOST:PORT[,HOST:PORT]  a broker to start from (default ${DEFAULT_BOOTSTRAP})
  --timeout MS                              deadline of each request (default ${DEFAULT_TIMEOUT_MS})
  --json                                    print JSON instead of a table
`;

export interface CommonOptions {
  bootstrap: string;
  timeoutMs: number;
  isJson: boolean;
}

export interface TopicTarget {
  topic: string;
  /** Null means every partition of the topic. */
  partitions: number[] | null;
}

export type ResetStrategy =
  | { kind: 'to-earliest' }
  | { kind: 'to-latest' }
  | { kind: 'to-offset'; offset: number }
  | { kind: 'shift-by'; delta: number }
  | { kind: 'to-datetime'; timestampMs: number };

export type GroupsCommand =
  | { kind: 'help' }
  | ({ kind: 'list'; isStateShown: boolean; states: string[] } & CommonOptions)
  | ({ kind: 'describe'; groupId: string; view: 'offsets' | 'members' | 'state'; isVerbose: boolean } & CommonOptions)
  | ({ kind: 'reset-offsets'; groupId: string; targets: TopicTarget[] | 'all-topics'; strategy: ResetStrategy; isExecute: boolean; isDryRunExplicit: boolean } & CommonOptions);

type OptionKind = 'flag' | 'value' | 'optional-value';
type Parsed = { values: Map<string, string[]>; positionals: string[] };

const commonSpec: Record<string, OptionKind> = { 'bootstrap-server': 'value', timeout: 'value', json: 'flag', help: 'flag' };
const specs: Record<string, Record<string, OptionKind>> = {
  list: { ...commonSpec, state: 'optional-value' },
  describe: { ...commonSpec, group: 'value', members: 'flag', state: 'flag', offsets: 'flag', verbose: 'flag' },
  'reset-offsets': {
    ...commonSpec, group: 'value', topic: 'value', 'all-topics': 'flag', 'to-earliest': 'flag', 'to-latest': 'flag',
    'to-offset': 'value', 'shift-by': 'value', 'to-datetime': 'value', 'dry-run': 'flag', execute: 'flag',
  },
};

export function usageError(message: string): TidelineError {
  return new TidelineError(TidelineErrorCode.CLI_USAGE, `groups: ${message}`);
}

export function parseGroupsArgs(args: readonly string[]): GroupsCommand {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help' || sub === '-h' || sub === '--help') return { kind: 'help' };
  const spec = specs[sub];
  if (spec === undefined) throw usageError(`unknown command "${sub}"; use list, describe or reset-offsets`);
  const parsed = tokenize(sub, rest, spec);
  if (parsed.values.has('help')) return { kind: 'help' };
  const common = parseCommon(parsed);
  if (sub === 'list') return parseList(parsed, common);
  if (sub === 'describe') return parseDescribe(parsed, common);
  return parseReset(parsed, common);
}

/** Splits `--name value`, `--name=value` and flags from positionals, checking names against `spec`. */
function tokenize(sub: string, args: readonly string[], spec: Record<string, OptionKind>): Parsed {
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      if (arg !== '--' && arg.startsWith('-') && arg.length > 1) throw usageError(`unknown option "${arg}" for ${sub}; options start with --`);
      positionals.push(...(arg === '--' ? args.slice(i + 1) : [arg]));
      if (arg === '--') break;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (kind === undefined) throw usageError(`unknown option --${name} for ${sub}; see tideline groups --help`);
    let value = eq < 0 ? undefined : arg.slice(eq + 1);
    if (kind === 'flag' && value !== undefined) throw usageError(`--${name} takes no value`);
    if (kind === 'value' && value === undefined) {
      value = args[++i];
      if (value === undefined) throw usageError(`--${name} needs a value`);
    }
    if (kind === 'optional-value' && value === undefined && i + 1 < args.length && !args[i + 1]!.startsWith('-')) value = args[++i];
    values.set(name, [...(values.get(name) ?? []), value ?? '']);
  }
  return { values, positionals };
}

function single(parsed: Parsed, name: string): string | undefined {
  const all = parsed.values.get(name);
  if (all !== undefined && all.length > 1) throw usageError(`--${name} given ${all.length} times; give it once`);
  return all?.[0];
}

function parseCommon(parsed: Parsed): CommonOptions {
  const bootstrap = single(parsed, 'bootstrap-server') ?? DEFAULT_BOOTSTRAP;
  if (!/^(\[[^\]]+\]|[^:,\s]+):\d{1,5}(,(\[[^\]]+\]|[^:,\s]+):\d{1,5})*$/.test(bootstrap)) {
    throw usageError(`--bootstrap-server "${bootstrap}" is not HOST:PORT (e.g. ${DEFAULT_BOOTSTRAP})`);
  }
  const timeout = single(parsed, 'timeout');
  const timeoutMs = timeout === undefined ? DEFAULT_TIMEOUT_MS : parseInteger('--timeout', timeout);
  if (timeoutMs <= 0) throw usageError('--timeout must be a positive number of milliseconds');
  return { bootstrap, timeoutMs, isJson: parsed.values.has('json') };
}

function parseList(parsed: Parsed, common: CommonOptions): GroupsCommand {
  if (parsed.positionals.length > 0) throw usageError(`list takes no arguments, got "${parsed.positionals[0]}"`);
  const state = single(parsed, 'state');
  const states = state === undefined || state === '' ? [] : state.split(',').map((s) => canonicalState(s.trim()));
  return { kind: 'list', isStateShown: state !== undefined, states, ...common };
}

function parseDescribe(parsed: Parsed, common: CommonOptions): GroupsCommand {
  const groupId = groupArgument(parsed, 'describe');
  const views = (['members', 'state', 'offsets'] as const).filter((v) => parsed.values.has(v));
  if (views.length > 1) throw usageError(`give one of --members, --state or --offsets, not ${views.map((v) => `--${v}`).join(' and ')}`);
  const view = views[0] ?? 'offsets';
  const isVerbose = parsed.values.has('verbose');
  if (isVerbose && view !== 'members') throw usageError('--verbose goes with --members');
  return { kind: 'describe', groupId, view, isVerbose, ...common };
}

function parseReset(parsed: Parsed, common: CommonOptions): GroupsCommand {
  const groupId = groupArgument(parsed, 'reset-offsets');
  const topics = parsed.values.get('topic') ?? [];
  const isAllTopics = parsed.values.has('all-topics');
  if (topics.length === 0 && !isAllTopics) throw usageError('reset-offsets needs --topic TOPIC[:PARTITION,...] or --all-topics');
  if (topics.length > 0 && isAllTopics) throw usageError('give --topic or --all-topics, not both');
  const isExecute = parsed.values.has('execute');
  const isDryRunExplicit = parsed.values.has('dry-run');
  if (isExecute && isDryRunExplicit) throw usageError('give --dry-run or --execute, not both');
  return {
    kind: 'reset-offsets',
    groupId,
    targets: isAllTopics ? 'all-topics' : topics.map(parseTopicTarget),
    strategy: parseStrategy(parsed),
    isExecute,
    isDryRunExplicit,
    ...common,
  };
}

function groupArgument(parsed: Parsed, sub: string): string {
  const fromOption = single(parsed, 'group');
  const candidates = [...(fromOption === undefined ? [] : [fromOption]), ...parsed.positionals];
  if (candidates.length === 0) throw usageError(`${sub} needs a GROUP`);
  if (candidates.length > 1) throw usageError(`${sub} takes one GROUP, got ${candidates.map((c) => `"${c}"`).join(', ')}`);
  if (candidates[0] === '') throw usageError('the GROUP must not be empty');
  return candidates[0]!;
}

/** `T` (every partition) or `T:0,2,5`. Kafka topic names cannot contain ':'. */
export function parseTopicTarget(text: string): TopicTarget {
  const colon = text.indexOf(':');
  const topic = colon < 0 ? text : text.slice(0, colon);
  if (topic === '') throw usageError(`--topic "${text}" names no topic; write TOPIC or TOPIC:0,1`);
  if (colon < 0) return { topic, partitions: null };
  const partitions = text.slice(colon + 1).split(',').map((p) => {
    const partition = /^\d+$/.test(p.trim()) ? Number(p.trim()) : NaN;
    if (!Number.isSafeInteger(partition) || partition > 0x7fffffff) throw usageError(`--topic "${text}": "${p}" is not a partition number`);
    return partition;
  });
  return { topic, partitions: [...new Set(partitions)].sort((a, b) => a - b) };
}

function parseStrategy(parsed: Parsed): ResetStrategy {
  const given = ['to-earliest', 'to-latest', 'to-offset', 'shift-by', 'to-datetime'].filter((s) => parsed.values.has(s));
  if (given.length !== 1) {
    const why = given.length === 0 ? 'needs' : `got ${given.map((s) => `--${s}`).join(' and ')}; give only`;
    throw usageError(`reset-offsets ${why} one of --to-earliest, --to-latest, --to-offset N, --shift-by N, --to-datetime ISO`);
  }
  const kind = given[0]!;
  const value = single(parsed, kind) ?? '';
  switch (kind) {
    case 'to-earliest':
      return { kind };
    case 'to-latest':
      return { kind };
    case 'to-offset': {
      const offset = parseInteger('--to-offset', value);
      if (offset < 0) throw usageError('--to-offset must be 0 or more');
      return { kind, offset };
    }
    case 'shift-by':
      return { kind, delta: parseInteger('--shift-by', value) };
    default:
      return { kind: 'to-datetime', timestampMs: parseDatetime(value) };
  }
}

export function parseInteger(option: string, text: string): number {
  const n = /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n)) throw usageError(`${option} expects an integer, got "${text}"`);
  return n;
}

/**
 * An ISO-8601 date-time such as 2024-05-01T12:00:00.000Z or 2024-05-01T14:00:00+02:00. Without a
 * zone it is local time, as kafka-consumer-groups reads it.
 */
export function parseDatetime(text: string): number {
  const isIso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text);
  const ms = isIso ? Date.parse(normalizeZone(text)) : NaN;
  if (!Number.isFinite(ms) || ms < 0) throw usageError(`--to-datetime expects YYYY-MM-DDTHH:mm:SS[.sss][Z|+HH:MM], got "${text}"`);
  return ms;
}

/** Date.parse wants `+02:00`; Kafka also accepts `+0200`. */
function normalizeZone(text: string): string {
  return text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}

function canonicalState(text: string): string {
  const state = GROUP_STATES.find((s) => s.toLowerCase() === text.toLowerCase());
  if (state === undefined) throw usageError(`--state "${text}" is not a group state; use ${GROUP_STATES.join(', ')}`);
  return state;
}
