// Parsers for what the peers benchmark's load tools print. Pure.

/**
 * Requests per second from redis-benchmark --csv output: the "rps" column of the last result
 * line (`"test","rps","avg_latency_ms",…` header, then `"XADD …","290275.75",…`). The command
 * column holds no quotes or commas here, so splitting on `","` is enough.
 */
export function parseRedisBenchmarkCsv(stdout: string): number | null {
  const lines = stdout.trim().split('\n').filter((l) => l.startsWith('"') && !l.startsWith('"test"'));
  const last = lines[lines.length - 1];
  if (!last) return null;
  const rps = Number(last.split('","')[1]);
  return Number.isFinite(rps) ? rps : null;
}

/** A Node child's `RESULT {…}` line. */
export function parseResultLine(stdout: string): { records: number; elapsedMs: number; bytes?: number } | null {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  return line ? (JSON.parse(line.slice('RESULT '.length)) as { records: number; elapsedMs: number; bytes?: number }) : null;
}
