// The root pino logger. Logs go to stderr as JSON lines so that stdout carries only what a
// command prints for people and scripts (the `tideline ready …` line, CLI output).

import { pino } from 'pino';
import type { Logger } from './logger.js';

export function createRootLogger(level: string, bindings: object = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...bindings } }, pino.destination({ fd: 2, sync: false })) as unknown as Logger;
}
