// Delayed operations (Kafka's "purgatory"): a produce with acks=-1 waiting for the high
// watermark, a fetch waiting for min.bytes. They wait on partition append notifications with a
// deadline, so nothing polls. This is the shell around the pure partition state: the only place
// here that owns timers.

import { ErrorCode } from '../protocol/errors.js';
import type { Partition } from '../replication/partition.js';

/** Resolves NONE once the high watermark reaches `offset`, or REQUEST_TIMED_OUT after `timeoutMs`. */
export function awaitHighWatermark(partition: Partition, offset: number, timeoutMs: number): Promise<number> {
  if (partition.highWatermark >= offset) return Promise.resolve(ErrorCode.NONE);
  return new Promise((resolve) => {
    let unsubscribe = (): void => {};
    const timer = setTimeout(() => {
      unsubscribe();
      resolve(ErrorCode.REQUEST_TIMED_OUT);
    }, Math.max(0, timeoutMs));
    const check = (): void => {
      if (partition.highWatermark >= offset) {
        clearTimeout(timer);
        resolve(ErrorCode.NONE);
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
  return new Promise((resolve) => {
    const unsubscribers: (() => void)[] = [];
    const finish = (): void => {
      clearTimeout(timer);
      for (const u of unsubscribers.splice(0)) u();
      resolve();
    };
    const timer = setTimeout(finish, Math.max(0, maxWaitMs));
    const subscribe = (p: Partition): void => {
      unsubscribers.push(
        p.onAppend(() => {
          if (isSatisfied()) finish();
          else subscribe(p);
        }),
      );
    };
    partitions.forEach(subscribe);
  });
}
