// Goal: the leader's high watermark waits for every follower whose joining the ISR is not yet
// settled (Kafka's maximal ISR), so a joiner that a committed expansion makes electable, or that
// a reassignment keeps, already holds every acknowledged record; and the joiner stops counting
// once the controller's answer or a new partition epoch settles it. Also: a follower learns the
// idempotent producers of what it appends (from the fetched bytes, whole batches only).

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { silentLogger } from '../../../src/common/logger.js';
import { Partition, type LeaderAndIsr } from '../../../src/replication/partition.js';
import { PartitionLog } from '../../../src/storage/partition-log.js';
import { makeBatch, sealBatch, smallConfig, tempDir } from '../storage/batch-fixture.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

const NO_PRODUCER = { producerId: -1, producerEpoch: -1, baseSequence: -1, lastOffsetDelta: 9 };
const state: LeaderAndIsr = { leaderId: 1, leaderEpoch: 3, partitionEpoch: 7, replicas: [1, 2, 3], isr: [1, 2] };

const isrChanges: [shrunk: boolean, expanded: boolean][] = [];

function leader(): Partition {
  const log = PartitionLog.open(tmp.dir, 't', 0, smallConfig(), silentLogger, { cleanShutdown: false });
  isrChanges.length = 0;
  const p = new Partition('t', 'topic-id', 0, log, state, 1, silentLogger, 0, (shrunk, expanded) => isrChanges.push([shrunk, expanded]));
  p.appendAsLeader(makeBatch({ count: 10 }), NO_PRODUCER, 0, false);
  return p;
}

/** A leader at offset 20 whose ISR follower 2 has it all, with follower 3 asked to join at 10. */
function leaderWithJoiner(): Partition {
  const p = leader();
  p.onFollowerFetch(2, 10, 1);
  p.onFollowerFetch(3, 10, 1);
  p.markJoining([3]);
  p.appendAsLeader(makeBatch({ count: 10 }), NO_PRODUCER, 2, false);
  p.onFollowerFetch(2, 20, 3);
  return p;
}

test('a joiner counts for the high watermark until the answer arrives', () => {
  const p = leader();
  p.onFollowerFetch(2, 10, 1);
  assert.equal(p.highWatermark, 10);

  p.onFollowerFetch(3, 10, 1);
  assert.deepEqual(p.caughtUpOutsideIsr(), [3]);
  p.markJoining([3]);
  p.appendAsLeader(makeBatch({ count: 10 }), NO_PRODUCER, 2, false);
  p.onFollowerFetch(2, 20, 3);
  assert.equal(p.highWatermark, 10, 'broker 3 may already be in the committed ISR: wait for it');
  p.onFollowerFetch(3, 20, 3);
  assert.equal(p.highWatermark, 20);
});

test('a refused or cancelled expansion stops counting the joiner', () => {
  const p = leaderWithJoiner();
  assert.equal(p.highWatermark, 10);
  p.settleJoining();
  assert.equal(p.highWatermark, 20);
});

test('a new partition epoch from the image settles the joiners; an older one is ignored', () => {
  const p = leaderWithJoiner();
  p.setState({ ...state, partitionEpoch: 6, isr: [1] }, 4);
  assert.deepEqual(p.state.isr, [1, 2], 'a stale image does not undo a newer state');
  assert.equal(p.highWatermark, 10);
  p.setState({ ...state, partitionEpoch: 8, isr: [1, 2] }, 4);
  assert.equal(p.highWatermark, 20, 'the expansion did not commit: only the ISR counts');
  assert.deepEqual(isrChanges, [], 'the ISR itself never changed');
  p.setState({ ...state, partitionEpoch: 9, isr: [1, 2, 3] }, 5);
  p.setState({ ...state, partitionEpoch: 10, isr: [1, 3] }, 6);
  assert.deepEqual(isrChanges, [[false, true], [true, false]], 'each ISR change reaches the counters once');
});

test('a joiner that stops fetching is reported lagging, so a shrink can settle it', () => {
  const p = leader();
  p.onFollowerFetch(2, 10, 1);
  p.onFollowerFetch(3, 10, 1);
  p.markJoining([3]);
  p.onFollowerFetch(2, 10, 40_000);
  assert.deepEqual(p.maximalIsr, [1, 2, 3]);
  assert.deepEqual(p.laggingIsrMembers(40_000, 30_000), [3]);
});

test('a follower learns the producers of the batches it appends, so as leader it recognises their retries', () => {
  const log = PartitionLog.open(tmp.dir, 't', 0, smallConfig(), silentLogger, { cleanShutdown: false });
  const follower = new Partition('t', 'topic-id', 0, log, { ...state, leaderId: 2 }, 1, silentLogger, 0);
  const batch = (baseOffset: number, baseSequence: number) => {
    const b = makeBatch({ baseOffset, count: 5 });
    b.writeBigInt64BE(42n, 43); // producer id
    b.writeInt16BE(0, 51); // producer epoch
    b.writeInt32BE(baseSequence, 53); // base sequence
    return sealBatch(b);
  };
  // Two batches in one fetch, and a third cut off by the fetch size (not appended, not learned).
  const third = batch(10, 10);
  follower.appendAsFollower(Buffer.concat([batch(0, 0), batch(5, 5), third.subarray(0, third.length - 3)]), 0, 1);
  assert.equal(follower.logEndOffset, 10);
  const retry = { producerId: 42, producerEpoch: 0, baseSequence: 5, lastOffsetDelta: 4 };
  assert.deepEqual(follower.producers.check(retry), { kind: 'duplicate', firstOffset: 5, lastOffset: 9, timestampMs: 1 });
  assert.deepEqual(follower.producers.check({ ...retry, baseSequence: 10 }), { kind: 'append' }, 'the cut-off batch is not known yet');
});
