// Parses `tideline topics <list|create|describe|delete|alter-config> …` into a typed command.
// Options follow kafka-topics.sh and kafka-configs.sh where they overlap (--partitions,
// --replication-factor, --config k=v; --set k=v and --delete k stand in for --add-config and
// --delete-config). Every problem throws TidelineError(CLI_USAGE), exit code 2.

import { commonOptionSpec, connectionOptions, integerOption, keyValue, onePositional, tokenize, usageError, type Connection, type ParsedArgs } from './cli-args.js';

export const TOPICS_USAGE = `usage: tideline topics <command> [options]

commands:
  list                                   list topics (internal ones with --include-internal)
  create TOPIC [--partitions N] [--replication-factor N] [--config KEY=VALUE]...
  describe TOPIC                         partitions (leader, replicas, ISR, log offsets), id, configs
  delete TOPIC
  alter-config TOPIC [--set KEY=VALUE]... [--delete KEY]...
  add-partitions TOPIC --partitions N    raise the partition count to N
options:
  --bootstrap-server HOST:PORT[,...]     a broker to start from (default 127.0.0.1:9092)
  --timeout MS                           deadline of each request (default 30000)
  --json                                 print JSON instead of text (list, describe)
`;

export type TopicsCommand =
  | { kind: 'help' }
  | ({ kind: 'list'; isInternalIncluded: boolean; isJson: boolean } & Connection)
  | ({ kind: 'create'; topic: string; partitions?: number; replicationFactor?: number; configs: Record<string, string> } & Connection)
  | ({ kind: 'describe'; topic: string; isJson: boolean } & Connection)
  | ({ kind: 'delete'; topic: string } & Connection)
  | ({ kind: 'alter-config'; topic: string; sets: Record<string, string>; deletes: string[] } & Connection)
  | ({ kind: 'add-partitions'; topic: string; partitions: number } & Connection);

const specs = {
  list: { ...commonOptionSpec, 'include-internal': 'flag', json: 'flag' },
  create: { ...commonOptionSpec, partitions: 'value', 'replication-factor': 'value', config: 'value' },
  describe: { ...commonOptionSpec, json: 'flag' },
  delete: { ...commonOptionSpec },
  'alter-config': { ...commonOptionSpec, set: 'value', delete: 'value' },
  'add-partitions': { ...commonOptionSpec, partitions: 'value' },
} as const;

export function parseTopicsArgs(args: readonly string[]): TopicsCommand {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help' || sub === '-h' || sub === '--help') return { kind: 'help' };
  if (!Object.hasOwn(specs, sub)) throw usageError('topics', `unknown command "${sub}"; use ${Object.keys(specs).join(', ')}`);
  const kind = sub as keyof typeof specs;
  const command = `topics ${kind}`;
  const parsed = tokenize(command, rest, specs[kind]);
  if (parsed.values.has('help')) return { kind: 'help' };
  const connection = connectionOptions(command, parsed);
  const isJson = parsed.values.has('json');
  if (kind === 'list') {
    if (parsed.positionals.length > 0) throw usageError(command, `takes no arguments, got "${parsed.positionals[0]}"`);
    return { kind, isInternalIncluded: parsed.values.has('include-internal'), isJson, ...connection };
  }
  const topic = onePositional(command, parsed, 'TOPIC');
  switch (kind) {
    case 'create':
      return { kind, topic, ...optionalCounts(command, parsed), configs: pairs(command, parsed, 'config'), ...connection };
    case 'describe':
      return { kind, topic, isJson, ...connection };
    case 'delete':
      return { kind, topic, ...connection };
    case 'alter-config': {
      const sets = pairs(command, parsed, 'set');
      const deletes = parsed.values.get('delete') ?? [];
      if (Object.keys(sets).length === 0 && deletes.length === 0) throw usageError(command, 'needs --set KEY=VALUE or --delete KEY');
      const both = deletes.find((k) => k in sets);
      if (both !== undefined) throw usageError(command, `"${both}" is both set and deleted; give one`);
      return { kind, topic, sets, deletes, ...connection };
    }
    default: {
      const partitions = integerOption(command, parsed, 'partitions', 1);
      if (partitions === undefined) throw usageError(command, 'needs --partitions N');
      return { kind, topic, partitions, ...connection };
    }
  }
}

function optionalCounts(command: string, parsed: ParsedArgs): { partitions?: number; replicationFactor?: number } {
  const partitions = integerOption(command, parsed, 'partitions', 1);
  const replicationFactor = integerOption(command, parsed, 'replication-factor', 1);
  return { ...(partitions === undefined ? {} : { partitions }), ...(replicationFactor === undefined ? {} : { replicationFactor }) };
}

function pairs(command: string, parsed: ParsedArgs, option: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const text of parsed.values.get(option) ?? []) {
    const [key, value] = keyValue(command, option, text);
    if (key in result) throw usageError(command, `--${option} ${key} given twice`);
    result[key] = value;
  }
  return result;
}
