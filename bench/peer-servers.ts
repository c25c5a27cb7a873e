// Starts the systems Tideline is compared with, each on its own free loopback port and scratch
// dir, through children.ts (so the bench's cleanup stops them):
//  - Redis (Debian `redis-server`): AOF on with `appendfsync everysec`, RDB snapshots off, other
//    settings at their defaults (AOF rewrites included);
//  - NATS (Debian `nats-server`): JetStream on, file storage in the scratch dir, the server's
//    default sync policy.
// When a binary is missing, the error names the Debian package to install.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../src/cli/cluster-run.js';
import { collectOutput, spawnTracked, stopTracked, type Tracked } from './children.js';

export const PEERS_INSTALL_HINT = 'Install the peers with `apt-get install -y nats-server redis-server redis-tools`.';

export interface PeerServer {
  name: string;
  port: number;
  pid: number;
  version: string;
  stop(): Promise<void>;
}

/** Absolute path of a program, looking in PATH and then the sbin dirs Debian puts servers in. */
export function findProgram(name: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v "${name}"`], { encoding: 'utf8' });
  const found = r.status === 0 ? r.stdout.trim() : '';
  if (found !== '') return found;
  for (const dir of ['/usr/sbin', '/usr/local/sbin', '/sbin']) if (existsSync(join(dir, name))) return join(dir, name);
  return null;
}

/** Every program the peers benchmark needs, or an error listing the missing ones and what to install. */
export function peerPrograms(): { redisServer: string; redisBenchmark: string; natsServer: string } {
  const redisServer = findProgram('redis-server');
  const redisBenchmark = findProgram('redis-benchmark');
  const natsServer = findProgram('nats-server');
  const missing = [
    redisServer ? null : 'redis-server (package redis-server)',
    redisBenchmark ? null : 'redis-benchmark (package redis-tools)',
    natsServer ? null : 'nats-server (package nats-server)',
  ].filter((m) => m !== null);
  if (missing.length > 0) throw new Error(`the peers benchmark needs ${missing.join(', ')}. ${PEERS_INSTALL_HINT}`);
  return { redisServer: redisServer!, redisBenchmark: redisBenchmark!, natsServer: natsServer! };
}

const versionOf = (program: string, args: string[], pattern: RegExp): string => {
  const r = spawnSync(program, args, { encoding: 'utf8', timeout: 5000 });
  return pattern.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)?.[1] ?? 'unknown';
};

async function waitForPort(port: number, child: Tracked, output: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!child.isRunning()) throw new Error(`${child.name} exited before it listened on ${port}: ${output().trim().slice(-1500)}`);
    const isOpen = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (isOpen) return;
    if (Date.now() > deadline) throw new Error(`${child.name} did not listen on ${port} within ${timeoutMs} ms: ${output().trim().slice(-1500)}`);
    await sleep(50);
  }
}

async function startServer(name: string, program: string, args: string[], port: number, version: string): Promise<PeerServer> {
  const child = spawnTracked(name, program, args);
  const stdout = collectOutput(child.proc.stdout);
  const stderr = collectOutput(child.proc.stderr);
  try {
    await waitForPort(port, child, () => `${stdout()}\n${stderr()}`);
  } catch (err) {
    await stopTracked(child);
    throw err;
  }
  return { name, port, pid: child.pid, version, stop: () => stopTracked(child, 10_000) };
}

export async function startRedis(program: string, dir: string): Promise<PeerServer> {
  mkdirSync(dir, { recursive: true });
  const [port] = await freePorts(1);
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no', '--protected-mode', 'no'];
  return startServer('redis-server', program, args, port!, versionOf(program, ['--version'], /v=(\S+)/));
}

export async function startNats(program: string, dir: string): Promise<PeerServer> {
  mkdirSync(dir, { recursive: true });
  const [port] = await freePorts(1);
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir];
  return startServer('nats-server', program, args, port!, versionOf(program, ['--version'], /v(\d\S*)/));
}
