// Plain-text output for the CLI: tables aligned in columns the way Kafka's command-line tools
// print them (each column as wide as its widest cell, one space between columns, no trailing
// blanks), with "-" for a missing value, and JSON for scripts.

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
