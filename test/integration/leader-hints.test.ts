// Goal: KIP-951 leader hints work across a real cluster. Two voters (rack-ab) and a broker-only
// node (rack-c) hold topics whose leaders are fixed by replica assignment. Produce v10/v11 and
// Fetch v12/v16 sent to a follower or a non-replica answer NOT_LEADER_OR_FOLLOWER with the
// current leader id and epoch, and (Produce v10+, Fetch v16) the endpoint of each distinct leader
// named, with host, port and rack; older versions and answers without that error carry no hint.
// After a clean stop moves a leadership, a fetch with the old epoch gets FENCED_LEADER_EPOCH and
// the new leader, and a partition left without a live leader is hinted as leader -1 with no
// endpoint. kcat and @platformatic/kafka (Produce v11) still round-trip records.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { ApiKey } from '../../src/protocol/generated/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBatch } from '../../src/protocol/records/index.js';
import { eventually, FAST_SESSION_OVERRIDES, metadataFrom, TestCluster } from '../helpers/cluster.js';
import { WireClient } from '../helpers/kafka-wire.js';
import { kcatConsumeJson, kcatProduceKeyed } from '../helpers/kcat.js';
import { headersOf, kcatKeyedLines, keyOf, valueOf } from '../helpers/records.js';
import { assertExactRecords, fromKcat, range } from '../helpers/verify.js';

const { Kafka, logLevel } = kafkajs;

/** Topic → replica list per partition; the first replica leads. */
const ASSIGNMENTS: Record<string, number[][]> = {
  hinted: [[1, 2], [1, 3]],
  racked: [[3]],
  moving: [[3, 1]],
  roundtrip: [[1, 2], [2, 3], [3, 1]],
};
const NO_HINT = { leaderId: -1, leaderEpoch: -1 };

describe('KIP-951 leader hints', { timeout: 180_000 }, () => {
  let cluster: TestCluster;
  const topicIds = new Map<string, string>();

  const endpoint = (id: number) => ({ nodeId: id, host: '127.0.0.1', port: cluster.configs.get(id)!.port, rack: id === 3 ? 'rack-c' : 'rack-ab' });

  async function send(nodeId: number, apiKey: number, version: number, body: object): Promise<any> {
    const client = await WireClient.connect(cluster.bootstrap([nodeId]));
    try {
      return await client.request(apiKey, version, body);
    } finally {
      client.close();
    }
  }

  function produce(nodeId: number, version: number, targets: [string, number][]): Promise<any> {
    const byTopic = new Map<string, number[]>();
    for (const [topic, p] of targets) byTopic.set(topic, [...(byTopic.get(topic) ?? []), p]);
    const topicData = [...byTopic].map(([name, partitions]) => ({
      name,
      partitionData: partitions.map((index) => ({ index, records: buildBatch({ records: [{ key: 'probe', value: 'v' }] }) })),
    }));
    return send(nodeId, ApiKey.Produce, version, { acks: -1, timeoutMs: 5000, topicData });
  }

  function fetch(nodeId: number, version: number, topic: string, partition: number, currentLeaderEpoch = -1): Promise<any> {
    const byId = version >= 13;
    const topics = [{ topic: byId ? undefined : topic, topicId: byId ? topicIds.get(topic) : undefined, partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20, currentLeaderEpoch }] }];
    return send(nodeId, ApiKey.Fetch, version, { maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, topics });
  }

  before(async () => {
    cluster = await TestCluster.start(2, { ...FAST_SESSION_OVERRIDES, 'broker.rack': 'rack-ab' });
    await cluster.addBroker(3, { ...FAST_SESSION_OVERRIDES, 'broker.rack': 'rack-c' });
    for (const id of [1, 2, 3]) {
      await eventually(`broker ${id} lists every broker`, async () => (await metadataFrom(cluster.bootstrap([id]))).brokers.join(',') === '1,2,3');
    }
    const admin = new Kafka({ clientId: 'leader-hints-it', brokers: cluster.bootstrap([1]).split(','), logLevel: logLevel.NOTHING, retry: { retries: 8 } }).admin();
    await admin.connect();
    try {
      const topics = Object.entries(ASSIGNMENTS).map(([topic, replicas]) => ({ topic, replicaAssignment: replicas.map((r, partition) => ({ partition, replicas: r })) }));
      assert.equal(await admin.createTopics({ topics, waitForLeaders: true }), true);
    } finally {
      await admin.disconnect();
    }
    const names = Object.keys(ASSIGNMENTS);
    for (const id of [1, 2, 3]) {
      await eventually(`topics led as assigned, seen by broker ${id}`, async () => {
        const md = await metadataFrom(cluster.bootstrap([id]), names);
        return names.every((t) => md.topics.get(t)?.every((p) => p.errorCode === 0 && p.leader === ASSIGNMENTS[t]![p.partition]![0]));
      });
    }
    const md = await send(1, ApiKey.Metadata, 12, { topics: names.map((name) => ({ name })), allowAutoTopicCreation: false });
    for (const t of md.topics) topicIds.set(t.name, t.topicId);
  });
  after(async () => {
    await cluster?.stopAll();
  });

  test('Produce v10/v11 to a follower or a non-replica names leader 1 and its endpoint once', async () => {
    for (const version of [10, 11]) {
      for (const nodeId of [2, 3]) {
        const res = await produce(nodeId, version, [['hinted', 0], ['hinted', 1]]);
        const parts = res.responses[0].partitionResponses;
        assert.deepEqual(parts.map((p: any) => p.errorCode), [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NOT_LEADER_OR_FOLLOWER], `v${version} to ${nodeId}`);
        for (const p of parts) assert.deepEqual(p.currentLeader, { leaderId: 1, leaderEpoch: 0 }, `v${version} to ${nodeId}`);
        assert.deepEqual(res.nodeEndpoints, [endpoint(1)], `v${version} to ${nodeId}`);
      }
    }
  });

  test('a produce naming two leaders lists both endpoints, with their racks', async () => {
    const res = await produce(2, 11, [['racked', 0], ['hinted', 0]]);
    const hint = (topic: string) => res.responses.find((t: any) => t.name === topic).partitionResponses[0].currentLeader;
    assert.deepEqual(hint('racked'), { leaderId: 3, leaderEpoch: 0 });
    assert.deepEqual(hint('hinted'), { leaderId: 1, leaderEpoch: 0 });
    assert.deepEqual(res.nodeEndpoints, [endpoint(1), endpoint(3)]);
  });

  test('Produce v9 carries no hint, and the leader answers without one', async () => {
    const old = await produce(2, 9, [['hinted', 0]]);
    assert.equal(old.responses[0].partitionResponses[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.deepEqual(old.responses[0].partitionResponses[0].currentLeader, NO_HINT);
    assert.deepEqual(old.nodeEndpoints, []);
    const ok = await produce(3, 11, [['racked', 0]]);
    assert.equal(ok.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);
    assert.deepEqual(ok.responses[0].partitionResponses[0].currentLeader, NO_HINT);
    assert.deepEqual(ok.nodeEndpoints, []);
  });

  test('Fetch v12 hints the leader, v16 adds its endpoint; v11, the leader and unknown ids do not', async () => {
    for (const [nodeId, partition] of [[2, 0], [3, 0], [2, 1]] as const) {
      const v12 = (await fetch(nodeId, 12, 'hinted', partition)).responses[0].partitions[0];
      assert.equal(v12.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      assert.deepEqual(v12.currentLeader, { leaderId: 1, leaderEpoch: 0 });
      const v16 = await fetch(nodeId, 16, 'hinted', partition);
      assert.equal(v16.responses[0].partitions[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      assert.deepEqual(v16.responses[0].partitions[0].currentLeader, { leaderId: 1, leaderEpoch: 0 });
      assert.deepEqual(v16.nodeEndpoints, [endpoint(1)]);
    }
    const v11 = (await fetch(2, 11, 'hinted', 0)).responses[0].partitions[0];
    assert.equal(v11.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.deepEqual(v11.currentLeader, NO_HINT);
    const atLeader = await fetch(1, 16, 'hinted', 0, 0);
    assert.equal(atLeader.responses[0].partitions[0].errorCode, ErrorCode.NONE);
    assert.deepEqual(atLeader.responses[0].partitions[0].currentLeader, NO_HINT);
    assert.deepEqual(atLeader.nodeEndpoints, []);
    topicIds.set('never-created', 'AAAAAAAAAAAAAAAAAAAAAQ');
    const unknown = await fetch(2, 16, 'never-created', 0);
    assert.equal(unknown.responses[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
    assert.deepEqual(unknown.responses[0].partitions[0].currentLeader, NO_HINT);
    assert.deepEqual(unknown.nodeEndpoints, []);
  });

  test('kcat and @platformatic/kafka round-trip records through non-leader bootstraps', async () => {
    await kcatProduceKeyed(cluster.bootstrap([2]), 'roundtrip', kcatKeyedLines(0, 300));
    const producer = new Producer({ clientId: 'leader-hints-it', bootstrapBrokers: [cluster.bootstrap([3])], serializers: stringSerializers, retries: 2 });
    try {
      const messages = range(300, 330).map((i) => ({ topic: 'roundtrip', key: keyOf(i), value: valueOf(i), partition: i % 3, headers: new Map(headersOf(i)) }));
      await producer.send({ acks: ProduceAcks.ALL, messages });
    } finally {
      await producer.close();
    }
    const read = (await kcatConsumeJson(cluster.bootstrap([1]), 'roundtrip')).map(fromKcat);
    assertExactRecords(read, { indices: range(0, 330), headersOf: (i) => (i < 300 ? [] : headersOf(i)) });
    assert.equal(new Set(read.map((r) => r.partition)).size, 3);
  });

  test('after a clean stop moves a leadership: FENCED_LEADER_EPOCH and NOT_LEADER name the new leader; a leaderless partition is hinted -1', async () => {
    assert.equal(await cluster.node(3).stop(20_000), 0);
    const fenced = await eventually('broker 1 leads moving at epoch 1', async () => {
      const res = await fetch(1, 16, 'moving', 0, 0);
      return res.responses[0].partitions[0].errorCode === ErrorCode.FENCED_LEADER_EPOCH ? res : undefined;
    });
    assert.deepEqual(fenced.responses[0].partitions[0].currentLeader, { leaderId: 1, leaderEpoch: 1 });
    assert.deepEqual(fenced.nodeEndpoints, [endpoint(1)]);

    const elsewhere = await eventually('broker 2 sees the new leader', async () => {
      const res = await fetch(2, 16, 'moving', 0);
      return res.responses[0].partitions[0].currentLeader.leaderId === 1 ? res : undefined;
    });
    assert.equal(elsewhere.responses[0].partitions[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.deepEqual(elsewhere.responses[0].partitions[0].currentLeader, { leaderId: 1, leaderEpoch: 1 });
    assert.deepEqual(elsewhere.nodeEndpoints, [endpoint(1)]);

    const leaderless = await eventually('racked has no live leader', async () => {
      const res = await produce(1, 11, [['racked', 0]]);
      return res.responses[0].partitionResponses[0].currentLeader.leaderId === -1 ? res : undefined;
    });
    const p = leaderless.responses[0].partitionResponses[0];
    assert.equal(p.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.ok(p.currentLeader.leaderEpoch >= 0, `the partition's epoch is still reported: ${p.currentLeader.leaderEpoch}`);
    assert.deepEqual(leaderless.nodeEndpoints, []);
  });
});
