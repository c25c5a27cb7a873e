// Delayed operations (Kafka's "purgatory"): a produce with acks=-1 waiting for the high
// watermark, a fetch waiting for min.bytes. They wait on partition append notifications with a
// deadline, so nothing polls. This is the shell around the pure partition state: the only place
// here that owns timers.

import { ErrorCode } from '../protocol/errors.js';
import type { Partition } from '../replication/partition.js';

/** Operations waiting now, in this process (Kafka's purgatory sizes), for the metrics. */
export const purgatorySizes = { produce: 0, fetch: 0 };

/**
 * Resolves NONE once the high watermark reaches `offset`, REQUEST_TIMED_OUT after `timeoutMs`,
 * or NOT_LEADER_OR_FOLLOWER as soon as this broker stops leading the epoch the record was written
 * in: a new leader may not have the record, so it must not be acknowledged.
 */
export function awaitHighWatermark(partition: Partition, offset: number, timeoutMs: number): Promise<number> {
  const epoch = partition.state.leaderEpoch;
  const outcome = (): number | null => {
    if (!partition.isLeader || partition.state.leaderEpoch !== epoch) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    return partition.highWatermark >= offset ? ErrorCode.NONE : null;
  };
  const now = outcome();
  if (now !== null) return Promise.resolve(now);
  purgatorySizes.produce++;
  return new Promise((resolve) => {
    let unsubscribe = (): void => {};
    const timer = setTimeout(() => {
      unsubscribe();
      purgatorySizes.produce--;
      resolve(ErrorCode.REQUEST_TIMED_OUT);
    }, Math.max(0, timeoutMs));
    const check = (): void => {
      const result = outcome();
      if (result !== null) {
        clearTimeout(timer);
        purgatorySizes.produce--;
        resolve(result);
      } else unsubscribe = partition.onAppend(check);
    };
    unsubscribe = partition.onAppend(check);
  });
}

/**
 * Waits until any of `partitions` gets new data or `maxWaitMs` passes; `isSatisfied` decides
 * whether the data suffices (min.bytes), re-checked on each wake-up.
 */
export function awaitData(partitions: Partition[], maxWaitMs: number, isSatisfied: () => boolean): Promise<void> {
  purgatorySizes.fetch++;
  return new Promise((resolve) => {
    const unsubscribers: (() => void)[] = [];
    let isFinished = false;
    const finish = (): void => {
      if (isFinished) return;
      isFinished = true;
      purgatorySizes.fetch--;
      clearTimeout(timer);
      for (const u of unsubscribers.splice(0)) u();
      resolve();
    };
    const timer = setTimeout(finish, Math.max(0, maxWaitMs));
    const subscribe = (p: Partition): void => {
      unsubscribers.push(
        p.onAppend(() => {
          // A check may cause a notification that finishes the wait (isSatisfied runs inside one):
          // a finished wait subscribes to nothing more.
          if (isFinished) return;
          if (isSatisfied()) finish();
          else if (!isFinished) subscribe(p);
        }),
      );
    };
    partitions.forEach(subscribe);
  });
}
