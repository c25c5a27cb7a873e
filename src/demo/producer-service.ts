// The producer child: runs the simulator at the configured total rate and sends each update to
// delivery-location-updates keyed by partner id (the client's murmur2 partitioner keeps a partner
// on one partition, so its updates stay ordered). One send is in flight at a time, so a retried
// batch can never overtake a later one; the updates made while a send waits go in the next batch.
//
// When stopped it writes the check files: each partner's last acknowledged update and the events
// per analytics window. It never acknowledges what the broker did not.

import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import type { ChildConfig } from './config.js';
import { demoFiles, writeLastUpdates, writeWindowCounts } from './files.js';
import { everySecond, onStopRequest, sendStats } from './child-ipc.js';
import { Simulator } from './simulator.js';
import { LOCATION_TOPIC, windowStartOf, type LocationUpdate } from './types.js';

/** Updates per produce request at most; larger backlogs are spread over several requests. */
const SEND_BATCH_MAX = 4000;
const IDLE_WAIT_MS = 5;

export async function runProducerService(config: ChildConfig): Promise<void> {
  const simulator = new Simulator({ partners: config.partners, ratePerSec: config.ratePerSec, seed: config.seed });
  const producer = new Producer({
    clientId: `demo-gps-producer-${config.runId}`,
    bootstrapBrokers: [config.bootstrap],
    serializers: stringSerializers,
    retries: 10,
    retryDelay: 200,
  });
  const lastUpdates = new Map<string, LocationUpdate>();
  const windowCounts = new Map<number, number>();
  let produced = 0;
  let isStopping = false;
  onStopRequest(() => {
    isStopping = true;
  });
  const stopReports = everySecond(() => sendStats({ name: 'producer', events: produced }));

  const startMs = Date.now();
  let generated = 0;
  while (!isStopping) {
    const due = Math.floor(((Date.now() - startMs) / 1000) * config.ratePerSec) - generated;
    if (due <= 0) {
      await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
      continue;
    }
    const updates: LocationUpdate[] = [];
    const now = Date.now();
    for (let i = 0; i < Math.min(due, SEND_BATCH_MAX); i++) updates.push(simulator.next(now));
    generated += updates.length;
    await producer.send({
      messages: updates.map((u) => ({ topic: LOCATION_TOPIC, key: u.partnerId, value: JSON.stringify(u) })),
      acks: ProduceAcks.ALL,
    });
    // Acknowledged: only now does the update count as produced.
    for (const u of updates) {
      lastUpdates.set(u.partnerId, u);
      const window = windowStartOf(u.ts, config.windowMs);
      windowCounts.set(window, (windowCounts.get(window) ?? 0) + 1);
    }
    produced += updates.length;
  }
  stopReports();
  writeLastUpdates(demoFiles.lastUpdates(config.dataDir), [...lastUpdates.values()].sort((a, b) => (a.partnerId < b.partnerId ? -1 : 1)));
  writeWindowCounts(demoFiles.producedWindows(config.dataDir), windowCounts);
  await producer.close();
  sendStats({ name: 'producer', events: produced, isFinal: true });
}
