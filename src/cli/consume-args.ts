// Parses `tideline consume TOPIC …` (kafka-console-consumer in spirit, without a group). Usage
// errors throw TidelineError(CLI_USAGE), exit code 2.

import { commonOptionSpec, connectionOptions, integerOption, onePositional, single, tokenize, usageError, type Connection } from './cli-args.js';

export const CONSUME_USAGE = `usage: tideline consume TOPIC [options]
  reads records straight from each partition leader (no consumer group) and prints them
options:
  --partition P            read only partition P (default: every partition)
  --from-beginning         start at the log start offset (default: the log end, new records only)
  --offset N               start at offset N (needs --partition)
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
}

const spec = {
  ...commonOptionSpec,
  partition: 'value',
  'from-beginning': 'flag',
  offset: 'value',
  'max-messages': 'value',
  'timeout-ms': 'value',
  format: 'value',
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
    ...connectionOptions(command, parsed),
  };
}
