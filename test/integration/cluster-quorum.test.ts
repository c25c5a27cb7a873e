// Goal: three separate `tideline start` processes with Kafka's KRaft settings form one cluster:
// kcat sees three brokers from each of them; a topic created through one broker (kafkajs admin)
// appears on every broker with its replicas spread over all three, and records produced with kcat
// read back exactly; DescribeQuorum names one leader and three voters; kill -9 of the active
// controller elects another (the time is reported) while admin operations keep working, and the
// restarted node catches up; a broker-only node started later registers, appears everywhere, and
// receives replicas of new topics; a broker killed with SIGKILL is fenced after its session
// timeout (reported), and one stopped with SIGTERM gives up its leaderships at once.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { kcat, kcatConsumeJson, kcatProduceKeyed } from '../helpers/kcat.js';
import { kcatKeyedLines } from '../helpers/records.js';
import { describeQuorum, eventually, FAST_SESSION_OVERRIDES, metadataFrom, TestCluster } from '../helpers/cluster.js';
import { assertExactRecords, fromKcat, range } from '../helpers/verify.js';

const { Kafka, logLevel } = kafkajs;

async function createTopic(bootstrap: string, topic: string, numPartitions: number, replicationFactor: number): Promise<void> {
  const admin = new Kafka({ clientId: 'cluster-it', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 8 } }).admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor }], waitForLeaders: true });
    assert.equal(created, true, `topic ${topic} created`);
  } finally {
    await admin.disconnect();
  }
}

describe('a three-node cluster', { timeout: 240_000 }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start(3, FAST_SESSION_OVERRIDES);
  });
  after(async () => {
    await cluster?.stopAll();
  });

  test('every broker lists all three brokers to kcat', async () => {
    for (const id of [1, 2, 3]) {
      // Each node is ready once it is unfenced; the others' unfencing reaches it a moment later.
      await eventually(`broker ${id} lists every broker`, async () => {
        const { stdout } = await kcat(['-b', cluster.bootstrap([id]), '-L', '-J'], { timeoutMs: 15_000 });
        const md = JSON.parse(stdout) as { brokers: { id: number }[] };
        return md.brokers.map((b) => b.id).sort().join(',') === '1,2,3';
      });
    }
    const quorum = await describeQuorum(cluster.bootstrap([1]));
    assert.deepEqual(quorum.voters, [1, 2, 3]);
    assert.ok([1, 2, 3].includes(quorum.leaderId));
  });

  test('a topic created through one broker appears on all of them, replicas spread', async () => {
    await createTopic(cluster.bootstrap([2]), 'spread', 6, 3);
    for (const id of [1, 2, 3]) {
      const md = await eventually(`topic on broker ${id}`, async () => (await metadataFrom(cluster.bootstrap([id]), ['spread'])).topics.get('spread'));
      assert.equal(md.length, 6);
      for (const p of md) {
        assert.equal(p.errorCode, 0);
        assert.deepEqual([...p.replicas].sort(), [1, 2, 3]);
      }
      const leaders = new Set(md.map((p) => p.leader));
      assert.equal(leaders.size, 3, `leaders spread over all brokers: ${[...leaders]}`);
    }
  });

  test('kcat produces to the partition leaders and reads the records back', async () => {
    await createTopic(cluster.bootstrap([3]), 'cluster-data', 3, 1);
    await kcatProduceKeyed(cluster.bootstrap(), 'cluster-data', kcatKeyedLines(0, 300));
    const read = await kcatConsumeJson(cluster.bootstrap(), 'cluster-data');
    assertExactRecords(read.map(fromKcat), { indices: range(0, 300), headersOf: () => [] });
    assert.equal(new Set(read.map((m) => m.broker)).size, 3, 'the three partitions are served by three brokers');
  });

  test('kill -9 of the active controller: another is elected, admin keeps working, the restarted node catches up', async (t) => {
    const before = await describeQuorum(cluster.bootstrap([1]));
    const victim = before.leaderId;
    const survivors = [1, 2, 3].filter((id) => id !== victim);
    const killedAt = Date.now();
    cluster.node(victim).kill('SIGKILL');
    await cluster.node(victim).exited;
    const after = await eventually('a new active controller', async () => {
      const q = await describeQuorum(cluster.bootstrap([survivors[0]!]));
      return q.leaderId !== victim && q.leaderId >= 0 && q.leaderEpoch > before.leaderEpoch ? q : undefined;
    }, 30_000, 50);
    const electedMs = Date.now() - killedAt;
    t.diagnostic(`controller failover: ${victim} -> ${after.leaderId} in ${electedMs} ms (epoch ${before.leaderEpoch} -> ${after.leaderEpoch})`);

    await createTopic(cluster.bootstrap([survivors[0]!]), 'after-failover', 2, 2);
    for (const id of survivors) {
      await eventually(`after-failover on broker ${id}`, async () => (await metadataFrom(cluster.bootstrap([id]), ['after-failover'])).topics.get('after-failover')?.every((p) => p.errorCode === 0));
    }

    await cluster.startNode(victim);
    const md = await eventually('the restarted node has the new topic', async () => (await metadataFrom(cluster.bootstrap([victim]), ['after-failover'])).topics.get('after-failover'));
    assert.equal(md.length, 2);
    const q = await describeQuorum(cluster.bootstrap([victim]));
    assert.deepEqual(q.voters, [1, 2, 3]);
    assert.ok(q.leaderEpoch >= after.leaderEpoch);
  });

  test('a broker-only node started later registers, appears on every broker and gets replicas', async () => {
    await cluster.addBroker(4, FAST_SESSION_OVERRIDES);
    for (const id of [1, 2, 3, 4]) {
      await eventually(`broker 4 listed by ${id}`, async () => (await metadataFrom(cluster.bootstrap([id]))).brokers.includes(4));
    }
    const q = await describeQuorum(cluster.bootstrap([4]));
    assert.deepEqual(q.observers, [4], 'the broker-only node observes the metadata quorum');
    await createTopic(cluster.bootstrap([4]), 'with-four', 8, 2);
    const md = (await metadataFrom(cluster.bootstrap([1]), ['with-four'])).topics.get('with-four')!;
    assert.ok(md.some((p) => p.replicas.includes(4)), 'some replicas placed on broker 4');
    assert.ok(md.some((p) => p.leader === 4), 'broker 4 leads some partitions');
  });

  test('SIGKILL fences a broker after its session timeout; SIGTERM moves its leaderships at once', async (t) => {
    const killedAt = Date.now();
    cluster.node(4).kill('SIGKILL');
    await cluster.node(4).exited;
    await eventually('broker 4 fenced', async () => !(await metadataFrom(cluster.bootstrap([1]))).brokers.includes(4), 30_000, 50);
    const fencedMs = Date.now() - killedAt;
    t.diagnostic(`broker 4 fenced ${fencedMs} ms after SIGKILL (broker.session.timeout.ms=${FAST_SESSION_OVERRIDES['broker.session.timeout.ms']})`);
    assert.ok(fencedMs >= 2000, `not fenced before the session could expire (${fencedMs} ms)`);
    const afterKill = (await metadataFrom(cluster.bootstrap([1]), ['with-four'])).topics.get('with-four')!;
    assert.ok(afterKill.every((p) => p.leader !== 4), 'a fenced broker leads nothing');

    const spread = (await metadataFrom(cluster.bootstrap([1]), ['spread'])).topics.get('spread')!;
    const target = [1, 2, 3].find((id) => spread.some((p) => p.leader === id))!;
    const observer = [1, 2, 3].find((id) => id !== target)!;
    const stoppedAt = Date.now();
    assert.equal(await cluster.node(target).stop(20_000), 0);
    const md = await metadataFrom(cluster.bootstrap([observer]), ['spread']);
    t.diagnostic(`broker ${target} stopped cleanly in ${Date.now() - stoppedAt} ms`);
    assert.ok(!md.brokers.includes(target), 'a cleanly stopped broker is no longer listed');
    for (const p of md.topics.get('spread')!) assert.notEqual(p.leader, target, `partition ${p.partition} moved off broker ${target} before it exited`);
  });
});
