// The demo's own broker when no --bootstrap is given: a `tideline start` child process on a free
// loopback port, logging to <data-dir>/broker.log. It is a child rather than in-process so that
// the demo's own work never competes with the broker's event loop, and so that the later
// multi-node variant can start and kill brokers the same way.

import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { tidelineBinPath, type ChildExit } from './children.js';

export interface DemoBroker {
  bootstrap: string;
  /** Brokers in the cluster, for the replication factor of the demo topics. */
  brokerCount: number;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const readyLinePattern = /^tideline ready listeners=\S*?:\/\/\[?([^\]\s,]*?)\]?:(\d+)/;

export function externalBroker(bootstrap: string): DemoBroker {
  return { bootstrap, brokerCount: 1, stop: async () => {} };
}

export async function startChildBroker(dataDir: string): Promise<DemoBroker> {
  const logDir = join(dataDir, 'broker');
  mkdirSync(logDir, { recursive: true });
  const overrides = {
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'log.dirs': logDir,
    'group.initial.rebalance.delay.ms': '0',
    'auto.create.topics.enable': 'false',
  };
  const args = [tidelineBinPath(), 'start', ...Object.entries(overrides).flatMap(([k, v]) => ['--override', `${k}=${v}`])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.pipe(createWriteStream(join(dataDir, 'broker.log')));
  const exited = new Promise<ChildExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const bootstrap = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the demo broker did not start within ${READY_TIMEOUT_MS} ms (see ${join(dataDir, 'broker.log')})`));
    }, READY_TIMEOUT_MS);
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`the demo broker exited before it was ready (${JSON.stringify(exit)}; see ${join(dataDir, 'broker.log')})`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = readyLinePattern.exec(line);
      if (match === null) return;
      clearTimeout(timer);
      resolve(`${match[1] === '' || match[1] === '0.0.0.0' ? '127.0.0.1' : match[1]}:${match[2]}`);
    });
  });
  return {
    bootstrap,
    brokerCount: 1,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
