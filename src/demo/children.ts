// The parent side of the demo's processes: each producer or service is `tideline demo
// gps-service <name> <config-json>` with an IPC channel for stats and the stop command. The
// parent keeps each child's latest stats and can stop it politely (stop, then SIGKILL after a
// deadline) or kill it outright (the db-writer crash test).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChildConfig } from './config.js';
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
  private readonly process: ChildProcess;

  constructor(
    readonly name: ChildName,
    config: ChildConfig,
  ) {
    this.process = spawn(process.execPath, [tidelineBinPath(), 'demo', 'gps-service', name, JSON.stringify(config)], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.process.on('message', (message: ChildStats) => {
      if (message.type !== 'stats') return;
      this.stats = message;
      if (message.isFinal === true) this.finalStats = message;
    });
    this.exited = new Promise((resolve) => this.process.once('exit', (code, signal) => resolve({ code, signal })));
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
