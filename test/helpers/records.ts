// The deterministic record content the integration tests write and then check exactly: record i
// has key `key-<i>`, a value whose length varies with i, and headers naming i. The same content is
// built by test/integration/python/records.py, so either client can write what the other checks.

export function keyOf(i: number): string {
  return `key-${i}`;
}

export function valueOf(i: number): string {
  return `value-${i}-${'x'.repeat(i % 37)}`;
}

/** The per-record headers python's producer.py attaches (kcat can only attach fixed ones). */
export function headersOf(i: number): [string, string][] {
  return [
    ['index', String(i)],
    ['parity', i % 2 === 0 ? 'even' : 'odd'],
  ];
}

/** Parses the index back out of a key, failing loudly on anything foreign. */
export function indexOfKey(key: string | null): number {
  const match = /^key-(\d+)$/.exec(key ?? '');
  if (match === null) throw new Error(`unexpected key ${JSON.stringify(key)}`);
  return Number(match[1]);
}

/** kcat input for `-K:`: one `key:value` line per record, start..start+count-1. */
export function kcatKeyedLines(start: number, count: number): string {
  const lines: string[] = [];
  for (let i = start; i < start + count; i++) lines.push(`${keyOf(i)}:${valueOf(i)}`);
  return lines.join('\n') + '\n';
}

/** kcat -J prints headers as a flat [name, value, ...] array; accept an object form as well. */
export function kcatHeaderPairs(headers: string[] | Record<string, string> | undefined): [string, string][] {
  if (headers === undefined) return [];
  if (!Array.isArray(headers)) return Object.entries(headers);
  const pairs: [string, string][] = [];
  for (let i = 0; i < headers.length; i += 2) pairs.push([headers[i]!, headers[i + 1]!]);
  return pairs;
}
