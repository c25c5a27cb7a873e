// An in-process broker for tests and for Node programs that want one: the same node the CLI
// starts, on a free loopback port and a temporary data directory unless told otherwise.
//
//   const broker = await startBroker();
//   // … connect any Kafka client to broker.bootstrap …
//   await broker.stop();

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerConfig } from './config/broker-config.js';
import { silentLogger, type Logger } from './common/logger.js';
import { createRootLogger } from './common/log.js';
import { startNode } from './broker/node.js';

export interface EmbeddedBrokerOptions {
  /** Kafka config names, e.g. { 'num.partitions': '3' }. */
  config?: Record<string, string>;
  /** Data directory; a temporary one (removed on stop) when omitted. */
  dataDir?: string;
  /** A pino-compatible logger, or a level for a stderr logger; silent by default. */
  logger?: Logger | string;
}

export interface EmbeddedBroker {
  /** host:port for clients' bootstrap.servers. */
  bootstrap: string;
  nodeId: number;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startBroker(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const isTemporary = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tideline-'));
  const overrides = new Map<string, string>([
    ['listeners', 'PLAINTEXT://127.0.0.1:0'],
    ['log.dirs', dataDir],
    ...Object.entries(opts.config ?? {}),
  ]);
  const config = new BrokerConfig(overrides);
  const logger = typeof opts.logger === 'string' ? createRootLogger(opts.logger) : (opts.logger ?? silentLogger);
  const node = await startNode(config, { logger });
  const first = node.listeners[0]!;
  return {
    bootstrap: `${first.host}:${first.port}`,
    nodeId: config.nodeId,
    dataDir,
    async stop() {
      await node.stop();
      if (isTemporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
