// What one client run measured, whichever client ran it, and the helpers that turn a finished
// process into that or into an error that shows the client's own output.

import type { CpuTimes, TimedRun } from './children.js';

export interface ClientRun {
  client: string;
  records: number;
  /** Payload bytes (uncompressed), so MB/s compares across codecs. */
  payloadBytes: number;
  /** The interval the rate is over; the client's own figure where it reports one. */
  elapsedMs: number;
  recordsPerSec: number;
  /** Payload megabytes (10^6 bytes) per second. */
  mbPerSec: number;
  /** CPU of the client process, from /usr/bin/time; null where unavailable. */
  clientCpu: CpuTimes | null;
  clientMaxRssKb: number | null;
  /** Process start to exit, including connecting and fetching metadata. */
  wallMs: number;
}

export function makeClientRun(client: string, records: number, payloadBytes: number, elapsedMs: number, run: TimedRun): ClientRun {
  const seconds = Math.max(elapsedMs, 1) / 1000;
  return {
    client,
    records,
    payloadBytes,
    elapsedMs,
    recordsPerSec: records / seconds,
    mbPerSec: payloadBytes / 1e6 / seconds,
    clientCpu: run.cpu,
    clientMaxRssKb: run.maxRssKb,
    wallMs: run.wallMs,
  };
}

const tail = (text: string, lines = 12): string =>
  text
    .trim()
    .split('\n')
    .filter((l) => !l.includes('CONFWARN')) // rdkafka_performance sets consumer keys on producers too
    .slice(-lines)
    .join('\n');

export function clientFailure(what: string, run: TimedRun, detail?: string): Error {
  const how = run.timedOut ? 'timed out' : `exited with code ${run.code}${run.signal ? ` (signal ${run.signal})` : ''}`;
  return new Error(`${what} ${how}${detail ? `: ${detail}` : ''}\n--- stdout ---\n${tail(run.stdout)}\n--- stderr ---\n${tail(run.stderr)}`);
}
