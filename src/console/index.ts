// The web console and /metrics of one node (console.listeners): a node:http server on the
// node's broker process serving the built front end (dist/console-ui), a JSON API, Server-Sent
// Events for live pages and Prometheus metrics. It needs the broker role: its data comes from
// an admin client connected to this node's own broker listener, plus the node's in-process
// state. Turned off with an empty console.listeners.

import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { KafkaAdmin } from '../client/index.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { RunningNode } from '../broker/node.js';
import { defineRoutes } from './routes.js';
import { Router } from './http.js';
import { ThroughputHistory } from './throughput.js';
import type { ConsoleContext } from './context.js';

export interface RunningConsole {
  /** `http://host:port` with the bound port. */
  url: string;
  close(): Promise<void>;
}

const SAMPLE_INTERVAL_MS = 1000;
/** The front end, built by scripts/build-console.mjs next to dist/src (see package.json files). */
export const CONSOLE_UI_DIR = fileURLToPath(new URL('../../console-ui/', import.meta.url));

export async function startConsole(config: BrokerConfig, node: RunningNode): Promise<RunningConsole | null> {
  const listener = config.consoleListener;
  if (listener === null) return null;
  const logger = node.logger.child({ component: 'console' });
  if (node.broker === null) {
    logger.warn({}, 'console.listeners is set but this node has no broker role; the console is not started');
    return null;
  }
  const own = node.listeners[0]!;
  const admin = new KafkaAdmin({ clientId: 'tideline-console', requestTimeoutMs: 15_000, retries: 2 });
  await admin.connect(`${own.host.includes(':') ? `[${own.host}]` : own.host}:${own.port}`);
  const throughput = new ThroughputHistory();
  const broker = node.broker;
  const sampler = setInterval(() => throughput.sample(Date.now(), broker.metrics.totals()), SAMPLE_INTERVAL_MS);
  sampler.unref();
  const ctx: ConsoleContext = { admin, node, broker, logger, throughput };
  const router = new Router(CONSOLE_UI_DIR, logger);
  defineRoutes(router, ctx);
  const server = createServer((req, res) => void router.handle(req, res));
  try {
    await listen(server, listener.host, listener.port);
  } catch (err) {
    clearInterval(sampler);
    await admin.close();
    throw err;
  }
  const port = (server.address() as { port: number }).port;
  const url = `http://${listener.host.includes(':') ? `[${listener.host}]` : listener.host}:${port}`;
  const wildcard = listener.host === '0.0.0.0' || listener.host === '::' || listener.host === '';
  router.allowHosts(wildcard ? null : [new URL(url).host, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);
  logger.info({ url }, 'console listening');
  return {
    url,
    async close() {
      clearInterval(sampler);
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      await admin.close();
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
