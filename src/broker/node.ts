// Starting and stopping one node: storage (meta.properties, lock, log recovery), the metadata
// quorum and image, the broker state, the Kafka listeners and the periodic log maintenance.
// The order matters: clients are accepted only once the image is replayed and every local
// partition is open, and on shutdown listeners close before logs are flushed and checkpointed.

import type { Logger } from '../common/logger.js';
import { createRootLogger } from '../common/log.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { LocalMetadataLog, METADATA_TOPIC } from '../metadata/local-metadata-log.js';
import { KafkaServer, parseListeners } from '../net/server.js';
import { randomUuid } from '../protocol/reader.js';
import { LogManager } from '../storage/index.js';
import { Broker, type AdvertisedListener } from './broker.js';
import { GroupCoordinator } from '../group/coordinator.js';
import { createDispatcher } from './dispatcher.js';
import { lockDataDirs, readOrCreateMetaProperties } from './meta-properties.js';

export interface RunningNode {
  broker: Broker;
  logger: Logger;
  /** `PLAINTEXT://host:port[,…]` as clients are told to connect. */
  advertisedListeners: string;
  listeners: AdvertisedListener[];
  stop(): Promise<void>;
}

const MAINTENANCE_INTERVAL_MS = 1000;
const SHUTDOWN_GRACE_MS = 5000;

export async function startNode(config: BrokerConfig, opts: { logger?: Logger } = {}): Promise<RunningNode> {
  const logger = opts.logger ?? createRootLogger(config.str('log.level'), { nodeId: config.nodeId });
  for (const key of config.unknownKeys) logger.warn({ key }, 'unknown config key ignored');
  const dirs = config.logDirs;
  const unlock = lockDataDirs(dirs);
  try {
    const meta = readOrCreateMetaProperties(dirs, config.nodeId, randomUuid);
    const logs = LogManager.open(dirs, logDefaults(config), logger.child({ component: 'storage' }), {
      recoveryPointCheckpointIntervalMs: config.num('log.flush.offset.checkpoint.interval.ms'),
      retentionCheckIntervalMs: config.num('log.retention.check.interval.ms'),
    });
    const metadataLog = logs.getOrCreate(METADATA_TOPIC, 0, { ...logDefaults(config), retentionMs: -1, retentionBytes: -1 });
    const quorum = new LocalMetadataLog(metadataLog, meta.clusterId, logger.child({ component: 'metadata' }), Date.now);

    const specs = parseListeners(config.str('listeners'));
    const server = new KafkaServer(
      { requestHeaderVersion: () => ({ reject: 'starting' }), dispatch: () => null },
      {
        requestBytesMax: config.num('socket.request.max.bytes'),
        inflightRequestsMax: config.num('queued.max.requests'),
        writeBufferBytesMax: 16 << 20,
      },
      logger.child({ component: 'net' }),
    );
    const bound = await server.listen(specs);
    const advertised = advertisedListeners(config, bound);
    const broker = new Broker(config, logs, quorum, advertised, logger.child({ component: 'broker' }));
    broker.groups = new GroupCoordinator(broker, logger.child({ component: 'group-coordinator' }));
    await registerSelf(broker, advertised);
    broker.syncPartitions(Date.now());
    broker.groups.start();
    server.setDispatcher(createDispatcher(broker));

    let maintenanceRunning = false;
    const timer = setInterval(() => {
      if (maintenanceRunning) return;
      maintenanceRunning = true;
      logs.tick(Date.now()).then(
        () => (maintenanceRunning = false),
        (err: unknown) => {
          maintenanceRunning = false;
          logger.error({ err }, 'log maintenance failed');
        },
      );
    }, MAINTENANCE_INTERVAL_MS);
    timer.unref();

    logger.info({ listeners: advertised, clusterId: meta.clusterId }, 'broker started');
    return {
      broker,
      logger,
      listeners: advertised,
      advertisedListeners: advertised.map((l) => `${l.name}://${l.host}:${l.port}`).join(','),
      async stop() {
        clearInterval(timer);
        await server.close(SHUTDOWN_GRACE_MS);
        broker.groups.stop();
        await logs.close();
        unlock();
        logger.info({}, 'broker stopped');
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}

function logDefaults(config: BrokerConfig) {
  return {
    segmentBytes: config.num('log.segment.bytes'),
    segmentMs: config.rollMs,
    retentionMs: config.retentionMs,
    retentionBytes: config.num('log.retention.bytes'),
    indexIntervalBytes: config.num('log.index.interval.bytes'),
    segmentIndexBytes: config.num('log.index.size.max.bytes'),
    flushMessages: config.num('log.flush.interval.messages'),
    flushMs: config.flushMs,
    fileDeleteDelayMs: config.num('log.segment.delete.delay.ms'),
  };
}

/** advertised.listeners, else the bound listeners (0.0.0.0 advertised as 127.0.0.1). */
function advertisedListeners(config: BrokerConfig, bound: { name: string; host: string; port: number }[]): AdvertisedListener[] {
  const explicit = config.get('advertised.listeners') as string | null;
  if (explicit) {
    return parseListeners(explicit).map((l) => ({ ...l, port: l.port === 0 ? (bound.find((b) => b.name === l.name)?.port ?? 0) : l.port }));
  }
  return bound.map((b) => ({ name: b.name, host: b.host === '0.0.0.0' || b.host === '::' ? '127.0.0.1' : b.host, port: b.port }));
}

/** Registers this broker (or its new endpoints) in the metadata log, as a KRaft broker does on start. */
async function registerSelf(broker: Broker, advertised: AdvertisedListener[]): Promise<void> {
  const previous = broker.image.brokers.get(broker.nodeId);
  const endPoints = advertised.map((l) => ({ name: l.name, host: l.host, port: l.port, securityProtocol: 0 }));
  await broker.quorum.commit([
    {
      type: 'RegisterBroker',
      brokerId: broker.nodeId,
      incarnationId: randomUuid(),
      brokerEpoch: (previous?.brokerEpoch ?? -1) + 1,
      endPoints,
      rack: (broker.config.get('broker.rack') as string | null) ?? null,
      fenced: false,
    },
  ]);
}
