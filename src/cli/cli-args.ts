// Option parsing shared by `tideline topics|produce|consume|cluster`: `--name value`,
// `--name=value`, repeatable options and flags, checked against a per-command spec. Problems
// throw TidelineError(CLI_USAGE), which main.ts turns into exit code 2.

import { TidelineError, TidelineErrorCode } from '../common/errors.js';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';
export const DEFAULT_TIMEOUT_MS = 30_000;

export type OptionSpec = Record<string, 'flag' | 'value'>;

export interface ParsedArgs {
  values: Map<string, string[]>;
  positionals: string[];
}

export const commonOptionSpec: OptionSpec = { 'bootstrap-server': 'value', timeout: 'value', help: 'flag' };

export function usageError(command: string, message: string): TidelineError {
  return new TidelineError(TidelineErrorCode.CLI_USAGE, `${command}: ${message}`);
}

export function tokenize(command: string, args: readonly string[], spec: OptionSpec): ParsedArgs {
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      if (arg === '-h') values.set('help', ['']);
      else if (arg.startsWith('-') && arg.length > 1 && !/^-\d+$/.test(arg)) throw usageError(command, `unknown option "${arg}"; options start with --`);
      else positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (kind === undefined) throw usageError(command, `unknown option --${name}; see tideline ${command.split(' ')[0]} --help`);
    let value = eq < 0 ? undefined : arg.slice(eq + 1);
    if (kind === 'flag' && value !== undefined) throw usageError(command, `--${name} takes no value`);
    if (kind === 'value' && value === undefined) {
      value = args[++i];
      if (value === undefined) throw usageError(command, `--${name} needs a value`);
    }
    values.set(name, [...(values.get(name) ?? []), value ?? '']);
  }
  return { values, positionals };
}

export function single(command: string, parsed: ParsedArgs, name: string): string | undefined {
  const all = parsed.values.get(name);
  if (all !== undefined && all.length > 1) throw usageError(command, `--${name} given ${all.length} times; give it once`);
  return all?.[0];
}

export function integerOption(command: string, parsed: ParsedArgs, name: string, min: number): number | undefined {
  const text = single(command, parsed, name);
  if (text === undefined) return undefined;
  const n = /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw usageError(command, `--${name} expects an integer of at least ${min}, got "${text}"`);
  return n;
}

export interface Connection {
  bootstrap: string;
  timeoutMs: number;
}

export function connectionOptions(command: string, parsed: ParsedArgs): Connection {
  const bootstrap = single(command, parsed, 'bootstrap-server') ?? DEFAULT_BOOTSTRAP;
  if (!/^(\[[^\]]+\]|[^:,\s]+):\d{1,5}(,(\[[^\]]+\]|[^:,\s]+):\d{1,5})*$/.test(bootstrap)) {
    throw usageError(command, `--bootstrap-server "${bootstrap}" is not HOST:PORT (e.g. ${DEFAULT_BOOTSTRAP})`);
  }
  return { bootstrap, timeoutMs: integerOption(command, parsed, 'timeout', 1) ?? DEFAULT_TIMEOUT_MS };
}

/** `k=v` pairs (for --config, --set, --header); the value may contain '='. */
export function keyValue(command: string, option: string, text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw usageError(command, `--${option} expects KEY=VALUE, got "${text}"`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

export function onePositional(command: string, parsed: ParsedArgs, what: string): string {
  if (parsed.positionals.length !== 1 || parsed.positionals[0] === '') {
    throw usageError(command, parsed.positionals.length === 0 ? `needs a ${what}` : `takes one ${what}, got ${parsed.positionals.map((p) => `"${p}"`).join(', ')}`);
  }
  return parsed.positionals[0]!;
}
