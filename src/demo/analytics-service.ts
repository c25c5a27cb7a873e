// analytics: per-zone active partners and average speed in tumbling event-time windows
// (zone-windows.ts). Closed windows go to the compacted topic delivery-zone-stats keyed by zone,
// so the topic keeps each zone's latest figures; GET /zones serves the same, GET /windows the
// event count per window. At stop it emits what is still open and writes its per-window counts
// to the data directory for the demo's check.

import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { everySecond, onStopRequest, sendStats } from './child-ipc.js';
import type { ChildConfig } from './config.js';
import { startServiceConsumer, type LocationMessage } from './consumer.js';
import { demoFiles, writeWindowCounts } from './files.js';
import { startJsonServer, type Route } from './http.js';
import { ZONE_STATS_TOPIC, type LocationUpdate } from './types.js';
import { ZoneWindows, type ZoneStats } from './zone-windows.js';

/** How far past a window's end event time must be before the window is emitted. */
const GRACE_MS = 3_000;

function analyticsRoutes(latest: Map<string, ZoneStats>, windows: ZoneWindows): Route[] {
  return [
    (url) =>
      url.pathname === '/zones'
        ? { status: 200, body: [...latest.values()].sort((a, b) => (a.zone < b.zone ? -1 : 1)) }
        : undefined,
    (url) => (url.pathname === '/windows' ? { status: 200, body: Object.fromEntries(windows.eventsPerWindow()) } : undefined),
  ];
}

export async function runAnalyticsService(config: ChildConfig): Promise<void> {
  const windows = new ZoneWindows(config.windowMs, GRACE_MS);
  const latest = new Map<string, ZoneStats>();
  const server = await startJsonServer(analyticsRoutes(latest, windows));
  const producer = new Producer({
    clientId: `demo-gps-analytics-${config.runId}`,
    bootstrapBrokers: [config.bootstrap],
    serializers: stringSerializers,
    retries: 10,
    retryDelay: 200,
  });
  const publish = async (stats: ZoneStats[]): Promise<void> => {
    if (stats.length === 0) return;
    for (const s of stats) {
      const current = latest.get(s.zone);
      if (current === undefined || current.windowStartMs <= s.windowStartMs) latest.set(s.zone, s);
    }
    await producer.send({
      messages: stats.map((s) => ({ topic: ZONE_STATS_TOPIC, key: s.zone, value: JSON.stringify(s) })),
      acks: ProduceAcks.ALL,
    });
  };

  const sc = await startServiceConsumer(config, 'analytics', true);
  let events = 0;
  sc.stream.on('data', (message: LocationMessage) => {
    windows.add(JSON.parse(message.value) as LocationUpdate);
    events++;
  });
  // One publish at a time keeps a zone's records in window order on the stats topic.
  let publishing: Promise<void> = Promise.resolve();
  const report = (isFinal = false): void =>
    sendStats({ name: 'analytics', events, httpPort: server.port, partitions: sc.partitions(), isFinal });
  const stopReports = everySecond(() => {
    publishing = publishing.then(() => publish(windows.takeReady()));
    report();
  });
  await new Promise<void>((resolve) => onStopRequest(resolve));
  stopReports();
  await sc.close();
  await publishing;
  await publish(windows.takeAll());
  writeWindowCounts(demoFiles.analyticsWindows(config.dataDir), windows.eventsPerWindow());
  await producer.close();
  await server.close();
  report(true);
}
