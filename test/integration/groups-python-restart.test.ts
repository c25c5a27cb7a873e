// Goal: what a classic group commits outlives its members and the broker, and static membership
// (KIP-345) spares a group the rebalance a restarting member would cause. With real librdkafka
// members (python confluent-kafka): commit, stop every member, restart the broker on the same data
// directory, and a new member resumes exactly at the committed offsets; a static member
// (group.instance.id) that restarts within its session timeout gets its partitions back while the
// other member sees no revoke or assign at all, and nothing is lost or read twice.

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

/** The highest offset any of `members` committed successfully for `partition`, or -1. */
function committedOffset(members: readonly Member[], partition: number): number {
  let offset = -1;
  for (const m of members) {
    for (const e of m.stream.lines) if (e.ev === 'commit') for (const [, p, o] of e.offsets!) if (p === partition) offset = Math.max(offset, o);
  }
  return offset;
}

describe('python consumer group offsets and static members across restarts', { timeout: 58_000 }, () => {
  let broker: BrokerProcess;
  const overrides = { 'group.initial.rebalance.delay.ms': '300', 'auto.create.topics.enable': 'false' };
  const members: Member[] = [];
  const explain = (): string => members.map((m) => m.describe()).join('\n');
  const join = (name: string, args: object): Member => {
    const member = new Member(name, { bootstrap: broker.bootstrap, ...args });
    members.push(member);
    return member;
  };

  before(async () => {
    broker = await startBroker({ overrides });
    await createTopics(broker.bootstrap, [
      { name: 'grp-durable', partitions: 2 },
      { name: 'grp-static', partitions: 4 },
    ]);
  });
  after(async () => {
    killRunning(members);
    assert.equal(await broker.stop(), 0, broker.stderrTail(4000));
  });

  test('committed offsets survive a broker restart: a new member resumes at them', async () => {
    const args = { topics: ['grp-durable'], groupId: 'grp-durable' };
    await produceRecords(broker.bootstrap, 'grp-durable', 0, 100, 2);
    const readers = [join('durable-a', args), join('durable-b', args)];
    const isCommitted = (): boolean => [0, 1].every((p) => committedOffset(readers, p) === 50);
    await waitUntil(() => totalRecords(readers) >= 100 && isCommitted(), 20_000, explain);
    assertReadExactly(readers, range(0, 100), (i) => i % 2);
    await Promise.all(readers.map((m) => m.stop()));

    assert.equal(await broker.stop(), 0, broker.stderrTail(4000));
    broker = await startBroker({ dataDir: broker.dataDir, overrides });
    await produceRecords(broker.bootstrap, 'grp-durable', 100, 100, 2);
    const resumer = join('durable-c', args);
    await waitUntil(() => resumer.records().length >= 100, 20_000, explain);
    // Both partitions continue at offset 50, where the first members' commits left them.
    assertExactRecords(resumer.records(), { indices: range(100, 200), partitionOf: (i) => i % 2, firstOffsetOf: () => 50 });
    await resumer.stop();
  });

  test('a static member restarting within its session timeout causes no rebalance', async () => {
    const args = { topics: ['grp-static'], groupId: 'grp-static', sessionTimeoutMs: 15_000 };
    const first = join('static-a', { ...args, instanceId: 'instance-a' });
    const other = join('static-b', { ...args, instanceId: 'instance-b' });
    await waitForStableAssignment([first, other], 4, 25_000);
    const firstParts = first.assignment()!;
    const otherParts = other.assignment()!;
    const otherCallbacks = other.rebalanceCount();
    await produceRecords(broker.bootstrap, 'grp-static', 0, 200, 4);
    await waitUntil(() => totalRecords([first, other]) >= 200, 15_000, explain);

    // A static member's close() sends no LeaveGroup: the coordinator keeps its place for it.
    await first.stop();
    await produceRecords(broker.bootstrap, 'grp-static', 200, 100, 4);
    const restarted = join('static-a2', { ...args, instanceId: 'instance-a' });
    await waitUntil(() => restarted.assignment() !== undefined, 10_000, explain);
    assert.deepEqual(restarted.assignment(), firstParts, 'the restarted member gets its old partitions back');
    await produceRecords(broker.bootstrap, 'grp-static', 300, 100, 4);
    await waitUntil(() => totalRecords([first, other, restarted]) >= 400, 15_000, explain);
    // A few heartbeat intervals more, so a late rebalance would show.
    await new Promise((resolve) => setTimeout(resolve, 2000));

    assert.equal(other.rebalanceCount(), otherCallbacks, `no callback on the other member:\n${other.describe()}`);
    assert.deepEqual(other.assignment(), otherParts);
    const restartedReads = restarted.records();
    for (const p of firstParts) {
      const firstOffset = restartedReads.find((r) => r.partition === p)?.offset;
      assert.equal(firstOffset, 50, `partition ${p} resumes at the static member's commit`);
    }
    assertReadExactly([first, other, restarted], range(0, 400), (i) => i % 4);
    await Promise.all([other, restarted].map((m) => m.stop()));
  });

  test('the broker logged no internal error', () => {
    assert.deepEqual(brokerErrors(broker), []);
  });
});
