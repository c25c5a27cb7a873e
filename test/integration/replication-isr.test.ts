// Goal: the ISR follows the followers, and min.insync.replicas guards acks=all. Three brokers, a
// topic with replicas [1, 2] and min.insync.replicas=2: with the follower frozen (SIGSTOP; the
// controller quorum keeps two of its three voters) the ISR shrinks to the leader alone and an acks=all produce (kcat) fails with NOT_ENOUGH_REPLICAS while
// acks=1 still works; once they resume they catch up and rejoin the ISR, acks=all works again, and
// every record that was acknowledged reads back exactly once, in order. The leader logs each ISR
// change as one info line.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { kcat, kcatConsumeJson, kcatProduceKeyed } from '../helpers/kcat.js';
import { kcatKeyedLines } from '../helpers/records.js';
import { logEvents } from '../helpers/broker-log.js';
import { eventually, FAST_SESSION_OVERRIDES, metadataFrom, TestCluster } from '../helpers/cluster.js';
import { assertExactRecords, fromKcat, range } from '../helpers/verify.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'strict';

describe('ISR and min.insync.replicas', { timeout: 180_000 }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start(3, { ...FAST_SESSION_OVERRIDES, 'replica.lag.time.max.ms': '2000' });
    const admin = new Kafka({ clientId: 'isr-it', brokers: cluster.bootstrap().split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2] }], configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
      waitForLeaders: true,
    });
    await admin.disconnect();
  });
  after(async () => {
    for (const n of cluster?.nodes.values() ?? []) n.kill('SIGCONT');
    await cluster?.stopAll();
  });

  const partitionState = async (via: number) => (await metadataFrom(cluster.bootstrap([via]), [TOPIC])).topics.get(TOPIC)![0]!;

  test('acks=all below min.insync.replicas fails with NOT_ENOUGH_REPLICAS; nothing acknowledged is lost', async (t) => {
    await kcatProduceKeyed(cluster.bootstrap(), TOPIC, kcatKeyedLines(0, 100));
    const { leader, isr } = await partitionState(1);
    assert.deepEqual([leader, isr.length], [1, 2]);
    const followers = [2];

    const frozenAt = Date.now();
    for (const id of followers) cluster.node(id).kill('SIGSTOP');
    const shrunk = await eventually('the ISR shrinks to the leader', async () => {
      const s = await partitionState(leader);
      return s.isr.length === 1 && s.isr[0] === leader ? s : undefined;
    }, 60_000, 100);
    t.diagnostic(`ISR shrank to [${shrunk.isr}] ${Date.now() - frozenAt} ms after freezing the follower`);

    const refused = await kcat(
      ['-P', '-b', cluster.bootstrap([leader]), '-t', TOPIC, '-K:', '-X', 'acks=all', '-X', 'message.timeout.ms=3000', '-X', 'retries=0'],
      { stdin: 'refused:x\n', allowFailure: true, timeoutMs: 20_000 },
    );
    assert.match(refused.stderr, /Not enough in-sync replicas/i, refused.stderr);
    // acks=1 does not wait for the ISR.
    await kcat(['-P', '-b', cluster.bootstrap([leader]), '-t', TOPIC, '-K:', '-X', 'acks=1'], { stdin: kcatKeyedLines(100, 1) });

    for (const id of followers) cluster.node(id).kill('SIGCONT');
    await eventually('the follower rejoins the ISR', async () => (await partitionState(leader)).isr.length === 2, 60_000, 100);
    await kcatProduceKeyed(cluster.bootstrap(), TOPIC, kcatKeyedLines(101, 99));

    const read = await kcatConsumeJson(cluster.bootstrap(), TOPIC);
    assertExactRecords(read.map(fromKcat), { indices: range(0, 200), headersOf: () => [] });

    const leaderNode = cluster.node(leader);
    const isrLines = await eventually('the leader logged the shrink and the expansion', async () => {
      const lines = ['ISR shrunk', 'ISR expanded'].map((msg) => logEvents(leaderNode, msg, { topic: TOPIC, partition: 0 }));
      return lines.every((l) => l.length > 0) ? lines : undefined;
    }, 10_000, 100);
    const [shrinks, expands] = isrLines;
    assert.deepEqual(shrinks!.map((e) => [e['isr'], e['previousIsr']]), [[[leader], [1, 2]]]);
    assert.deepEqual(expands!.map((e) => [e['isr'], e['previousIsr']]), [[[1, 2], [leader]]]);
    assert.equal(logEvents(leaderNode, 'became partition leader', { topic: TOPIC, partition: 0 }).length, 1);
  });
});
