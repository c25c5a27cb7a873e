// analytics: per-zone active partners and average speed in tumbling event-time windows, kept per
// partition of the location topic (partition-windows.ts) so that several members can share the
// work. Closed windows go to the compacted topic delivery-zone-stats keyed by `zone/partition`,
// so the topic keeps each zone's latest figures per partition; GET /zones serves this member's
// latest window per zone (its partitions added up), GET /windows the event count per window. At
// stop it emits what is still open and writes its per-window counts to the data directory for
// the demo's check.
//
// The counts are exact while a partition stays with one member. A member that loses a partition
// (a rebalance, a consumer restarted after a broker failure) keeps the windows it had counted and
// the new owner re-reads from the last autocommit, so a window spanning that moment can be
// counted partly twice; an exact hand-over would need the window state to move with the
// partition (Kafka Streams keeps it in a changelog topic), which the demo does not do.

import { Producer, stringSerializers } from '@platformatic/kafka';
import { partitionForKey } from '../client/partitioner.js';
import { sendUntilAcked } from './acked-send.js';
import { everySecond, onStopRequest, sendStats } from './child-ipc.js';
import { bootstrapList, type ChildConfig } from './config.js';
import { ServiceConsumer, type LocationMessage } from './consumer.js';
import { demoFiles, writeWindowCounts } from './files.js';
import { startJsonServer, type Route } from './http.js';
import { latestPerZone, PartitionZoneWindows, zoneStatsKey, type PartitionZoneStats } from './partition-windows.js';
import { ZONE_STATS_PARTITIONS, ZONE_STATS_TOPIC, type LocationUpdate } from './types.js';

/** How far past a window's end event time must be before the window is emitted. */
const GRACE_MS = 3_000;
const SEND_TIMEOUT_MS = 60_000;

function analyticsRoutes(latest: Map<string, PartitionZoneStats>, windows: PartitionZoneWindows): Route[] {
  return [
    (url) => (url.pathname === '/zones' ? { status: 200, body: latestPerZone(latest.values()) } : undefined),
    (url) => (url.pathname === '/windows' ? { status: 200, body: Object.fromEntries(windows.eventsPerWindow()) } : undefined),
  ];
}

export async function runAnalyticsService(config: ChildConfig): Promise<void> {
  const windows = new PartitionZoneWindows(config.windowMs, GRACE_MS);
  const latest = new Map<string, PartitionZoneStats>();
  const server = await startJsonServer(analyticsRoutes(latest, windows));
  const producer = new Producer({
    clientId: `demo-gps-analytics-${config.runId}-${config.member}`,
    bootstrapBrokers: bootstrapList(config.bootstrap),
    serializers: stringSerializers,
    idempotent: true,
    retries: 10,
    retryDelay: 200,
  });
  const publish = async (stats: PartitionZoneStats[]): Promise<void> => {
    if (stats.length === 0) return;
    for (const s of stats) {
      const current = latest.get(zoneStatsKey(s));
      if (current === undefined || current.windowStartMs <= s.windowStartMs) latest.set(zoneStatsKey(s), s);
    }
    const records = stats.map((s) => {
      const key = zoneStatsKey(s);
      return { topic: ZONE_STATS_TOPIC, partition: partitionForKey(Buffer.from(key), ZONE_STATS_PARTITIONS), key, value: JSON.stringify(s) };
    });
    await sendUntilAcked(producer, records, SEND_TIMEOUT_MS);
  };

  let events = 0;
  const sc = await ServiceConsumer.start(config, 'analytics', true, {
    onMessage(message: LocationMessage) {
      windows.add(message.partition, JSON.parse(message.value) as LocationUpdate);
      events++;
    },
  });
  // One publish at a time keeps a key's records in window order on the stats topic.
  let publishing: Promise<void> = Promise.resolve();
  const report = (isFinal = false): void =>
    sendStats({ name: 'analytics', member: config.member, events, httpPort: server.port, partitions: sc.partitions(), restarts: sc.restarts, isFinal });
  const stopReports = everySecond(() => {
    publishing = publishing.then(() => publish(windows.takeReady()));
    report();
  });
  await new Promise<void>((resolve) => onStopRequest(resolve));
  stopReports();
  await sc.close();
  await publishing;
  await publish(windows.takeAll());
  writeWindowCounts(demoFiles.analyticsWindows(config.dataDir, config.member), windows.eventsPerWindow());
  await producer.close();
  await server.close();
  report(true);
}
