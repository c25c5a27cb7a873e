// Typed configuration definitions in Kafka's vocabulary: each key has a type, a default written
// as Kafka writes it (so DescribeConfigs shows "9223372036854775807", not a rounded float), and
// an optional validator. Values parse into numbers/booleans/strings/lists; Long.MAX and other
// longs beyond 2^53 clamp to Number.MAX_SAFE_INTEGER, which means "never" everywhere they appear.

import { ConfigError } from '../common/errors.js';

export type ConfigType = 'int' | 'short' | 'long' | 'double' | 'boolean' | 'string' | 'list' | 'password';
export type ConfigValue = number | boolean | string | string[] | null;

export interface ConfigDef {
  name: string;
  type: ConfigType;
  /** Kafka's textual default, or null when the key has none. */
  defaultValue: string | null;
  validate?: (v: ConfigValue, name: string) => string | undefined;
  doc: string;
}

export const LONG_MAX_TEXT = '9223372036854775807';
export const INT_MAX_TEXT = '2147483647';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

export function parseConfigValue(def: ConfigDef, raw: string | null): ConfigValue {
  if (raw === null) return null;
  const text = raw.trim();
  switch (def.type) {
    case 'int':
    case 'short':
    case 'long': {
      if (!/^-?\d+$/.test(text)) throw new ConfigError(`${def.name}: "${raw}" is not a whole number`);
      const n = Number(text);
      if (def.type !== 'long' && (n < INT_MIN || n > INT_MAX)) throw new ConfigError(`${def.name}: ${raw} is out of range`);
      if (def.type === 'short' && (n < -32768 || n > 32767)) throw new ConfigError(`${def.name}: ${raw} is out of range`);
      return Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, n));
    }
    case 'double': {
      const n = Number(text);
      if (text === '' || Number.isNaN(n)) throw new ConfigError(`${def.name}: "${raw}" is not a number`);
      return n;
    }
    case 'boolean':
      if (text.toLowerCase() === 'true') return true;
      if (text.toLowerCase() === 'false') return false;
      throw new ConfigError(`${def.name}: "${raw}" is not true or false`);
    case 'list':
      return text === '' ? [] : text.split(',').map((s) => s.trim());
    case 'string':
    case 'password':
      return text;
  }
}

/** Parses and validates; throws ConfigError naming the key and the problem. */
export function checkedValue(def: ConfigDef, raw: string | null): ConfigValue {
  const v = parseConfigValue(def, raw);
  if (v !== null && def.validate) {
    const problem = def.validate(v, def.name);
    if (problem) throw new ConfigError(`${def.name}: ${problem}`);
  }
  return v;
}

export const atLeast =
  (min: number) =>
  (v: ConfigValue): string | undefined =>
    typeof v === 'number' && v < min ? `must be at least ${min}` : undefined;

export const oneOf =
  (...allowed: string[]) =>
  (v: ConfigValue): string | undefined => {
    const values = Array.isArray(v) ? v : [String(v)];
    const bad = values.find((x) => !allowed.includes(x));
    return bad !== undefined ? `"${bad}" is not one of ${allowed.join(', ')}` : undefined;
  };
