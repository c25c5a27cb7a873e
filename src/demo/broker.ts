// The demo's own brokers when no --bootstrap is given. With --nodes 1, one `tideline start`
// child on a free loopback port, logging to <data-dir>/broker.log. With more, a local cluster of
// that many combined broker+controller processes (src/cli/cluster-run.ts, as `tideline cluster`
// starts it), data and logs in <data-dir>/cluster/. Brokers are children rather than in-process
// so that the demo's own work never competes with a broker's event loop, and so that one can be
// killed (--kill-broker) and started again.

import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LocalCluster } from '../cli/cluster-run.js';
import { brokerNodeFlags } from '../cli/broker-node-flags.js';
import { tidelineBinPath, type ChildExit } from './children.js';
import { demoFiles } from './files.js';

export interface DemoBroker {
  bootstrap: string;
  /** Brokers in the cluster, for the replication factor of the demo topics. */
  brokerCount: number;
  /** The demo's own multi-node cluster, whose nodes it may kill and restart; null otherwise. */
  cluster: LocalCluster | null;
  /** Where the broker logs are, for messages. */
  logs: string;
  /** The web consoles of the demo's own brokers (the map page shows the demo); empty otherwise. */
  consoleUrls: string[];
  stop(): Promise<void>;
  /** SIGKILLs the demo's brokers synchronously, for when the demo process itself is dying. */
  killNow(): void;
}

const READY_TIMEOUT_MS = 30_000;
/**
 * Nodes stopped all at once cannot all finish a controlled shutdown (the controller is stopping
 * too, and the last node has no quorum), and each waits 5 s for it. The demo's cluster is
 * throwaway, so after this long the rest are SIGKILLed.
 */
const CLUSTER_STOP_GRACE_MS = 2_000;
const STOP_TIMEOUT_MS = 10_000;
const readyLinePattern = /^tideline ready listeners=\S*?:\/\/\[?([^\]\s,]*?)\]?:(\d+)\S* node\.id=\d+(?: console=(\S+))?/;

/** Settings every demo broker gets: groups form at once, and only the demo creates topics. */
const DEMO_BROKER_SETTINGS: Record<string, string> = {
  'group.initial.rebalance.delay.ms': '0',
  'auto.create.topics.enable': 'false',
};

/**
 * The cluster's additions: a killed broker is fenced after 3 s without heartbeats instead of
 * Kafka's 9 s, so its leaderships move while the demo watches. Leader balancing keeps Kafka's
 * 300 s, so a restarted broker does not take its leaderships back during a short run: a move
 * between two live brokers answers clients NOT_LEADER_OR_FOLLOWER with KIP-951 leader hints,
 * which @platformatic/kafka 1.35 cannot parse (see docs/demo.md).
 */
const DEMO_CLUSTER_SETTINGS: Record<string, string> = {
  'broker.session.timeout.ms': '3000',
  'broker.heartbeat.interval.ms': '500',
};

export async function externalBroker(bootstrap: string, brokerCount: number): Promise<DemoBroker> {
  return { bootstrap, brokerCount, cluster: null, logs: 'the cluster\'s own logs', consoleUrls: [], stop: async () => {}, killNow: () => {} };
}

export async function startDemoBrokers(dataDir: string, nodes: number, onBrokerExit: (id: number, exit: string) => void): Promise<DemoBroker> {
  if (nodes === 1) return startChildBroker(dataDir);
  const settings = { ...DEMO_BROKER_SETTINGS, ...DEMO_CLUSTER_SETTINGS };
  // The voters' ports are new each run and the cluster id derives from them, so a previous
  // run's node data (a reused --data-dir) would be refused: start from empty dirs.
  const dir = demoFiles.clusterDir(dataDir);
  rmSync(dir, { recursive: true, force: true });
  const cluster = await LocalCluster.start({
    nodes,
    dir,
    overrides: Object.entries(settings).map(([k, v]) => `${k}=${v}`),
    binPath: tidelineBinPath(),
    onUnexpectedExit: onBrokerExit,
  });
  return {
    bootstrap: cluster.bootstrap,
    brokerCount: nodes,
    cluster,
    logs: join(cluster.dir, 'node-<id>.log'),
    consoleUrls: cluster.consoleUrls,
    stop: () => cluster.stop(CLUSTER_STOP_GRACE_MS),
    killNow: () => cluster.killAllNow(),
  };
}

async function startChildBroker(dataDir: string): Promise<DemoBroker> {
  const logDir = demoFiles.brokerData(dataDir);
  mkdirSync(logDir, { recursive: true });
  const overrides = { listeners: 'PLAINTEXT://127.0.0.1:0', 'console.listeners': 'http://127.0.0.1:0', 'log.dirs': logDir, ...DEMO_BROKER_SETTINGS };
  const args = [tidelineBinPath(), 'start', ...Object.entries(overrides).flatMap(([k, v]) => ['--override', `${k}=${v}`])];
  const child = spawn(process.execPath, [...brokerNodeFlags(1), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logPath = join(dataDir, 'broker.log');
  child.stderr.pipe(createWriteStream(logPath));
  const exited = new Promise<ChildExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const consoleUrls: string[] = [];
  const bootstrap = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the demo broker did not start within ${READY_TIMEOUT_MS} ms (see ${logPath})`));
    }, READY_TIMEOUT_MS);
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`the demo broker exited before it was ready (${JSON.stringify(exit)}; see ${logPath})`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = readyLinePattern.exec(line);
      if (match === null) return;
      clearTimeout(timer);
      if (match[3] !== undefined) consoleUrls.push(match[3]);
      resolve(`${match[1] === '' || match[1] === '0.0.0.0' ? '127.0.0.1' : match[1]}:${match[2]}`);
    });
  });
  return {
    bootstrap,
    brokerCount: 1,
    cluster: null,
    logs: logPath,
    consoleUrls,
    killNow: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
