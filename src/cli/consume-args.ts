// Parses `tideline consume TOPIC …` (kafka-console-consumer in spirit): without --group it reads
// partitions directly; with --group it is a member of that consumer group. Usage errors throw
// TidelineError(CLI_USAGE), exit code 2.

import { commonOptionSpec, connectionOptions, integerOption, onePositional, single, tokenize, usageError, type Connection } from './cli-args.js';

export const CONSUME_USAGE = `usage: tideline consume TOPIC [options]
  prints records; without --group it reads straight from each partition leader
options:
  --group G                join consumer group G: share the topic's partitions with the group's
                           other members and start where the group last committed
  --no-commit              with --group: do not commit offsets (default: commit what was printed
                           every 5 s and on exit)
  --partition P            read only partition P (default: every partition; not with --group)
  --from-beginning         start at the log start offset (default: the log end, new records only);
                           with --group, only for partitions the group has no committed offset for
  --offset N               start at offset N (needs --partition; not with --group)
  --max-messages N         exit after N records
  --timeout-ms N           exit when no record arrives for N ms
  --format text|json       the value per line (default), or JSON lines with partition, offset,
                           key, value, headers and timestamp
  --bootstrap-server HOST:PORT[,...] (default 127.0.0.1:9092)   --timeout MS (default 30000)
`;

export type StartAt = 'earliest' | 'latest' | { offset: number };

export interface ConsumeCommand extends Connection {
  kind: 'consume';
  topic: string;
  partition: number | null;
  startAt: StartAt;
  maxMessages: number | null;
  idleTimeoutMs: number | null;
  format: 'text' | 'json';
  /** The consumer group to join, or null to read partitions directly. */
  groupId: string | null;
  isCommitting: boolean;
}

const spec = {
  ...commonOptionSpec,
  partition: 'value',
  'from-beginning': 'flag',
  offset: 'value',
  'max-messages': 'value',
  'timeout-ms': 'value',
  format: 'value',
  group: 'value',
  'no-commit': 'flag',
} as const;

export function parseConsumeArgs(args: readonly string[]): ConsumeCommand | { kind: 'help' } {
  const command = 'consume';
  const parsed = tokenize(command, args, spec);
  if (parsed.values.has('help') || args.length === 0) return { kind: 'help' };
  const topic = onePositional(command, parsed, 'TOPIC');
  const partition = integerOption(command, parsed, 'partition', 0) ?? null;
  const offset = integerOption(command, parsed, 'offset', 0);
  const isFromBeginning = parsed.values.has('from-beginning');
  if (offset !== undefined && isFromBeginning) throw usageError(command, 'give --from-beginning or --offset, not both');
  if (offset !== undefined && partition === null) throw usageError(command, '--offset needs --partition, since offsets are per partition');
  const groupId = single(command, parsed, 'group') ?? null;
  if (groupId === '') throw usageError(command, '--group needs a non-empty group id');
  if (groupId !== null && (partition !== null || offset !== undefined)) {
    throw usageError(command, '--partition and --offset read chosen partitions; a --group member reads what the group assigns it. Give one or the other');
  }
  const isCommitting = !parsed.values.has('no-commit');
  if (!isCommitting && groupId === null) throw usageError(command, '--no-commit only applies with --group');
  const format = single(command, parsed, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw usageError(command, `--format must be text or json, got "${format}"`);
  return {
    kind: 'consume',
    topic,
    partition,
    startAt: offset !== undefined ? { offset } : isFromBeginning ? 'earliest' : 'latest',
    maxMessages: integerOption(command, parsed, 'max-messages', 1) ?? null,
    idleTimeoutMs: integerOption(command, parsed, 'timeout-ms', 1) ?? null,
    format,
    groupId,
    isCommitting,
    ...connectionOptions(command, parsed),
  };
}
