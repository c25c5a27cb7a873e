// Goal: reset-offsets computes Kafka's new offsets: each strategy's target clamped to
// [log start, log end], --shift-by from the committed offset, --to-datetime through the
// timestamp lookup (falling back to the log end), and targets checked against the cluster.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OffsetSpec, TopicMetadata, TopicPartition } from '../../../src/client/index.js';
import { TidelineError } from '../../../src/common/errors.js';
import type { ResetStrategy } from '../../../src/cli/groups-args.js';
import { clamp, partitionKey, planReset, resolveTargets, targetOffset, type OffsetLookup } from '../../../src/cli/reset-offsets.js';

const tp = { topic: 't', partition: 0 };

test('each strategy, clamped to [earliest, latest]', () => {
  const bounds = { earliest: 10, latest: 50, committed: 30 };
  const cases: [ResetStrategy, number][] = [
    [{ kind: 'to-earliest' }, 10],
    [{ kind: 'to-latest' }, 50],
    [{ kind: 'to-offset', offset: 20 }, 20],
    [{ kind: 'to-offset', offset: 5 }, 10],
    [{ kind: 'to-offset', offset: 99 }, 50],
    [{ kind: 'shift-by', delta: -5 }, 25],
    [{ kind: 'shift-by', delta: 15 }, 45],
    [{ kind: 'shift-by', delta: -100 }, 10],
    [{ kind: 'shift-by', delta: 100 }, 50],
  ];
  for (const [strategy, expected] of cases) assert.equal(targetOffset(strategy, bounds, tp), expected, JSON.stringify(strategy));
  assert.equal(clamp(7, 0, 0), 0);
});

test('--to-datetime takes the lookup answer, or the log end where no record is that new', () => {
  const strategy: ResetStrategy = { kind: 'to-datetime', timestampMs: 1 };
  assert.equal(targetOffset(strategy, { earliest: 0, latest: 9, committed: null, byTimestamp: 4 }, tp), 4);
  assert.equal(targetOffset(strategy, { earliest: 0, latest: 9, committed: null, byTimestamp: -1 }, tp), 9);
  // A lookup answer below the log start (records deleted since) is clamped like any other.
  assert.equal(targetOffset(strategy, { earliest: 5, latest: 9, committed: null, byTimestamp: 2 }, tp), 5);
});

test('--shift-by without a committed offset is a usage error naming the partition', () => {
  assert.throws(() => targetOffset({ kind: 'shift-by', delta: 1 }, { earliest: 0, latest: 9, committed: null }, tp), (err) =>
    err instanceof TidelineError && /no committed offset for t-0 to shift/.test(err.message));
});

test('planReset asks the lookup for bounds (and timestamps) and plans every partition', async () => {
  const logs: Record<string, { earliest: number; latest: number; byTime: number }> = {
    't:0': { earliest: 0, latest: 100, byTime: 40 },
    't:1': { earliest: 20, latest: 30, byTime: -1 },
  };
  const asked: string[] = [];
  const lookup: OffsetLookup = async (partitions: readonly TopicPartition[], spec: OffsetSpec) => {
    asked.push(typeof spec === 'string' ? spec : `ts=${spec.timestampMs}`);
    return new Map(partitions.map((p) => {
      const log = logs[partitionKey(p)]!;
      return [partitionKey(p), spec === 'earliest' ? log.earliest : spec === 'latest' ? log.latest : log.byTime];
    }));
  };
  const partitions = [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }];
  const committed = [{ topic: 't', partition: 0, offset: 90, leaderEpoch: -1, metadata: '' }];
  const byTime = await planReset({ kind: 'to-datetime', timestampMs: 1234 }, partitions, committed, lookup);
  assert.deepEqual(byTime, [
    { topic: 't', partition: 0, currentOffset: 90, newOffset: 40 },
    { topic: 't', partition: 1, currentOffset: null, newOffset: 30 },
  ]);
  assert.deepEqual(asked.sort(), ['earliest', 'latest', 'ts=1234']);
  const shifted = await planReset({ kind: 'shift-by', delta: 50 }, partitions.slice(0, 1), committed, lookup);
  assert.deepEqual(shifted.map((p) => p.newOffset), [100]);
});

test('resolveTargets checks topics and partitions against metadata; --all-topics uses the commits', () => {
  const topics: TopicMetadata[] = [{
    name: 't', topicId: '', isInternal: false, errorCode: 0,
    partitions: [0, 1, 2].map((partition) => ({ partition, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], errorCode: 0 })),
  }, { name: 'gone', topicId: '', isInternal: false, errorCode: 3, partitions: [] }];
  assert.deepEqual(resolveTargets([{ topic: 't', partitions: null }], topics, []).map((p) => p.partition), [0, 1, 2]);
  assert.deepEqual(resolveTargets([{ topic: 't', partitions: [2] }, { topic: 't', partitions: [2, 0] }], topics, []).map((p) => p.partition), [2, 0]);
  assert.throws(() => resolveTargets([{ topic: 'gone', partitions: null }], topics, []), /topic "gone" does not exist/);
  assert.throws(() => resolveTargets([{ topic: 't', partitions: [3] }], topics, []), /has no partition 3 \(it has 3: 0-2\)/);
  const committed = [{ topic: 'u', partition: 4, offset: 1, leaderEpoch: -1, metadata: null }];
  assert.deepEqual(resolveTargets('all-topics', [], committed), [{ topic: 'u', partition: 4 }]);
  assert.throws(() => resolveTargets('all-topics', [], []), /no committed offsets; name topics with --topic/);
});
