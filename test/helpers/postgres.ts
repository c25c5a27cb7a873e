// A throwaway PostgreSQL server for tests: initdb into a temp dir, the server on an ephemeral
// loopback port with its unix socket in that dir too, trust authentication for one user, stopped
// (fast shutdown, then SIGKILL) at the end. PostgreSQL refuses to run as root, so when the tests
// run as root the server runs as the `postgres` OS user (the Debian package creates it) and the
// temp dir is handed to that user. Binaries are looked up under /usr/lib/postgresql/<version>/bin,
// the Debian layout; without them `findPostgres` says why, and the test skips.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePorts } from '../../src/cli/cluster-run.js';
import { makeTempDir, trackChild } from './cleanup.js';

export interface PostgresServer {
  /** `postgres://tideline@127.0.0.1:<port>/postgres` */
  url: string;
  stop(): Promise<void>;
}

const DEBIAN_ROOT = '/usr/lib/postgresql';
const USER = 'tideline';
const INITDB_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/** The newest installed server's bin dir, or why there is none. */
export function findPostgres(): { binDir: string } | { missing: string } {
  const versions = existsSync(DEBIAN_ROOT) ? readdirSync(DEBIAN_ROOT).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const binDir = join(DEBIAN_ROOT, version, 'bin');
    if (existsSync(join(binDir, 'initdb')) && existsSync(join(binDir, 'postgres'))) return { binDir };
  }
  return { missing: `PostgreSQL server binaries not found under ${DEBIAN_ROOT}/<version>/bin (Debian package postgresql)` };
}

/** uid/gid to run the server as: ourselves, or the `postgres` user when we are root. */
function serverIdentity(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (line === undefined) throw new Error('running as root, and there is no postgres user to run the server as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPostgres(binDir: string): Promise<PostgresServer> {
  const identity = serverIdentity();
  const dir = makeTempDir('tideline-pg-');
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  mkdirSync(socketDir);
  if (identity !== undefined) for (const path of [dir, socketDir]) chownSync(path, identity.uid, identity.gid);
  const asServer = identity === undefined ? {} : { uid: identity.uid, gid: identity.gid };

  // --no-sync and fsync=off: a test database need not survive a power cut, only a process crash.
  const initdb = spawnSync(join(binDir, 'initdb'), ['-D', dataDir, '-U', USER, '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C'], {
    ...asServer,
    timeout: INITDB_TIMEOUT_MS,
    encoding: 'utf8',
  });
  if (initdb.status !== 0) throw new Error(`initdb failed (${initdb.status ?? initdb.signal}): ${initdb.stderr}`);

  const [port] = await freePorts(1);
  const server: ChildProcess = spawn(
    join(binDir, 'postgres'),
    ['-D', dataDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off'],
    { ...asServer, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  trackChild(server);
  let log = '';
  server.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const url = `postgres://${USER}@127.0.0.1:${port}/postgres`;
  const stop = async (): Promise<void> => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    server.kill('SIGINT'); // fast shutdown
    const timer = setTimeout(() => server.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilReady(url, () => server.exitCode !== null || server.signalCode !== null);
  } catch (err) {
    await stop();
    throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${log}`, { cause: err });
  }
  return { url, stop };
}

async function waitUntilReady(url: string, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (hasExited()) throw new Error('the server exited');
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => {});
      if (Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
