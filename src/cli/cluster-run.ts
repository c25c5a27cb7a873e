// `tideline cluster --nodes N [--dir DIR] [--override k=v]...`: a local cluster of N separate
// `tideline start` processes, each a combined broker+controller voter on free loopback ports,
// data in DIR/node-<id> and JSON logs in DIR/node-<id>.log. Prints one ready line with the
// bootstrap list once every node serves clients; SIGINT/SIGTERM stop them all (SIGTERM, then
// SIGKILL after a grace period) and exit 0.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { TidelineError, TidelineErrorCode } from '../common/errors.js';
import { tokenize, usageError } from './cli-args.js';

export const CLUSTER_RUN_USAGE = `usage: tideline cluster --nodes N [--dir DIR] [--override key=value]...
  start N combined broker+controller nodes on free loopback ports (data and logs in DIR)
`;

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;
const HOST = '127.0.0.1';

interface ClusterNode {
  id: number;
  child: ChildProcess;
  bootstrap: string;
}

export async function runLocalCluster(args: readonly string[]): Promise<number> {
  const parsed = tokenize('cluster', args, { nodes: 'value', dir: 'value', override: 'value', help: 'flag' });
  if (parsed.values.has('help')) {
    process.stdout.write(CLUSTER_RUN_USAGE);
    return 0;
  }
  const nodesArg = parsed.values.get('nodes')?.at(-1) ?? '3';
  const count = Number(nodesArg);
  if (!Number.isInteger(count) || count < 1 || count > 9) throw usageError('cluster', `--nodes must be 1..9, got "${nodesArg}"`);
  const dirArg = parsed.values.get('dir')?.at(-1);
  const dir = dirArg ? resolve(dirArg) : mkdtempSync(join(tmpdir(), 'tideline-cluster-'));
  mkdirSync(dir, { recursive: true });
  const overrides = parsed.values.get('override') ?? [];

  const ports = await freePorts(2 * count);
  const ids = Array.from({ length: count }, (_, i) => i + 1);
  const voters = ids.map((id, i) => `${id}@${HOST}:${ports[2 * i + 1]}`).join(',');
  const nodes = ids.map((id, i) => startNode(id, ports[2 * i]!, ports[2 * i + 1]!, voters, dir, overrides));

  let stopping = false;
  const stopAll = async (): Promise<void> => {
    stopping = true;
    await Promise.all(nodes.map((n) => stopChild(n.child)));
  };
  for (const n of nodes) {
    n.child.once('exit', (code, signal) => {
      if (!stopping) process.stderr.write(`tideline cluster: node ${n.id} exited (${signal ?? code}); see ${join(dir, `node-${n.id}.log`)}\n`);
    });
  }
  try {
    await Promise.all(nodes.map((n) => waitReady(n)));
  } catch (err) {
    await stopAll();
    throw err;
  }
  process.stdout.write(`tideline cluster ready bootstrap=${nodes.map((n) => n.bootstrap).join(',')} nodes=${count} dir=${dir}\n`);
  await new Promise<void>((done) => {
    const onSignal = (): void => {
      if (stopping) return;
      stopAll().then(done, done);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  return 0;
}

function startNode(id: number, port: number, controllerPort: number, voters: string, dir: string, overrides: string[]): ClusterNode {
  const settings = [
    `node.id=${id}`,
    'process.roles=broker,controller',
    `listeners=PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`,
    'controller.listener.names=CONTROLLER',
    `controller.quorum.voters=${voters}`,
    `log.dirs=${join(dir, `node-${id}`)}`,
    ...overrides,
  ];
  const args = [process.argv[1]!, 'start', ...settings.flatMap((s) => ['--override', s])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.pipe(createWriteStream(join(dir, `node-${id}.log`), { flags: 'a' }));
  return { id, child, bootstrap: `${HOST}:${port}` };
}

function waitReady(node: ClusterNode): Promise<void> {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new TidelineError(TidelineErrorCode.CLUSTER_START, `node ${node.id} was not ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    const lines = createInterface({ input: node.child.stdout! });
    lines.on('line', (line) => {
      if (!line.startsWith('tideline ready ')) return;
      clearTimeout(timer);
      done();
    });
    node.child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new TidelineError(TidelineErrorCode.CLUSTER_START, `node ${node.id} exited with ${code} before it was ready`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** Ports the OS hands out now; another process could take one before the node binds it. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((done, fail) => {
      const s = createServer();
      s.once('error', fail);
      s.listen(0, HOST, () => done(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  return ports;
}
