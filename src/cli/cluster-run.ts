// `tideline cluster --nodes N [--dir DIR] [--override k=v]...`: a local cluster of N separate
// `tideline start` processes, each a combined broker+controller voter on free loopback ports,
// data in DIR/node-<id> and JSON logs in DIR/node-<id>.log. Prints one ready line with the
// bootstrap list once every node serves clients; SIGINT/SIGTERM stop them all (SIGTERM, then
// SIGKILL after a grace period) and exit 0.
//
// The cluster itself is `startLocalCluster`, which the GPS demo reuses to run its 3-node
// cluster, kill one node and start it again on the same ports and data.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { TidelineError, TidelineErrorCode } from '../common/errors.js';
import { tokenize, usageError } from './cli-args.js';
import { brokerNodeFlags } from './broker-node-flags.js';

export const CLUSTER_RUN_USAGE = `usage: tideline cluster --nodes N [--dir DIR] [--override key=value]...
  start N combined broker+controller nodes on free loopback ports (data and logs in DIR)
`;

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;
const HOST = '127.0.0.1';

export interface LocalClusterOptions {
  nodes: number;
  /** Data and logs go here; it is created when missing. */
  dir: string;
  /** `key=value` settings passed to every node after the cluster's own. */
  overrides?: readonly string[];
  /** bin/tideline.js; defaults to the script this process runs. */
  binPath?: string;
  /** Called when a node exits that was neither stopped nor killed through the cluster. */
  onUnexpectedExit?: (id: number, exit: string) => void;
}

interface ClusterNode {
  id: number;
  port: number;
  controllerPort: number;
  consolePort: number;
  child: ChildProcess;
  bootstrap: string;
  /** Set by kill() and stop(), so that the exit is not reported as unexpected. */
  isExitExpected: boolean;
}

/** A running local cluster. Node ids are 1..N; each keeps its ports and data across restarts. */
export class LocalCluster {
  private readonly nodes = new Map<number, ClusterNode>();
  private isStopping = false;

  private constructor(
    private readonly options: Required<Omit<LocalClusterOptions, 'onUnexpectedExit'>> & Pick<LocalClusterOptions, 'onUnexpectedExit'>,
    private readonly voters: string,
  ) {}

  get dir(): string {
    return this.options.dir;
  }

  get ids(): number[] {
    return [...this.nodes.keys()];
  }

  /** Each node's web console, by node id (`console.listeners` overrides may turn them off). */
  get consoleUrls(): string[] {
    return [...this.nodes.values()].map((n) => `http://${HOST}:${n.consolePort}`);
  }

  /** Every node's PLAINTEXT listener, comma-separated (a client bootstrap list). */
  get bootstrap(): string {
    return [...this.nodes.values()].map((n) => n.bootstrap).join(',');
  }

  logPath(id: number): string {
    return join(this.options.dir, `node-${id}.log`);
  }

  isRunning(id: number): boolean {
    const child = this.nodes.get(id)?.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Starts the nodes and resolves once every one serves clients; on failure stops them all. */
  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    mkdirSync(options.dir, { recursive: true });
    const ports = await freePorts(3 * options.nodes);
    const ids = Array.from({ length: options.nodes }, (_, i) => i + 1);
    const voters = ids.map((id, i) => `${id}@${HOST}:${ports[3 * i + 1]}`).join(',');
    const cluster = new LocalCluster({ overrides: [], binPath: process.argv[1]!, ...options }, voters);
    for (const [i, id] of ids.entries()) cluster.spawnNode(id, ports[3 * i]!, ports[3 * i + 1]!, ports[3 * i + 2]!);
    try {
      await Promise.all(ids.map((id) => waitReady(cluster.nodes.get(id)!)));
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** Sends `signal` (SIGKILL by default) to node `id`; resolves when it has exited. */
  async kill(id: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const node = this.nodes.get(id);
    if (node === undefined || !this.isRunning(id)) return;
    node.isExitExpected = true;
    const exited = new Promise((done) => node.child.once('exit', done));
    node.child.kill(signal);
    await exited;
  }

  /** Starts node `id` again on its ports and data; resolves once it serves clients. */
  async restart(id: number): Promise<void> {
    const node = this.nodes.get(id);
    if (node === undefined) throw new RangeError(`no node ${id}`);
    if (this.isRunning(id)) throw new Error(`node ${id} is running`);
    await waitReady(this.spawnNode(id, node.port, node.controllerPort, node.consolePort));
  }

  /** SIGKILLs every node at once, synchronously (for a process 'exit' handler). */
  killAllNow(): void {
    this.isStopping = true;
    for (const n of this.nodes.values()) if (this.isRunning(n.id)) n.child.kill('SIGKILL');
  }

  /** Stops every node: SIGTERM, then SIGKILL for any still running after `graceMs`. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.isStopping = true;
    await Promise.all([...this.nodes.values()].map((n) => {
      n.isExitExpected = true;
      return stopChild(n.child, graceMs);
    }));
  }

  private spawnNode(id: number, port: number, controllerPort: number, consolePort: number): ClusterNode {
    const settings = [
      `node.id=${id}`,
      'process.roles=broker,controller',
      `listeners=PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`,
      'controller.listener.names=CONTROLLER',
      `controller.quorum.voters=${this.voters}`,
      `console.listeners=http://${HOST}:${consolePort}`,
      `log.dirs=${join(this.options.dir, `node-${id}`)}`,
      ...this.options.overrides,
    ];
    const args = [this.options.binPath, 'start', ...settings.flatMap((s) => ['--override', s])];
    const child = spawn(process.execPath, [...brokerNodeFlags(this.options.nodes), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.pipe(createWriteStream(this.logPath(id), { flags: 'a' }));
    const node: ClusterNode = { id, port, controllerPort, consolePort, child, bootstrap: `${HOST}:${port}`, isExitExpected: false };
    child.once('exit', (code, signal) => {
      if (!this.isStopping && !node.isExitExpected) this.options.onUnexpectedExit?.(id, String(signal ?? code));
    });
    this.nodes.set(id, node);
    return node;
  }
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
  const cluster = await LocalCluster.start({
    nodes: count,
    dir,
    overrides: parsed.values.get('override') ?? [],
    onUnexpectedExit: (id, exit) => process.stderr.write(`tideline cluster: node ${id} exited (${exit}); see ${join(dir, `node-${id}.log`)}\n`),
  });
  const consoles = (parsed.values.get('override') ?? []).some((o) => /^console\.listeners=\s*$/.test(o)) ? '' : ` console=${cluster.consoleUrls.join(',')}`;
  // Handlers first: whoever reads the ready line may signal at once (see start.ts).
  const stopped = new Promise<void>((done) => {
    let isStopping = false;
    const onSignal = (): void => {
      if (isStopping) return;
      isStopping = true;
      cluster.stop().then(done, done);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  process.stdout.write(`tideline cluster ready bootstrap=${cluster.bootstrap} nodes=${count} dir=${dir}${consoles}\n`);
  await stopped;
  return 0;
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

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** Loopback ports the OS hands out now; another process could take one before the node binds it. */
export async function freePorts(n: number): Promise<number[]> {
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
