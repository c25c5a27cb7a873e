// Goal: classic groups hand partitions over without loss or duplicates, with real librdkafka
// members (python confluent-kafka, one process each): two groups on one topic each read every
// record exactly once; on a one-partition topic one of three members reads everything in order
// while two stay idle, and when it closes (LeaveGroup) another takes over from its committed offset
// at once, long before the session timeout would have expired it.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { brokerErrors } from '../helpers/broker-log.js';
import {
  Member,
  killRunning,
  waitUntil,
  waitForStableAssignment,
  assertReadExactly,
  totalRecords,
  produceRecords,
  createTopics,
} from '../helpers/group-members.js';
import { assertExactRecords, range } from '../helpers/verify.js';

describe('python consumer groups hand over partitions', { timeout: 58_000 }, () => {
  let broker: BrokerProcess;
  const sharedTopic = 'grp-shared';
  const singleTopic = 'grp-single';
  /** Long enough that a takeover within it can only come from LeaveGroup, not from expiry. */
  const sessionTimeoutMs = 30_000;

  before(async () => {
    broker = await startBroker({
      overrides: { 'group.initial.rebalance.delay.ms': '300', 'auto.create.topics.enable': 'false' },
    });
    await createTopics(broker.bootstrap, [
      { name: sharedTopic, partitions: 4 },
      { name: singleTopic, partitions: 1 },
    ]);
  });
  after(async () => {
    assert.equal(await broker.stop(), 0, broker.stderrTail(4000));
  });

  test('two groups (5 members and 1) on one topic each read every record once', async () => {
    const args = { bootstrap: broker.bootstrap, topics: [sharedTopic], sessionTimeoutMs };
    const big = range(0, 5).map((k) => new Member(`big-m${k}`, { ...args, groupId: 'grp-big', assignor: 'roundrobin' }));
    const solo = [new Member('solo', { ...args, groupId: 'grp-solo' })];
    const everyone = [...big, ...solo];
    try {
      await Promise.all([waitForStableAssignment(big, 4, 25_000), waitForStableAssignment(solo, 4, 25_000)]);
      assert.deepEqual(big.map((m) => m.assignment()!.length).sort(), [0, 1, 1, 1, 1]);
      assert.deepEqual(solo[0]!.assignment(), [0, 1, 2, 3]);
      await produceRecords(broker.bootstrap, sharedTopic, 0, 400, 4);
      const explain = (): string => everyone.map((m) => m.describe()).join('\n');
      await waitUntil(() => totalRecords(big) >= 400 && totalRecords(solo) >= 400, 15_000, explain);
      assertReadExactly(big, range(0, 400), (i) => i % 4);
      assertReadExactly(solo, range(0, 400), (i) => i % 4);
      await Promise.all(everyone.map((m) => m.stop()));
    } finally {
      killRunning(everyone);
    }
  });

  test('one partition, three members: one reads in order, two idle; on LeaveGroup another resumes at the commit', async () => {
    const args = { bootstrap: broker.bootstrap, topics: [singleTopic], groupId: 'grp-single', sessionTimeoutMs };
    const members = range(0, 3).map((k) => new Member(`single-m${k}`, args));
    const explain = (): string => members.map((m) => m.describe()).join('\n');
    try {
      await waitForStableAssignment(members, 1, 25_000);
      const active = members.find((m) => m.assignment()!.length === 1)!;
      const idle = members.filter((m) => m !== active);
      for (const m of idle) assert.deepEqual(m.assignment(), []);

      await produceRecords(broker.bootstrap, singleTopic, 0, 150, 1);
      await waitUntil(() => active.records().length >= 150 && lastCommitted(active, 0) === 150, 15_000, explain);
      assertExactRecords(active.records(), { indices: range(0, 150), partitionOf: () => 0 });
      for (const m of idle) assert.equal(m.records().length, 0, `${m.name} is idle`);

      const closedAt = Date.now();
      await active.stop();
      await waitUntil(() => idle.some((m) => m.assignment()?.length === 1), 15_000, explain);
      const tookOverMs = Date.now() - closedAt;
      assert.ok(tookOverMs < sessionTimeoutMs / 2, `takeover after ${tookOverMs} ms: LeaveGroup should trigger it`);
      const successor = idle.find((m) => m.assignment()?.length === 1)!;
      const bystander = idle.find((m) => m !== successor)!;

      await produceRecords(broker.bootstrap, singleTopic, 150, 150, 1);
      await waitUntil(() => successor.records().length >= 150, 15_000, explain);
      // The successor starts exactly at the committed offset 150: nothing lost, nothing re-read.
      assertExactRecords(successor.records(), { indices: range(150, 300), partitionOf: () => 0, firstOffsetOf: () => 150 });
      assert.equal(bystander.records().length, 0);
      assert.deepEqual(bystander.assignment(), []);
      await Promise.all(idle.map((m) => m.stop()));
    } finally {
      killRunning(members);
    }
  });

  test('the broker logged no internal error', () => {
    assert.deepEqual(brokerErrors(broker), []);
  });
});

/** The offset `member` last committed successfully for `partition`, or -1. */
function lastCommitted(member: Member, partition: number): number {
  let offset = -1;
  for (const e of member.stream.lines) {
    if (e.ev !== 'commit') continue;
    for (const [, p, o] of e.offsets!) if (p === partition) offset = o;
  }
  return offset;
}
