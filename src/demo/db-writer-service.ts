// db-writer: the reason the scenario exists. Updates arrive at tens of thousands per second; the
// database sees one transaction per batch instead. Messages are buffered as they arrive; a single
// loop takes up to BATCH_MAX of them, applies them in one SQLite transaction (sqlite.ts), and only
// then commits the batch's offsets to Kafka. A crash between the two replays the batch, which the
// store's idempotent writes absorb, so nothing is lost and nothing applied twice.

import { createRootLogger } from '../common/log.js';
import { everySecond, onStopRequest, sendStats } from './child-ipc.js';
import type { ChildConfig } from './config.js';
import { startServiceConsumer, type LocationMessage, type ServiceConsumer } from './consumer.js';
import { demoFiles } from './files.js';
import { LocationStore, type PositionedUpdate } from './sqlite.js';
import { LOCATION_TOPIC, type LocationUpdate } from './types.js';

const BATCH_MAX = 5_000;
/** Above this many buffered updates the stream is paused until the loop catches up. */
const BUFFERED_MAX = 50_000;
const IDLE_WAIT_MS = 20;
const log = createRootLogger('warn', { component: 'demo-db-writer' });

export async function runDbWriterService(config: ChildConfig): Promise<void> {
  const store = new LocationStore(demoFiles.database(config.dataDir));
  const sc = await startServiceConsumer(config, 'db-writer', false);
  const buffered: PositionedUpdate[] = [];
  let events = 0;
  let dbTransactions = 0;
  sc.stream.on('data', (message: LocationMessage) => {
    buffered.push({ partition: message.partition, offset: Number(message.offset), update: JSON.parse(message.value) as LocationUpdate });
    if (buffered.length >= BUFFERED_MAX) sc.stream.pause();
  });
  const report = (isFinal = false): void =>
    sendStats({ name: 'db-writer', events, dbTransactions, partitions: sc.partitions(), isFinal });
  const stopReports = everySecond(report);
  let isStopping = false;
  onStopRequest(() => {
    isStopping = true;
  });

  const pendingCommit = new Map<number, number>();
  while (!isStopping || buffered.length > 0) {
    if (buffered.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
      continue;
    }
    const batch = buffered.splice(0, BATCH_MAX);
    if (sc.stream.isPaused() && buffered.length < BUFFERED_MAX / 2) sc.stream.resume();
    store.apply(batch);
    dbTransactions++;
    events += batch.length;
    for (const { partition, offset } of batch) pendingCommit.set(partition, Math.max(pendingCommit.get(partition) ?? 0, offset + 1));
    await commitPending(sc, pendingCommit);
  }
  stopReports();
  await commitPending(sc, pendingCommit);
  await sc.close();
  store.close();
  report(true);
}

/** Commits what the database already holds; on failure keeps it for the next batch to retry. */
async function commitPending(sc: ServiceConsumer, pending: Map<number, number>): Promise<void> {
  if (pending.size === 0) return;
  const offsets = [...pending].map(([partition, offset]) => ({ topic: LOCATION_TOPIC, partition, offset: BigInt(offset), leaderEpoch: -1 }));
  try {
    await sc.consumer.commit({ offsets });
    for (const { partition, offset } of offsets) if (pending.get(partition) === Number(offset)) pending.delete(partition);
  } catch (err) {
    // A rebalance or a coordinator move: the rows are in the database already, so retrying the
    // commit later (or replaying the batch in another member) is safe.
    log.warn({ err, partitions: offsets.length }, 'offset commit failed; retrying with the next batch');
  }
}
