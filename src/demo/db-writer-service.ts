// db-writer: the reason the scenario exists. Updates arrive at tens of thousands per second; the
// database sees one transaction per batch instead. Messages are buffered as they arrive; a single
// loop takes up to BATCH_MAX of them, applies them in one database transaction (SQLite or
// PostgreSQL, location-store.ts), and only then commits the batch's offsets to Kafka. A crash
// between the two replays the batch, which the store's idempotent writes absorb, so nothing is
// lost and nothing applied twice. Several members share the one database.
//
// When the member's consumer fails and a new one joins (consumer.ts), the buffer and the offsets
// not yet committed are dropped: the new assignment may not include those partitions, and a
// commit of them now could move another member's committed offset backwards. Whatever they held
// is read again from the committed offsets, and applying it again changes nothing.

import { createRootLogger } from '../common/log.js';
import { everySecond, onStopRequest, sendStats } from './child-ipc.js';
import type { ChildConfig } from './config.js';
import { ServiceConsumer, type LocationMessage } from './consumer.js';
import { databaseTarget, openLocationStore } from './database.js';
import type { PositionedUpdate } from './location-store.js';
import type { LocationUpdate } from './types.js';

const BATCH_MAX = 5_000;
/** Above this many buffered updates the stream is paused until the loop catches up. */
const BUFFERED_MAX = 50_000;
const IDLE_WAIT_MS = 20;
const COMMIT_RETRY_WAIT_MS = 200;
const log = createRootLogger('warn', { component: 'demo-db-writer' });

export async function runDbWriterService(config: ChildConfig): Promise<void> {
  const store = await openLocationStore(databaseTarget(config.dataDir, config.databaseUrl));
  let buffered: PositionedUpdate[] = [];
  const pendingCommit = new Map<number, number>();
  let events = 0;
  let dbTransactions = 0;
  const sc: ServiceConsumer = await ServiceConsumer.start(config, 'db-writer', false, {
    onMessage(message: LocationMessage) {
      buffered.push({ partition: message.partition, offset: Number(message.offset), update: JSON.parse(message.value) as LocationUpdate });
      if (buffered.length >= BUFFERED_MAX) sc.pause();
    },
    onRestart() {
      buffered = [];
      pendingCommit.clear();
    },
  });
  const report = (isFinal = false): void =>
    sendStats({ name: 'db-writer', member: config.member, events, dbTransactions, partitions: sc.partitions(), restarts: sc.restarts, isFinal });
  const stopReports = everySecond(report);
  let isStopping = false;
  onStopRequest(() => {
    isStopping = true;
  });

  while (!isStopping || buffered.length > 0) {
    if (sc.paused && buffered.length < BUFFERED_MAX / 2) sc.resume();
    if (buffered.length === 0) {
      // Idle: a commit that failed (coordinator moving) is retried now rather than with a batch
      // that may never come.
      await new Promise((resolve) => setTimeout(resolve, pendingCommit.size > 0 ? COMMIT_RETRY_WAIT_MS : IDLE_WAIT_MS));
      await commitPending(sc, pendingCommit);
      continue;
    }
    const batch = buffered.splice(0, BATCH_MAX);
    await store.apply(batch);
    dbTransactions++;
    events += batch.length;
    for (const { partition, offset } of batch) pendingCommit.set(partition, Math.max(pendingCommit.get(partition) ?? 0, offset + 1));
    await commitPending(sc, pendingCommit);
  }
  stopReports();
  await commitPending(sc, pendingCommit);
  await sc.close();
  await store.close();
  report(true);
}

/**
 * Commits what the database already holds; on failure keeps it for the next batch to retry.
 * Partitions this member no longer holds (a rebalance moved them) are dropped instead: their new
 * owner reads from the last commit and applies the same rows again, which changes nothing, while
 * a late commit from here could move the new owner's committed offset backwards.
 */
async function commitPending(sc: ServiceConsumer, pending: Map<number, number>): Promise<void> {
  const assigned = new Set(sc.partitions());
  for (const partition of pending.keys()) if (!assigned.has(partition)) pending.delete(partition);
  if (pending.size === 0) return;
  const offsets = [...pending].map(([partition, offset]) => ({ partition, offset }));
  try {
    await sc.commit(offsets);
    for (const { partition, offset } of offsets) if (pending.get(partition) === offset) pending.delete(partition);
  } catch (err) {
    // A rebalance or a coordinator move: the rows are in the database already, so retrying the
    // commit later (or replaying the batch in another member) is safe.
    log.warn({ err, partitions: offsets.length }, 'offset commit failed; retrying with the next batch');
  }
}
