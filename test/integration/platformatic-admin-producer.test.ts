// Goal: @platformatic/kafka 1.35, a modern client that speaks only recent API versions (Metadata
// v9+, Produce v7+, Fetch v12+ with topic ids, flexible headers), works against Tideline: Admin
// createTopics/listTopics/metadata/describeConfigs/incrementalAlterConfigs/createPartitions/
// listOffsets/deleteRecords/deleteTopics with each effect checked; a Producer with acks=-1, plain
// and idempotent (stored batches checked for producer id and sequences), sends keyed records with
// headers, read back exactly by kcat and by the client's own low-level Fetch v16 and ListOffsets
// v9 over a raw Connection. No consumer groups (not implemented yet).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  Admin,
  ConfigResourceTypes,
  Connection,
  IncrementalAlterConfigOperationTypes,
  ProduceAcks,
  Producer,
  fetchV16,
  listOffsetsV9,
  stringSerializers,
} from '@platformatic/kafka';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { kcatConsumeJson } from '../helpers/kcat.js';
import { headersOf, keyOf, valueOf } from '../helpers/records.js';
import { brokerErrors } from '../helpers/broker-log.js';
import { assertIdempotentBatches } from '../helpers/idempotent-batches.js';
import { assertExactRecords, fromKcat, range, type ReadRecord } from '../helpers/verify.js';

const clientId = 'tideline-platformatic-it';
const partitionCount = 3;
const baseTimestamp = Date.now() - 10 * 60_000;
const timestampOf = (i: number): number => baseTimestamp + i * 1000;

function messageOf(topic: string, i: number, partitions = partitionCount) {
  return {
    topic,
    key: keyOf(i),
    value: valueOf(i),
    partition: i % partitions,
    timestamp: BigInt(timestampOf(i)),
    headers: new Map(headersOf(i)),
  };
}

describe('@platformatic/kafka admin and producer', { timeout: 55_000 }, () => {
  let broker: BrokerProcess;
  let admin: Admin;
  const closables: { close(): Promise<void> }[] = [];

  before(async () => {
    broker = await startBroker({ overrides: { 'auto.create.topics.enable': 'false' } });
    admin = new Admin({ clientId, bootstrapBrokers: [broker.bootstrap], retries: 2, retryDelay: 100, timeout: 10_000 });
    closables.push(admin);
  });
  after(async () => {
    for (const c of closables.reverse()) await c.close();
    assert.equal(await broker.stop(), 0, broker.stderrTail(4000));
  });

  test('createTopics with partitions and configs', async () => {
    const created = await admin.createTopics({
      topics: ['plt-orders'],
      partitions: partitionCount,
      replicas: 1,
      configs: [{ name: 'retention.ms', value: '3600000' }],
    });
    assert.equal(created.length, 1);
    assert.equal(created[0]!.name, 'plt-orders');
    assert.equal(created[0]!.partitions, partitionCount);
    assert.equal(created[0]!.replicas, 1);
    assert.match(created[0]!.id, /^[A-Za-z0-9_-]{22}$|^[0-9a-f-]{36}$/);
    await admin.createTopics({ topics: ['plt-idempotent'], partitions: 2, replicas: 1 });
    await admin.createTopics({ topics: ['plt-doomed'], partitions: 1, replicas: 1 });
  });

  test('listTopics and metadata show the topics with this broker as leader', async () => {
    const topics = await admin.listTopics();
    for (const name of ['plt-orders', 'plt-idempotent', 'plt-doomed']) assert.ok(topics.includes(name), `${name} in ${topics}`);
    const metadata = await admin.metadata({ topics: ['plt-orders'], forceUpdate: true });
    assert.deepEqual([...metadata.brokers.keys()], [broker.nodeId]);
    const broker1 = metadata.brokers.get(broker.nodeId)!;
    assert.equal(broker1.host, '127.0.0.1');
    assert.equal(broker1.port, broker.port);
    const orders = metadata.topics.get('plt-orders')!;
    assert.equal(orders.partitionsCount, partitionCount);
    for (const p of orders.partitions) {
      assert.equal(p.leader, broker.nodeId);
      assert.deepEqual(p.replicas, [broker.nodeId]);
      assert.deepEqual(p.isr, [broker.nodeId]);
    }
  });

  test('describeConfigs and incrementalAlterConfigs', async () => {
    const before = await topicConfigs(admin, 'plt-orders');
    assert.equal(before.get('retention.ms'), '3600000');
    assert.equal(before.get('cleanup.policy'), 'delete');
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: 'plt-orders',
          configs: [{ name: 'max.message.bytes', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '2000000' }],
        },
      ],
    });
    const afterAlter = await topicConfigs(admin, 'plt-orders');
    assert.equal(afterAlter.get('max.message.bytes'), '2000000');
    assert.equal(afterAlter.get('retention.ms'), '3600000', 'incremental alter keeps other overrides');
  });

  test('createPartitions and deleteTopics', async () => {
    await admin.createPartitions({ topics: [{ name: 'plt-doomed', count: 3 }] });
    const grown = await admin.metadata({ topics: ['plt-doomed'], forceUpdate: true });
    assert.equal(grown.topics.get('plt-doomed')!.partitionsCount, 3);
    await admin.deleteTopics({ topics: ['plt-doomed'] });
    const deadline = Date.now() + 5000;
    while ((await admin.listTopics()).includes('plt-doomed')) {
      assert.ok(Date.now() < deadline, 'plt-doomed still listed 5 s after deleteTopics');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  test('acks=-1 producer: keyed records with headers read back exactly by kcat', async () => {
    const producer = new Producer({ clientId, bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers, retries: 2 });
    closables.push(producer);
    for (const start of [0, 30]) {
      const result = await producer.send({ acks: ProduceAcks.ALL, messages: range(start, start + 30).map((i) => messageOf('plt-orders', i)) });
      const offsets = [...(result.offsets ?? [])].sort((a, b) => a.partition - b.partition);
      // The result carries the base offset each partition's batch got: 10 records per partition per send.
      assert.deepEqual(
        offsets.map((o) => [o.topic, o.partition, Number(o.offset)]),
        [0, 1, 2].map((p) => ['plt-orders', p, start / 3]),
      );
    }
    const records = (await kcatConsumeJson(broker.bootstrap, 'plt-orders')).map(fromKcat);
    assert.equal(records.length, 60);
    assertExactRecords(records, { indices: range(0, 60), partitionOf: (i) => i % partitionCount });
    for (const r of records) assert.equal(r.timestamp, timestampOf(Number(r.key!.slice(4))), `timestamp of ${r.key}`);
  });

  test('idempotent producer: each record exactly once', async () => {
    const producer = new Producer({
      clientId: `${clientId}-idempotent`,
      bootstrapBrokers: [broker.bootstrap],
      serializers: stringSerializers,
      idempotent: true,
      retries: 2,
    });
    closables.push(producer);
    for (const start of [0, 20, 40]) {
      await producer.send({ acks: ProduceAcks.ALL, messages: range(start, start + 20).map((i) => messageOf('plt-idempotent', i, 2)) });
    }
    const records = (await kcatConsumeJson(broker.bootstrap, 'plt-idempotent')).map(fromKcat);
    assert.equal(records.length, 60);
    assertExactRecords(records, { indices: range(0, 60), partitionOf: (i) => i % 2 });
    assertIdempotentBatches(broker.dataDir, 'plt-idempotent', 2);
  });

  test('admin.listOffsets: earliest, latest and by timestamp', async () => {
    const ask = async (timestamp: bigint) => {
      const topics = await admin.listOffsets({
        topics: [{ name: 'plt-orders', partitions: [0, 1, 2].map((partitionIndex) => ({ partitionIndex, timestamp })) }],
      });
      return [...topics[0]!.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex).map((p) => Number(p.offset));
    };
    assert.deepEqual(await ask(-2n), [0, 0, 0]);
    assert.deepEqual(await ask(-1n), [20, 20, 20]);
    // Record 31 is partition 1's 11th record (offset 10); partition 0 next holds 33, partition 2 holds 32.
    assert.deepEqual(await ask(BigInt(timestampOf(31))), [11, 10, 10]);
  });

  test('low-level ListOffsets v9 and Fetch v16 over a raw Connection', async () => {
    const metadata = await admin.metadata({ topics: ['plt-orders'], forceUpdate: true });
    const topicId = metadata.topics.get('plt-orders')!.id;
    const connection = new Connection(`${clientId}-raw`);
    closables.push(connection);
    await connection.connect('127.0.0.1', broker.port);

    const listed = await listOffsetsV9.api.async(connection, -1, 0, [
      { name: 'plt-orders', partitions: [0, 1, 2].map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp: -1n })) },
    ]);
    const latest = [...listed.topics[0]!.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex);
    assert.deepEqual(latest.map((p) => [p.errorCode, Number(p.offset)]), [[0, 20], [0, 20], [0, 20]]);

    const partitionMaxBytes = 1024 * 1024;
    const fetched = await fetchV16.api.async(
      connection, 500, 1, 4 * partitionMaxBytes, 0, 0, -1,
      [{ topicId, partitions: [0, 1, 2].map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, partitionMaxBytes })) }],
      [], '',
    );
    assert.equal(fetched.errorCode, 0);
    assert.equal(fetched.responses.length, 1);
    assert.equal(fetched.responses[0]!.topicId, topicId);
    const records: ReadRecord[] = [];
    for (const p of fetched.responses[0]!.partitions) {
      assert.equal(p.errorCode, 0, `partition ${p.partitionIndex}`);
      assert.equal(Number(p.highWatermark), 20);
      assert.equal(Number(p.logStartOffset), 0);
      for (const batch of p.records ?? []) {
        for (const r of batch.records) {
          records.push({
            partition: p.partitionIndex,
            offset: Number(batch.firstOffset) + r.offsetDelta,
            key: r.key?.toString('utf8') ?? null,
            value: r.value?.toString('utf8') ?? null,
            headers: r.headers.map(([k, v]) => [k?.toString('utf8') ?? '', v?.toString('utf8') ?? '']),
            timestamp: Number(batch.firstTimestamp + r.timestampDelta),
          });
        }
      }
    }
    records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    assertExactRecords(records, { indices: range(0, 60), partitionOf: (i) => i % partitionCount });
    for (const r of records) assert.equal(r.timestamp, timestampOf(Number(r.key!.slice(4))), `timestamp of ${r.key}`);
  });

  test('deleteRecords moves the log start offset, and reads start there', async () => {
    const deleted = await admin.deleteRecords({ topics: [{ name: 'plt-idempotent', partitions: [{ partition: 0, offset: 10n }] }] });
    assert.deepEqual(deleted, [{ name: 'plt-idempotent', partitions: [{ partition: 0, lowWatermark: 10n }] }]);
    const listed = await admin.listOffsets({
      topics: [{ name: 'plt-idempotent', partitions: [0, 1].map((partitionIndex) => ({ partitionIndex, timestamp: -2n })) }],
    });
    assert.deepEqual([...listed[0]!.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex).map((p) => p.offset), [10n, 0n]);
    const records = (await kcatConsumeJson(broker.bootstrap, 'plt-idempotent', ['-p', '0'])).map(fromKcat);
    // Partition 0 holds the even records 0..58; the first ten (0..18) are gone.
    assertExactRecords(records, { indices: range(20, 60).filter((i) => i % 2 === 0), firstOffsetOf: () => 10 });
  });

  test('the broker logged no internal error', () => {
    assert.deepEqual(brokerErrors(broker), []);
  });
});

async function topicConfigs(admin: Admin, topic: string): Promise<Map<string, string | null | undefined>> {
  const described = await admin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic }] });
  assert.equal(described.length, 1);
  assert.equal(described[0]!.resourceName, topic);
  return new Map(described[0]!.configs.map((c) => [c.name, c.value]));
}
