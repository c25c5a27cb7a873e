// Reads the test broker's log: its stderr carries pino JSON lines, kept by BrokerProcess. Tests use
// this to assert the broker hit no internal failure that a retrying client would have hidden.

import type { BrokerProcess } from './broker.js';

/** The broker's error-level (pino level 50+) log lines: an internal failure a client may have hidden by retrying. */
export function brokerErrors(broker: BrokerProcess): string[] {
  return broker
    .stderrTail(4 * 1024 * 1024)
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message?: string } })
    .filter((entry) => entry.level >= 50)
    .map((entry) => `${entry.msg}: ${entry.err?.message ?? ''}`);
}
