// Starting and stopping one node with its roles (process.roles): storage (meta.properties, lock,
// log recovery), the listeners, the metadata quorum (a voter on controllers, an observer on
// broker-only nodes), the controller, and the broker with its lifecycle. The controller listener
// serves the controller APIs and, diverted by its first frame, the Raft traffic between voters.
// The order matters: broker listeners serve clients only once the broker is registered and
// unfenced (so its image is caught up) and every local partition is open; on shutdown the broker
// first asks the controller to move its leaderships (controlled shutdown), then listeners close
// before the quorum resigns and logs are flushed and checkpointed.

import type { Logger } from '../common/logger.js';
import { createRootLogger } from '../common/log.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { createHash } from 'node:crypto';
import { clusterLayout } from '../config/cluster-layout.js';
import { Controller } from '../controller/controller.js';
import { createControllerDispatcher } from '../controller/server/handlers.js';
import { RaftMetadataQuorum } from '../metadata/metadata-quorum.js';
import { isRaftHello } from '../raft/driver/transport.js';
import { ControllerChannel } from './controller-channel.js';
import { BrokerLifecycle } from './lifecycle.js';
import { KafkaServer, parseListeners } from '../net/server.js';
import { randomUuid } from '../protocol/reader.js';
import { LogManager } from '../storage/index.js';
import { Broker, type AdvertisedListener } from './broker.js';
import { GroupCoordinator } from '../group/coordinator.js';
import { createDispatcher } from './dispatcher.js';
import { lockDataDirs, readOrCreateMetaProperties } from './meta-properties.js';

export interface RunningNode {
  /** The broker, on nodes with the broker role. */
  broker: Broker | null;
  controller: Controller | null;
  quorum: RaftMetadataQuorum;
  logger: Logger;
  /** `NAME://host:port[,…]`: the broker listeners clients use (the controller listener on a controller-only node). */
  advertisedListeners: string;
  listeners: AdvertisedListener[];
  stop(): Promise<void>;
}

const MAINTENANCE_INTERVAL_MS = 1000;
const SHUTDOWN_GRACE_MS = 5000;
const CONTROLLED_SHUTDOWN_MS = 5000;

export async function startNode(config: BrokerConfig, opts: { logger?: Logger } = {}): Promise<RunningNode> {
  const logger = opts.logger ?? createRootLogger(config.str('log.level'), { nodeId: config.nodeId });
  for (const key of config.unknownKeys) logger.warn({ key }, 'unknown config key ignored');
  const layout = clusterLayout(config);
  const dirs = config.logDirs;
  const unlock = lockDataDirs(dirs);
  const cleanups: (() => Promise<void> | void)[] = [unlock];
  try {
    const votersText = (config.get('controller.quorum.voters') as string | null) ?? '';
    const meta = readOrCreateMetaProperties(dirs, config.nodeId, layout.isNetworked ? () => clusterIdForVoters(votersText) : randomUuid);
    const logs = LogManager.open(dirs, logDefaults(config), logger, {
      recoveryPointCheckpointIntervalMs: config.num('log.flush.offset.checkpoint.interval.ms'),
      retentionCheckIntervalMs: config.num('log.retention.check.interval.ms'),
    });
    cleanups.unshift(() => logs.close());

    const server = new KafkaServer(
      { requestHeaderVersion: () => ({ reject: 'starting' }), dispatch: () => null },
      {
        requestBytesMax: config.num('socket.request.max.bytes'),
        inflightRequestsMax: config.num('queued.max.requests'),
        writeBufferBytesMax: 16 << 20,
      },
      logger.child({ component: 'net' }),
    );
    cleanups.unshift(() => server.close(0));
    const specs = layout.controllerListener ? [...layout.brokerListeners, layout.controllerListener] : layout.brokerListeners;
    const bound = await server.listen(specs);

    const quorum = new RaftMetadataQuorum({
      nodeId: config.nodeId,
      clusterId: meta.clusterId,
      logDir: RaftMetadataQuorum.logDirIn(dirs[0]!),
      voters: layout.voters,
      listen: null,
      electionTimeoutMs: config.num('controller.quorum.election.timeout.ms'),
      electionBackoffMaxMs: config.num('controller.quorum.election.backoff.max.ms'),
      fetchTimeoutMs: config.num('controller.quorum.fetch.timeout.ms'),
      requestTimeoutMs: config.num('controller.quorum.request.timeout.ms'),
      snapshotBytes: config.num('metadata.log.max.record.bytes.between.snapshots'),
      logger,
    });
    let lifecycle: BrokerLifecycle | null = null;
    const controller = layout.isController
      ? new Controller(quorum, config, logger.child({ component: 'controller' }), () => lifecycle?.incarnationId ?? null)
      : null;
    if (layout.controllerListener !== null) {
      const name = layout.controllerListener.name;
      server.divert(name, (firstBytes, socket) => {
        if (!isRaftHello(firstBytes.subarray(4))) return false;
        quorum.raftNode.adopt(socket, firstBytes);
        return true;
      });
      server.setDispatcher(createControllerDispatcher(controller!), name);
    }
    await quorum.start();
    cleanups.unshift(() => quorum.stop());
    controller?.start();
    cleanups.unshift(() => controller?.stop());
    const channel = new ControllerChannel(config.nodeId, quorum, controller, logger.child({ component: 'controller-channel' }));
    cleanups.unshift(() => channel.close());

    const advertised = advertisedListeners(config, bound.filter((b) => b.name !== layout.controllerListener?.name));
    let broker: Broker | null = null;
    if (layout.isBroker) {
      broker = new Broker(config, logs, quorum, channel, advertised, logger.child({ component: 'broker' }));
      broker.groups = new GroupCoordinator(broker, logger.child({ component: 'group-coordinator' }));
      lifecycle = new BrokerLifecycle({
        nodeId: config.nodeId,
        clusterId: meta.clusterId,
        rack: (config.get('broker.rack') as string | null) ?? null,
        listeners: advertised.map((l) => ({ name: l.name, host: l.host, port: l.port, securityProtocol: 0 })),
        logDirs: dirs,
        heartbeatIntervalMs: config.num('broker.heartbeat.interval.ms'),
        controller: channel,
        metadata: quorum,
        logger: logger.child({ component: 'lifecycle' }),
        onRegistered: (epoch) => (broker!.brokerEpoch = epoch),
      });
      const registering = lifecycle;
      cleanups.unshift(() => registering.stop());
      await lifecycle.start();
      broker.isCaughtUp = true;
      broker.syncPartitions(Date.now());
      broker.replication.start();
      broker.groups.start();
      for (const l of layout.brokerListeners) server.setDispatcher(createDispatcher(broker), l.name);
    }

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

    const shown = advertised.length > 0 ? advertised : bound.map((b) => ({ name: b.name, host: b.host, port: b.port }));
    logger.info({ listeners: shown, clusterId: meta.clusterId, roles: config.get('process.roles') }, 'node started');
    return {
      broker,
      controller,
      quorum,
      logger,
      listeners: shown,
      advertisedListeners: shown.map((l) => `${l.name}://${l.host}:${l.port}`).join(','),
      async stop() {
        clearInterval(timer);
        if (lifecycle !== null) {
          const allowed = await lifecycle.shutDown(CONTROLLED_SHUTDOWN_MS);
          logger.info({ allowed }, 'controlled shutdown finished');
        }
        channel.close(); // ends a heartbeat still retrying against a vanished quorum
        await lifecycle?.stop();
        await server.close(SHUTDOWN_GRACE_MS);
        await broker?.replication.stop();
        broker?.groups.stop();
        controller?.stop();
        await quorum.stop();
        await logs.close();
        unlock();
        logger.info({}, 'node stopped');
      },
    };
  } catch (err) {
    for (const c of cleanups) {
      try {
        await c();
      } catch {
        // already failing; the first error is the one to report
      }
    }
    throw err;
  }
}

/**
 * The cluster id of a networked quorum whose nodes were not formatted: derived from the voter
 * list, so every node started with the same controller.quorum.voters agrees without a format step.
 */
function clusterIdForVoters(voters: string): string {
  const canonical = voters.split(',').map((s) => s.trim()).filter((s) => s !== '').sort().join(',');
  return createHash('sha256').update(canonical).digest().subarray(0, 16).toString('base64url');
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
