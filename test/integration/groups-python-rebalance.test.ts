// Goal: a stable classic group of real librdkafka members (python confluent-kafka, one process
// each) rebalances correctly when a member joins while records keep arriving (partitions move,
// no record lost, none read twice: each member commits synchronously after every batch, so its
// commit point is everything it printed), and when a member crashes (SIGKILL, no LeaveGroup) the
// coordinator expires it after its session timeout, not before, and moves its partitions to the
// survivors, who resume at its last commit (only records it read but never committed may be read again).

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
import { assertExactRecords, range, type ReadRecord } from '../helpers/verify.js';

/** Records read again whose offset a successful commit had already covered when they were re-read. */
function readsAfterCommitPoint(members: readonly Member[]): string[] {
  const commits: { t: number; p: number; o: number }[] = [];
  const reads = new Map<string, { t: number; name: string }[]>();
  for (const m of members) {
    for (const e of m.stream.lines) {
      if (e.ev === 'commit') for (const [, p, o] of e.offsets!) commits.push({ t: e.t, p, o });
      if (e.ev === 'rec') {
        const key = `${e.p}/${e.o}`;
        reads.set(key, [...(reads.get(key) ?? []), { t: e.t, name: m.name }]);
      }
    }
  }
  const bad: string[] = [];
  for (const [key, list] of reads) {
    if (list.length < 2) continue;
    const [p, o] = key.split('/').map(Number) as [number, number];
    const reread = list.sort((a, b) => a.t - b.t)[1]!;
    const covering = commits.find((c) => c.p === p && c.o > o && c.t <= reread.t);
    if (covering !== undefined) bad.push(`${key} read by ${list.map((r) => r.name).join(', ')} after commit ${covering.o}`);
  }
  return bad;
}

/** The first read of every record, for the exactness check after allowed re-reads. */
function firstReads(members: readonly Member[]): ReadRecord[] {
  const byPosition = new Map<string, ReadRecord>();
  for (const m of members) {
    for (const r of m.records()) {
      const position = `${r.partition}/${r.offset}`;
      if (!byPosition.has(position)) byPosition.set(position, r);
    }
  }
  return [...byPosition.values()].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

describe('python consumer group rebalances on join and on crash', { timeout: 58_000 }, () => {
  let broker: BrokerProcess;
  const topic = 'grp-rebalance';
  const partitions = 4;
  const sessionTimeoutMs = 3000;
  const heartbeatIntervalMs = 500;
  let produced = 0;
  const produce = async (count: number): Promise<void> => {
    await produceRecords(broker.bootstrap, topic, produced, count, partitions);
    produced += count;
  };
  const members: Member[] = [];
  const explain = (): string => members.map((m) => m.describe()).join('\n');
  const join = (name: string): Member => {
    const args = { bootstrap: broker.bootstrap, topics: [topic], groupId: 'grp-rebalance', sessionTimeoutMs, heartbeatIntervalMs };
    const member = new Member(name, args);
    members.push(member);
    return member;
  };

  before(async () => {
    broker = await startBroker({
      overrides: {
        'group.initial.rebalance.delay.ms': '300',
        'group.min.session.timeout.ms': '1000',
        'auto.create.topics.enable': 'false',
      },
    });
    await createTopics(broker.bootstrap, [{ name: topic, partitions }]);
  });
  after(async () => {
    killRunning(members);
    assert.equal(await broker.stop(), 0, broker.stderrTail(4000));
  });

  test('a member joins while records arrive: partitions move, nothing lost or read twice', async () => {
    const first = [join('m0'), join('m1')];
    await waitForStableAssignment(first, partitions, 25_000);
    assert.deepEqual(first.map((m) => m.assignment()!.length), [2, 2]);
    await produce(200);
    await waitUntil(() => totalRecords(first) >= 200, 15_000, explain);

    const joiner = join('m2');
    for (let chunk = 0; chunk < 5; chunk++) await produce(20);
    await waitForStableAssignment(members, partitions, 25_000);
    assert.deepEqual(members.map((m) => m.assignment()!.length).sort(), [1, 1, 2]);
    assert.ok(first.every((m) => m.stream.lines.some((e) => e.ev === 'revoke')), 'the old members were revoked');
    await produce(100);
    await waitUntil(() => totalRecords(members) >= produced, 15_000, explain);

    assert.deepEqual(members.flatMap((m) => m.stream.lines.filter((e) => e.ev === 'commitFailed' || e.ev === 'lost')), []);
    assert.ok(joiner.records().length > 0, 'the new member read its partitions');
    assertReadExactly(members, range(0, produced), (i) => i % partitions);
  });

  test('a crashed member is expired after its session timeout and its partitions move to the survivors', async () => {
    const [victim, ...survivors] = [...members].sort((a, b) => b.assignment()!.length - a.assignment()!.length) as [Member, ...Member[]];
    const victimParts = victim.assignment()!;
    const callbacks = survivors.map((m) => m.rebalanceCount());
    await victim.kill();
    const killedAt = Date.now();
    await produce(100);
    await waitUntil(() => survivors.every((m, k) => m.rebalanceCount() > callbacks[k]!), sessionTimeoutMs + 10_000, explain);
    // The survivors' first callback after the crash (its time printed by the member itself).
    const firstCallbackAt = Math.min(
      ...survivors.map((m, k) => m.stream.lines.filter((e) => ['assign', 'revoke', 'lost'].includes(e.ev))[callbacks[k]!]!.t),
    );
    const rebalancedAfterMs = firstCallbackAt - killedAt;
    // Expiry waits for the last heartbeat plus the session timeout; one heartbeat interval of slack.
    assert.ok(rebalancedAfterMs >= sessionTimeoutMs - heartbeatIntervalMs - 300, `rebalanced ${rebalancedAfterMs} ms after the crash`);

    await waitForStableAssignment(survivors, partitions, 20_000);
    assert.deepEqual(survivors.map((m) => m.assignment()!.length), [2, 2]);
    const inherited = survivors.flatMap((m) => m.assignment()!).filter((p) => victimParts.includes(p));
    assert.deepEqual(inherited.sort(), victimParts, 'the survivors own the crashed member’s partitions');
    await produce(50);
    await waitUntil(() => firstReads(members).length >= produced, 15_000, explain);

    assert.deepEqual(readsAfterCommitPoint(members), []);
    assertExactRecords(firstReads(members), { indices: range(0, produced), partitionOf: (i) => i % partitions });
    await Promise.all(survivors.map((m) => m.stop()));
  });

  test('the broker logged no internal error', () => {
    assert.deepEqual(brokerErrors(broker), []);
  });
});
