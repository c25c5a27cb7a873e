// Goal: a consumer group survives the loss of its coordinator. Three brokers; a topic with RF=3 and
// min.insync.replicas=2 fed at a steady rate by an idempotent librdkafka producer (acks=all); one
// librdkafka group member (group_consumer.py) that commits synchronously after every batch it
// processes, so whatever it committed it had processed. While it consumes, the test kill -9s the
// coordinator's broker (the leader of the group's __consumer_offsets partition): the coordinator
// must move to a survivor, the member must commit again and keep reading, and the killed broker
// must rejoin after a restart. Then a second member of the same group starts exactly at the
// offsets the first one committed (read back with OffsetFetch), and the two together processed
// every acknowledged record: none skipped. The time the group took to commit again is reported.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { ApiKey } from '../../src/protocol/generated/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { partitionForGroup } from '../../src/group/coordinator-records.js';
import { brokerErrors } from '../helpers/broker-log.js';
import { eventually, FAST_SESSION_OVERRIDES, metadataFrom, TestCluster } from '../helpers/cluster.js';
import { killRunning, Member, waitUntil } from '../helpers/group-members.js';
import { WireClient } from '../helpers/kafka-wire.js';
import { spawnPython, type PythonStream } from '../helpers/python.js';
import { indexOfKey } from '../helpers/records.js';

const { Kafka, logLevel } = kafkajs;

/** producer_paced.py's lines: an acknowledgement [index, partition, offset, atMs], a failure, the end. */
type ProducerLine = [index: number, partition: number, offset: number, atMs: number] | { error: unknown } | { done: true; produced: number; unflushed: number };
type Ack = [index: number, partition: number, offset: number, atMs: number];

const TOPIC = 'payments';
const PARTITIONS = 3;
const GROUP = 'ledger-writers';
const OFFSETS_TOPIC = '__consumer_offsets';
const OFFSETS_PARTITIONS = 50;
const RATE_PER_S = 300;

/** FindCoordinator v4 through one broker: the node it names, or its error. */
async function findCoordinator(bootstrap: string): Promise<{ errorCode: number; nodeId: number }> {
  const client = await WireClient.connect(bootstrap);
  try {
    const res = await client.request(ApiKey.FindCoordinator, 4, { keyType: 0, coordinatorKeys: [GROUP] }, 5000);
    const c = res.coordinators[0];
    return { errorCode: c.errorCode, nodeId: c.nodeId };
  } finally {
    client.close();
  }
}

/** OffsetFetch v7 from the coordinator: partition → committed offset (-1 when none). */
async function fetchCommitted(bootstrap: string): Promise<Map<number, number>> {
  const client = await WireClient.connect(bootstrap);
  try {
    const partitionIndexes = Array.from({ length: PARTITIONS }, (_, p) => p);
    const res = await client.request(ApiKey.OffsetFetch, 7, { groupId: GROUP, topics: [{ name: TOPIC, partitionIndexes }], requireStable: true }, 5000);
    if (res.errorCode !== ErrorCode.NONE) throw new Error(`OffsetFetch error ${res.errorCode}`);
    const out = new Map<number, number>();
    for (const p of res.topics[0].partitions) {
      if (p.errorCode !== ErrorCode.NONE) throw new Error(`OffsetFetch partition ${p.partitionIndex} error ${p.errorCode}`);
      out.set(p.partitionIndex, p.committedOffset);
    }
    return out;
  } finally {
    client.close();
  }
}

/** The offsets of a member's successful commits, last one per partition. */
function lastCommitted(member: Member): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of member.stream.lines) if (e.ev === 'commit') for (const [, p, o] of e.offsets!) out.set(p, Math.max(o, out.get(p) ?? -1));
  return out;
}

describe('a consumer group across the loss of its coordinator', { timeout: 240_000 }, () => {
  let cluster: TestCluster;
  let producer: PythonStream<ProducerLine>;
  const members: Member[] = [];
  const explain = (): string => members.map((m) => m.describe()).join('\n');
  const acks = (): Ack[] => producer.lines.filter((l): l is Ack => Array.isArray(l));
  const offsetsPartition = partitionForGroup(GROUP, OFFSETS_PARTITIONS);
  let killed = -1;
  let killedAt = 0;

  const member = (name: string): Member => {
    // A short session keeps the test quick; heartbeats every 500 ms notice a lost coordinator fast.
    const m = new Member(name, { bootstrap: cluster.bootstrap(), topics: [TOPIC], groupId: GROUP, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 });
    members.push(m);
    return m;
  };

  /** Every partition of the topic and the group's offsets partition has a leader and a full ISR. */
  const allInSync = (via: number, timeoutMs: number) =>
    eventually('every replica of the topic and of the group\'s offsets partition in the ISR', async () => {
      const md = await metadataFrom(cluster.bootstrap([via]), [TOPIC, OFFSETS_TOPIC]);
      const parts = [...md.topics.get(TOPIC)!, md.topics.get(OFFSETS_TOPIC)![offsetsPartition]!];
      return md.brokers.length === 3 && parts.every((p) => p.errorCode === 0 && p.leader >= 0 && p.isr.length === 3);
    }, timeoutMs, 200);

  before(async () => {
    cluster = await TestCluster.start(3, { ...FAST_SESSION_OVERRIDES, 'replica.lag.time.max.ms': '3000', 'group.initial.rebalance.delay.ms': '300' });
    const admin = new Kafka({ clientId: 'group-failover-it', brokers: cluster.bootstrap().split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    // The first FindCoordinator creates __consumer_offsets (RF 3 with three live brokers); the
    // group's partition must be fully replicated before its leader is killed.
    await eventually('FindCoordinator answers', async () => (await findCoordinator(cluster.bootstrap([1]))).errorCode === ErrorCode.NONE, 30_000, 200);
    await allInSync(1, 30_000);
    producer = spawnPython<ProducerLine>('producer_paced.py', { bootstrap: cluster.bootstrap(), topic: TOPIC, partitions: PARTITIONS, ratePerS: RATE_PER_S, idempotent: true });
  });
  after(async () => {
    killRunning(members);
    producer?.child.kill('SIGKILL');
    await cluster?.stopAll();
  });

  test('the group consumes and commits', async () => {
    const first = member('first');
    await waitUntil(() => first.assignment()?.length === PARTITIONS, 30_000, explain);
    await waitUntil(() => first.records().length >= 600 && lastCommitted(first).size === PARTITIONS, 30_000, explain);
  });

  test('kill -9 the coordinator: the group moves and keeps consuming and committing', async (t) => {
    const first = members[0]!;
    const found = await findCoordinator(cluster.bootstrap([1]));
    assert.equal(found.errorCode, ErrorCode.NONE);
    const md = await metadataFrom(cluster.bootstrap([1]), [OFFSETS_TOPIC]);
    assert.equal(found.nodeId, md.topics.get(OFFSETS_TOPIC)![offsetsPartition]!.leader, `the coordinator leads ${OFFSETS_TOPIC}-${offsetsPartition}`);
    killed = found.nodeId;
    const wasController = md.controllerId === killed;
    const survivor = [1, 2, 3].find((id) => id !== killed)!;

    killedAt = Date.now();
    cluster.node(killed).kill('SIGKILL');
    await cluster.node(killed).exited;

    const moved = await eventually('FindCoordinator names a survivor', async () => {
      const c = await findCoordinator(cluster.bootstrap([survivor]));
      return c.errorCode === ErrorCode.NONE && c.nodeId !== killed ? { nodeId: c.nodeId, atMs: Date.now() } : false;
    }, 60_000, 100);

    // The group made progress once a commit issued after the kill succeeded on the new coordinator,
    // and it kept consuming once it read, in every partition, records acknowledged well after it.
    const commitsAfterKill = () => first.stream.lines.filter((e) => e.ev === 'commit' && e.t > killedAt);
    await waitUntil(() => commitsAfterKill().length > 0, 60_000, explain);
    const firstCommitMs = commitsAfterKill()[0]!.t - killedAt;
    await waitUntil(() => {
      const ackedLater = new Set(acks().filter((a) => a[3] > killedAt + 2000).map((a) => a[0]));
      const read = first.stream.lines.filter((e) => e.ev === 'rec' && ackedLater.has(indexOfKey(e.k ?? null)));
      return new Set(read.map((e) => e.p)).size === PARTITIONS && commitsAfterKill().some((c) => c.t > killedAt + 2000);
    }, 60_000, explain);

    const times = first.stream.lines.filter((e) => e.ev === 'rec' || e.ev === 'commit').map((e) => e.t).filter((at) => at >= killedAt - 1000);
    let longestGap = 0;
    for (let i = 1; i < times.length; i++) longestGap = Math.max(longestGap, times[i]! - times[i - 1]!);
    const failedCommits = first.stream.lines.filter((e) => e.ev === 'commitFailed' && e.t > killedAt).length;
    const rebalances = first.stream.lines.filter((e) => (e.ev === 'assign' || e.ev === 'revoke' || e.ev === 'lost') && e.t > killedAt).map((e) => e.ev);
    t.diagnostic(
      `killed broker ${killed} (coordinator of ${GROUP}, ${OFFSETS_TOPIC}-${offsetsPartition}${wasController ? ', also the active controller' : ''}); ` +
        `FindCoordinator named broker ${moved.nodeId} after ${moved.atMs - killedAt} ms; first successful commit after ${firstCommitMs} ms; ` +
        `longest stretch without a record or commit ${longestGap} ms; ${failedCommits} failed commits; callbacks after the kill: [${rebalances.join(', ')}]`,
    );
  });

  test('the killed broker restarts and rejoins every ISR', async (t) => {
    const restartedAt = Date.now();
    await cluster.startNode(killed);
    const survivor = [1, 2, 3].find((id) => id !== killed)!;
    await allInSync(survivor, 60_000);
    t.diagnostic(`broker ${killed} back in every ISR ${Date.now() - restartedAt} ms after its restart began`);
  });

  test('committed offsets survive, a second member resumes at them, and no record is skipped', async (t) => {
    const first = members[0]!;
    await first.stop();
    const committedByFirst = lastCommitted(first);
    const coordinator = await eventually('a coordinator', async () => {
      const c = await findCoordinator(cluster.bootstrap([1]));
      return c.errorCode === ErrorCode.NONE ? c.nodeId : false;
    }, 30_000, 200);
    const fetched = await fetchCommitted(cluster.bootstrap([coordinator]));
    assert.deepEqual(fetched, committedByFirst, 'OffsetFetch returns the last offsets the first member committed');

    // A second of records the first member never saw, then the producer flushes and stops.
    await new Promise((r) => setTimeout(r, 1000));
    producer.child.kill('SIGTERM');
    await eventually('the producer flushes and exits', async () => producer.child.exitCode !== null, 40_000, 100);
    const done = producer.lines.at(-1) as { done?: boolean; unflushed?: number };
    assert.equal(done.done, true, `producer ended with ${JSON.stringify(done)}\n${producer.stderr()}`);
    assert.equal(done.unflushed, 0, 'every produced record was acknowledged');
    assert.deepEqual(producer.lines.filter((l) => !Array.isArray(l) && 'error' in l), [], 'no record failed');
    const acked = acks();

    const second = member('second');
    const processed = (): Set<number> => new Set(members.flatMap((m) => m.records().map((r) => indexOfKey(r.key))));
    await waitUntil(() => {
      const seen = processed();
      return acked.every((a) => seen.has(a[0]));
    }, 60_000, () => `missing: ${acked.filter((a) => !processed().has(a[0])).slice(0, 20).map((a) => a.join('/')).join(' ')}\n${explain()}`);
    await second.stop();

    // Each record was read where it was acknowledged, and the second member started in every
    // partition exactly at the first member's committed offset.
    const where = new Map(acked.map((a) => [a[0], `${a[1]}/${a[2]}`]));
    for (const m of members) for (const r of m.records()) assert.equal(`${r.partition}/${r.offset}`, where.get(indexOfKey(r.key)), `${m.name} read ${r.key} at ${r.partition}/${r.offset}`);
    for (let p = 0; p < PARTITIONS; p++) {
      const firstRead = second.records().find((r) => r.partition === p);
      assert.ok(firstRead, `the second member read partition ${p}`);
      assert.equal(firstRead.offset, fetched.get(p), `partition ${p}: the second member starts at the committed offset`);
      // The first member skipped nothing either: what it read in p is every offset up to its last.
      const offsets = new Set(first.records().filter((r) => r.partition === p).map((r) => r.offset));
      const highest = Math.max(...offsets);
      assert.equal(offsets.size, highest + 1, `partition ${p}: the first member read offsets 0..${highest} without a gap`);
    }
    const reads = members.reduce((n, m) => n + m.records().length, 0);
    t.diagnostic(`${acked.length} records acknowledged; ${reads} reads (${reads - acked.length} repeated); committed at the handover: ${JSON.stringify([...fetched])}`);
  });

  test('no broker logged an internal error', () => {
    for (const [id, node] of cluster.nodes) assert.deepEqual(brokerErrors(node), [], `broker ${id}`);
  });
});
