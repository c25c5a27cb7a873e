// A producer child: runs the simulator for its range of partners (producer n of N takes the n-th
// id range, simulator.ts) at its share of the total rate, and sends each update to
// delivery-location-updates keyed by partner id, on the partition Kafka's default partitioner
// picks for that key (murmur2), so a partner's updates stay ordered on one partition. The
// producer is idempotent with acks=all, and one send is in flight at a time: a batch is retried
// until acknowledged (acked-send.ts) before the next one goes out, so a retried batch can never
// overtake a later one; the updates made meanwhile go in the next batch.
//
// When stopped it writes its check files: each of its partners' last acknowledged update and the
// events per analytics window. It never counts what the broker did not acknowledge.

import { Producer, stringSerializers } from '@platformatic/kafka';
import { partitionForKey } from '../client/partitioner.js';
import { sendUntilAcked } from './acked-send.js';
import { bootstrapList, type ChildConfig } from './config.js';
import { demoFiles, writeLastUpdates, writeWindowCounts } from './files.js';
import { everySecond, onStopRequest, sendStats } from './child-ipc.js';
import { Simulator, producerRanges } from './simulator.js';
import { LOCATION_TOPIC, windowStartOf, type LocationUpdate } from './types.js';

/** Updates per produce request at most; larger backlogs are spread over several requests. */
const SEND_BATCH_MAX = 4000;
const IDLE_WAIT_MS = 5;
/** A batch still unacknowledged after this long (no leader for a partition) fails the producer. */
const SEND_TIMEOUT_MS = 60_000;

export async function runProducerService(config: ChildConfig): Promise<void> {
  const range = producerRanges(config.partners, config.producers)[config.member - 1]!;
  const simulator = new Simulator({ partners: config.partners, ratePerSec: config.ratePerSec, seed: config.seed, range });
  const ratePerSec = (config.ratePerSec * (range.to - range.from)) / config.partners;
  const producer = new Producer({
    clientId: `demo-gps-producer-${config.runId}-${config.member}`,
    bootstrapBrokers: bootstrapList(config.bootstrap),
    serializers: stringSerializers,
    idempotent: true,
    retries: 10,
    retryDelay: 200,
  });
  const lastUpdates = new Map<string, LocationUpdate>();
  const windowCounts = new Map<number, number>();
  const partitionOf = new Map<string, number>();
  let produced = 0;
  let sendRetries = 0;
  let isStopping = false;
  onStopRequest(() => {
    isStopping = true;
  });
  const report = (): void => sendStats({ name: 'producer', member: config.member, events: produced, sendRetries });
  // The first report tells the parent that producing starts now.
  report();
  const stopReports = everySecond(report);

  const startMs = Date.now();
  let generated = 0;
  while (!isStopping) {
    const due = Math.floor(((Date.now() - startMs) / 1000) * ratePerSec) - generated;
    if (due <= 0) {
      await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
      continue;
    }
    const updates: LocationUpdate[] = [];
    const now = Date.now();
    for (let i = 0; i < Math.min(due, SEND_BATCH_MAX); i++) updates.push(simulator.next(now));
    generated += updates.length;
    const records = updates.map((u) => {
      let partition = partitionOf.get(u.partnerId);
      if (partition === undefined) partitionOf.set(u.partnerId, (partition = partitionForKey(Buffer.from(u.partnerId), config.partitions)));
      return { topic: LOCATION_TOPIC, partition, key: u.partnerId, value: JSON.stringify(u) };
    });
    sendRetries += await sendUntilAcked(producer, records, SEND_TIMEOUT_MS);
    // Acknowledged: only now does the update count as produced.
    for (const u of updates) {
      lastUpdates.set(u.partnerId, u);
      const window = windowStartOf(u.ts, config.windowMs);
      windowCounts.set(window, (windowCounts.get(window) ?? 0) + 1);
    }
    produced += updates.length;
  }
  stopReports();
  writeLastUpdates(demoFiles.lastUpdates(config.dataDir, config.member), [...lastUpdates.values()].sort((a, b) => (a.partnerId < b.partnerId ? -1 : 1)));
  writeWindowCounts(demoFiles.producedWindows(config.dataDir, config.member), windowCounts);
  await producer.close();
  sendStats({ name: 'producer', member: config.member, events: produced, sendRetries, isFinal: true });
}
