// Plain-text output for the CLI: tables aligned in columns the way Kafka's command-line tools
// print them (each column as wide as its widest cell, one space between columns, no trailing
// blanks), with "-" for a missing value, JSON for scripts, and consumed records as
// `tideline consume` prints them.

import type { ConsumedRecord } from '../client/index.js';

export type Cell = string | number | null | undefined;

/** Renders a header line and one line per row, columns left-aligned; ends with a newline. */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = [headers.map(String), ...rows.map((row) => headers.map((_, i) => cellText(row[i])))];
  const widths = headers.map((_, i) => Math.max(...text.map((line) => line[i]!.length)));
  return text.map((line) => line.map((cell, i) => cell.padEnd(widths[i]!)).join(' ').trimEnd()).join('\n') + '\n';
}

export function cellText(cell: Cell): string {
  return cell === null || cell === undefined || cell === '' ? '-' : String(cell);
}

/** Pretty JSON with a trailing newline, for `--json`. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** A consumed record as one line: its value as text, or a JSON object with everything. */
export function formatRecord(record: ConsumedRecord, format: 'text' | 'json'): string {
  if (format === 'text') return `${record.value === null ? 'null' : record.value.toString('utf8')}\n`;
  return JSON.stringify({
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: text(record.key),
    value: text(record.value),
    headers: record.headers.map((h) => ({ key: h.key, value: text(h.value) })),
  }) + '\n';
}

function text(bytes: Buffer | null): string | null {
  return bytes === null ? null : bytes.toString('utf8');
}
