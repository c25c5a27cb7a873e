// Parses `tideline produce TOPIC …` (kafka-console-producer in spirit). Usage errors throw
// TidelineError(CLI_USAGE), exit code 2.

import { CompressionCodec, type CompressionCodecValue } from '../protocol/records/index.js';
import { commonOptionSpec, connectionOptions, integerOption, keyValue, onePositional, single, tokenize, usageError, type Connection } from './cli-args.js';

export const PRODUCE_USAGE = `usage: tideline produce TOPIC [options] < lines
  writes one record per line of stdin; exits once stdin ends and every batch is acknowledged
options:
  --key-separator SEP      the text before the first SEP is the key (lines without it have no key)
  --header KEY=VALUE       add a header to every record (repeatable)
  --partition P            write every record to partition P (default: by key hash, else sticky)
  --acks -1|0|1            -1 (all, default) waits for the ISR, 1 for the leader, 0 for nothing
  --compression CODEC      none (default), gzip, snappy, lz4 or zstd
  --batch-size N           records per batch (default 500)
  --bootstrap-server HOST:PORT[,...] (default 127.0.0.1:9092)   --timeout MS (default 30000)
`;

export interface ProduceCommand extends Connection {
  kind: 'produce';
  topic: string;
  keySeparator: string | null;
  headers: { key: string; value: string }[];
  partition: number | null;
  acks: -1 | 0 | 1;
  compression: CompressionCodecValue;
  batchSize: number;
}

const CODECS: Record<string, CompressionCodecValue> = {
  none: CompressionCodec.NONE,
  gzip: CompressionCodec.GZIP,
  snappy: CompressionCodec.SNAPPY,
  lz4: CompressionCodec.LZ4,
  zstd: CompressionCodec.ZSTD,
};

const spec = {
  ...commonOptionSpec,
  'key-separator': 'value',
  header: 'value',
  partition: 'value',
  acks: 'value',
  compression: 'value',
  'batch-size': 'value',
} as const;

export function parseProduceArgs(args: readonly string[]): ProduceCommand | { kind: 'help' } {
  const command = 'produce';
  const parsed = tokenize(command, args, spec);
  if (parsed.values.has('help') || (args.length === 0)) return { kind: 'help' };
  const topic = onePositional(command, parsed, 'TOPIC');
  const keySeparator = single(command, parsed, 'key-separator') ?? null;
  if (keySeparator === '') throw usageError(command, '--key-separator must not be empty');
  const acksText = single(command, parsed, 'acks') ?? '-1';
  const acks = acksText === 'all' ? -1 : Number(acksText);
  if (acks !== -1 && acks !== 0 && acks !== 1) throw usageError(command, `--acks must be -1 (or all), 0 or 1, got "${acksText}"`);
  const codecName = single(command, parsed, 'compression') ?? 'none';
  const compression = CODECS[codecName];
  if (compression === undefined) throw usageError(command, `--compression must be one of ${Object.keys(CODECS).join(', ')}, got "${codecName}"`);
  return {
    kind: 'produce',
    topic,
    keySeparator,
    headers: (parsed.values.get('header') ?? []).map((h) => {
      const [key, value] = keyValue(command, 'header', h);
      return { key, value };
    }),
    partition: integerOption(command, parsed, 'partition', 0) ?? null,
    acks,
    compression,
    batchSize: integerOption(command, parsed, 'batch-size', 1) ?? 500,
    ...connectionOptions(command, parsed),
  };
}
