// The parent side of the demo's processes: each producer or service is `tideline demo
// gps-service <name> <config-json>` with an IPC channel for stats and the stop command. The
// parent keeps each child's latest stats and can stop it politely (stop, then SIGKILL after a
// deadline) or kill it outright (the db-writer crash test). services.ts keeps the members of each
// service.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChildConfig } from './config.js';
import { demoFiles } from './files.js';
import type { ChildCommand, ChildName, ChildStats } from './types.js';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** bin/tideline.js from dist/src/demo (compiled) or src/demo (tsx). */
export function tidelineBinPath(): string {
  const compiled = fileURLToPath(new URL('../../../bin/tideline.js', import.meta.url));
  return existsSync(compiled) ? compiled : fileURLToPath(new URL('../../bin/tideline.js', import.meta.url));
}

export class DemoChild {
  stats: ChildStats | undefined;
  finalStats: ChildStats | undefined;
  readonly exited: Promise<ChildExit>;
  /** Resolves at the child's first stats message: it is up and running. */
  readonly started: Promise<void>;
  private readonly process: ChildProcess;

  constructor(
    readonly name: ChildName,
    readonly member: number,
    config: ChildConfig,
  ) {
    // The children's warnings (a failed fetch, a retried send) and any crash go to one log file
    // in the data dir, not into the live view.
    const log = openSync(demoFiles.servicesLog(config.dataDir), 'a');
    try {
      this.process = spawn(process.execPath, [tidelineBinPath(), 'demo', 'gps-service', name, JSON.stringify({ ...config, member } satisfies ChildConfig)], {
        stdio: ['ignore', 'ignore', log, 'ipc'],
      });
    } finally {
      closeSync(log);
    }
    let markStarted = (): void => {};
    this.started = new Promise((resolve) => (markStarted = resolve));
    this.process.on('message', (message: ChildStats) => {
      if (message.type !== 'stats') return;
      markStarted();
      this.stats = message;
      if (message.isFinal === true) this.finalStats = message;
    });
    this.exited = new Promise((resolve) => this.process.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** `location-service#2`: the name and the member number, for messages. */
  get label(): string {
    return `${this.name}#${this.member}`;
  }

  get hasExited(): boolean {
    return this.process.exitCode !== null || this.process.signalCode !== null;
  }

  /** Asks the child to finish its work and exit; SIGKILL when it has not within `timeoutMs`. */
  async stop(timeoutMs: number): Promise<ChildExit> {
    if (!this.hasExited && this.process.connected) this.process.send({ type: 'stop' } satisfies ChildCommand);
    const timer = setTimeout(() => this.kill(), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  kill(): void {
    if (!this.hasExited) this.process.kill('SIGKILL');
  }
}
