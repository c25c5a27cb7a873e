// Goal: the promise of replication. Three brokers, a topic with RF=3 and min.insync.replicas=2; an
// idempotent librdkafka producer (confluent-kafka, acks=all) writes continuously while the test
// kills -9 the leader of a partition and restarts it, SIGSTOPs a broker past its session and
// resumes it, and kills another leader. Afterwards kcat reads every partition: each acknowledged
// record is there exactly once, at the offset it was acknowledged with, in production order, and
// every replica holds the same bytes. The fail-over time (the longest stretch without an
// acknowledgement around each kill) is reported, median and max. TIDELINE_SOAK_ROUNDS=N adds N
// more kill rounds (`npm run test:soak` sets 10).

import { after, before, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { kcatConsumeJson } from '../helpers/kcat.js';
import { spawnPython, type PythonStream } from '../helpers/python.js';
import { assertAcknowledgedExactlyOnce, replicaLogBytes, type Ack } from '../helpers/acked-records.js';
import { eventually, FAST_SESSION_OVERRIDES, metadataFrom, TestCluster } from '../helpers/cluster.js';

const { Kafka, logLevel } = kafkajs;

const TOPIC = 'orders';
const PARTITIONS = 3;
const SOAK_ROUNDS = Number(process.env.TIDELINE_SOAK_ROUNDS ?? 0);

describe('replication under broker failures', { timeout: 300_000 + 120_000 * SOAK_ROUNDS }, () => {
  let cluster: TestCluster;
  let producer: PythonStream<Ack>;
  const gaps: number[] = [];

  before(async () => {
    cluster = await TestCluster.start(3, { ...FAST_SESSION_OVERRIDES, 'replica.lag.time.max.ms': '3000' });
    const admin = new Kafka({ clientId: 'replication-it', brokers: cluster.bootstrap().split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    producer = spawnPython<Ack>('producer_stream.py', { bootstrap: cluster.bootstrap(), topic: TOPIC, partitions: PARTITIONS, idempotent: true });
  });
  after(async () => {
    producer?.child.kill('SIGKILL');
    await cluster?.stopAll();
  });

  const leaderOf = async (partition: number, via: number): Promise<number> => {
    const md = await metadataFrom(cluster.bootstrap([via]), [TOPIC]);
    return md.topics.get(TOPIC)![partition]!.leader;
  };
  const acksBeyond = (count: number, what: string) => eventually(what, async () => producer.lines.length >= count, 60_000, 50);
  const allInSync = (via: number) =>
    eventually('every replica back in the ISR', async () => {
      const md = await metadataFrom(cluster.bootstrap([via]), [TOPIC]);
      return md.topics.get(TOPIC)!.every((p) => p.isr.length === 3 && p.leader >= 0);
    }, 60_000, 100);

  /** The longest time between two acknowledgements in `partition` from `since` on. */
  const longestAckGap = (partition: number, sinceMs: number): number => {
    const times = producer.lines.filter((a) => a[1] === partition && a[3] >= sinceMs).map((a) => a[3]).sort((a, b) => a - b);
    let gap = 0;
    for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
    return gap;
  };

  async function killLeaderRound(partition: number, t: { diagnostic(msg: string): void }): Promise<void> {
    const survivor = (id: number) => [1, 2, 3].find((x) => x !== id)!;
    const leader = await leaderOf(partition, 1);
    const killedAt = Date.now();
    const before = producer.lines.length;
    cluster.node(leader).kill('SIGKILL');
    await cluster.node(leader).exited;
    await eventually('partition acknowledged again after the kill', async () => producer.lines.slice(before).filter((a) => a[1] === partition && a[3] > killedAt + 100).length >= 500, 60_000, 50);
    const gap = longestAckGap(partition, killedAt - 1000);
    gaps.push(gap);
    t.diagnostic(`killed leader ${leader} of partition ${partition}: longest stretch without an ack ${gap} ms`);
    await cluster.startNode(leader);
    await allInSync(survivor(leader));
  }

  test('kill -9 the leader of partition 0, then restart it', async (t) => {
    await acksBeyond(2000, 'first acknowledgements');
    await killLeaderRound(0, t);
  });

  test('SIGSTOP a broker past its session, then resume it', async (t) => {
    const target = await leaderOf(1, 1);
    const before = producer.lines.length;
    cluster.node(target).kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 5000));
    cluster.node(target).kill('SIGCONT');
    await acksBeyond(before + 2000, 'acknowledgements around the pause');
    await allInSync([1, 2, 3].find((x) => x !== target)!);
    t.diagnostic(`paused broker ${target} for 5 s`);
  });

  test('kill -9 the leader of partition 2, then restart it', async (t) => {
    await killLeaderRound(2, t);
  });

  test(`soak: ${SOAK_ROUNDS} more kill rounds`, { skip: SOAK_ROUNDS === 0 && 'set TIDELINE_SOAK_ROUNDS', timeout: 120_000 * Math.max(1, SOAK_ROUNDS) }, async (t) => {
    for (let i = 0; i < SOAK_ROUNDS; i++) await killLeaderRound(i % PARTITIONS, t);
  });

  test('every acknowledged record is there exactly once, in order, on every replica', async (t) => {
    producer.child.kill('SIGTERM');
    await producer.exited;
    const acked = [...producer.lines];
    const sorted = [...gaps].sort((a, b) => a - b);
    t.diagnostic(`acknowledged ${acked.length} records; fail-over (no ack) median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms`);
    await allInSync(1);

    const read = await kcatConsumeJson(cluster.bootstrap(), TOPIC, [], 120_000);
    assertAcknowledgedExactlyOnce(read, acked);

    // Once every replica is in sync, their logs are byte-for-byte the same.
    await eventually('replicas converge', async () => {
      for (let p = 0; p < PARTITIONS; p++) {
        const logs = [1, 2, 3].map((id) => replicaLogBytes(cluster.configs.get(id)!.dataDir, TOPIC, p));
        if (!logs.every((b) => b.equals(logs[0]!))) return false;
      }
      return true;
    }, 30_000, 200);
  });
});
