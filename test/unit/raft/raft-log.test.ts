// Goal: the log arithmetic replication relies on is right: endOffsetForEpoch (KIP-595) across
// epochs and a snapshot, the leader's three fetch answers (records, diverging epoch, snapshot id),
// the follower's truncation point, snapshot chunks, and the Ready view of unpersisted changes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RaftLog } from '../../../src/raft/index.js';
import { answerFetch, answerFetchSnapshot, truncationOffset } from '../../../src/raft/fetch-answer.js';
import { ErrorCode } from '../../../src/protocol/errors.js';

function logWith(epochs: number[], snapshot: { endOffset: number; epoch: number } | null = null): RaftLog {
  const start = snapshot?.endOffset ?? 0;
  const entries = epochs.map((epoch, i) => ({ offset: start + i, epoch, data: Buffer.from(`${start + i}`), isControl: false }));
  return new RaftLog(snapshot === null ? null : { id: snapshot, data: Buffer.from('snapshot-bytes') }, entries);
}

test('endOffsetForEpoch', () => {
  const log = logWith([1, 1, 3, 3, 5]);
  const cases: [number, { epoch: number; endOffset: number }][] = [
    [0, { epoch: 0, endOffset: 0 }],
    [1, { epoch: 1, endOffset: 2 }],
    [2, { epoch: 1, endOffset: 2 }],
    [3, { epoch: 3, endOffset: 4 }],
    [4, { epoch: 3, endOffset: 4 }],
    [5, { epoch: 5, endOffset: 5 }],
    [9, { epoch: 5, endOffset: 5 }],
  ];
  for (const [epoch, expected] of cases) assert.deepEqual(log.endOffsetForEpoch(epoch), expected, `epoch ${epoch}`);
  const compacted = logWith([4, 4], { endOffset: 10, epoch: 2 });
  assert.deepEqual(compacted.endOffsetForEpoch(3), { epoch: 2, endOffset: 10 });
  assert.deepEqual(compacted.endOffsetForEpoch(4), { epoch: 4, endOffset: 12 });
  assert.equal(compacted.epochAt(9), 2);
  assert.equal(compacted.epochAt(8), null);
});

test('the leader answers a fetch with records, a diverging epoch or a snapshot id', () => {
  const leader = logWith([1, 1, 3, 3, 5]);
  const cases = [
    { name: 'empty follower', fetchOffset: 0, lastFetchedEpoch: 0, records: [0, 1, 2], diverging: null },
    { name: 'matching prefix', fetchOffset: 3, lastFetchedEpoch: 3, records: [3, 4], diverging: null },
    { name: 'caught up', fetchOffset: 5, lastFetchedEpoch: 5, records: [], diverging: null },
    { name: 'epoch the leader never had', fetchOffset: 4, lastFetchedEpoch: 2, records: [], diverging: { epoch: 1, endOffset: 2 } },
    { name: 'longer in a shared epoch', fetchOffset: 6, lastFetchedEpoch: 3, records: [], diverging: { epoch: 3, endOffset: 4 } },
    { name: 'beyond the leader in its last epoch', fetchOffset: 7, lastFetchedEpoch: 5, records: [], diverging: { epoch: 5, endOffset: 5 } },
  ];
  for (const c of cases) {
    const answer = answerFetch(leader, c.fetchOffset, c.lastFetchedEpoch, 3);
    assert.deepEqual(answer.records.map((e) => e.offset), c.records, c.name);
    assert.deepEqual(answer.divergingEpoch, c.diverging, c.name);
    assert.equal(answer.matchOffset, c.diverging === null ? c.fetchOffset : null, c.name);
  }
  const compacted = logWith([4, 4], { endOffset: 10, epoch: 2 });
  assert.deepEqual(answerFetch(compacted, 3, 1, 3).snapshotId, { endOffset: 10, epoch: 2 });
  assert.deepEqual(answerFetch(compacted, 11, 1, 3).snapshotId, { endOffset: 10, epoch: 2 }, 'epoch older than the snapshot');
  assert.deepEqual(answerFetch(compacted, 10, 2, 3).records.map((e) => e.offset), [10, 11]);
});

test('a follower truncates to the common prefix and never below the high watermark', () => {
  const follower = logWith([1, 1, 2, 2, 2]);
  assert.equal(truncationOffset(follower, { epoch: 1, endOffset: 2 }, 0), 2);
  assert.equal(truncationOffset(follower, { epoch: 2, endOffset: 3 }, 1), 3);
  assert.throws(() => truncationOffset(follower, { epoch: 1, endOffset: 2 }, 4), /committed/);
});

test('snapshot chunks', () => {
  const log = logWith([4], { endOffset: 10, epoch: 2 });
  const id = { endOffset: 10, epoch: 2 };
  assert.deepEqual(answerFetchSnapshot(log, id, 0, 8).chunk.toString(), 'snapshot');
  assert.deepEqual(answerFetchSnapshot(log, id, 8, 8), { errorCode: 0, size: 14, chunk: Buffer.from('-bytes') });
  assert.equal(answerFetchSnapshot(log, { endOffset: 9, epoch: 2 }, 0, 8).errorCode, ErrorCode.SNAPSHOT_NOT_FOUND);
  assert.equal(answerFetchSnapshot(log, id, 15, 8).errorCode, ErrorCode.POSITION_OUT_OF_RANGE);
});

test('unpersisted changes: truncation then appends become one rewrite from the lowest offset', () => {
  const log = logWith([1, 1, 1, 1]);
  // Entries loaded at start-up are already durable.
  assert.deepEqual(log.unpersisted(), { snapshot: null, logFromOffset: null, entries: [] });
  log.truncateTo(2);
  log.append({ offset: 2, epoch: 2, data: Buffer.from('x'), isControl: false });
  const u = log.unpersisted();
  assert.equal(u.logFromOffset, 2);
  assert.deepEqual(u.entries.map((e) => e.epoch), [2]);
  log.markPersisted();
  log.compact({ id: { endOffset: 2, epoch: 1 }, data: Buffer.from('s') });
  assert.deepEqual(log.unpersisted().snapshot?.id, { endOffset: 2, epoch: 1 });
  assert.equal(log.startOffset, 2);
});
