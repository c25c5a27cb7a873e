// Reads the test broker's log: its stderr carries pino JSON lines, kept by BrokerProcess. Tests use
// this to assert the broker hit no internal failure that a retrying client would have hidden, and
// to find the one info line each notable event (topic created, leader changed, …) writes.

import type { BrokerProcess } from './broker.js';

/** One pino line: level, time and msg, plus the line's fields. */
export interface LogEntry {
  level: number;
  time: number;
  msg: string;
  err?: { message?: string; stack?: string };
  [field: string]: unknown;
}

/** Every JSON line the broker has written to stderr (the newest 4 MiB), as the raw text and parsed. */
export function brokerLogLines(broker: BrokerProcess): { raw: string; entry: LogEntry }[] {
  return broker
    .stderrTail(4 * 1024 * 1024)
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((raw) => ({ raw, entry: JSON.parse(raw) as LogEntry }));
}

/** The broker's info-or-higher lines with this message whose fields include `fields`. */
export function logEvents(broker: BrokerProcess, msg: string, fields: Record<string, unknown> = {}): LogEntry[] {
  return brokerLogLines(broker)
    .map((l) => l.entry)
    .filter((e) => e.level >= 30 && e.msg === msg && Object.entries(fields).every(([k, v]) => JSON.stringify(e[k]) === JSON.stringify(v)));
}

/** The broker's error-level (pino level 50+) log lines: an internal failure a client may have hidden by retrying. */
export function brokerErrors(broker: BrokerProcess): string[] {
  return brokerLogLines(broker)
    .map((l) => l.entry)
    .filter((entry) => entry.level >= 50)
    .map((entry) => `${entry.msg}: ${entry.err?.message ?? ''}`);
}
