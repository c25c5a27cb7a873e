// Goal: kafkajs 2.2.4, a pure-JavaScript client, drives Tideline's admin APIs (CreateTopics with
// configs, Metadata, DescribeConfigs, AlterConfigs, CreatePartitions, DeleteTopics, ListOffsets by
// latest/earliest and by timestamp) and produces with acks=-1, plain, gzip and idempotent (whose
// stored batches must carry one producer id and gapless sequences); each effect is checked by a
// separate request, and every produced record is read back with kcat and compared exactly: count,
// partition, contiguous offsets, order, key, value, headers, timestamp.
// Consumer groups do not exist yet, so nothing here uses a kafkajs consumer.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import type { Admin, Kafka as KafkaClient, Producer } from 'kafkajs';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { kcatConsumeJson } from '../helpers/kcat.js';
import { headersOf, keyOf, valueOf } from '../helpers/records.js';
import { brokerErrors } from '../helpers/broker-log.js';
import { assertIdempotentBatches } from '../helpers/idempotent-batches.js';
import { assertExactRecords, fromKcat, range } from '../helpers/verify.js';

const { Kafka, logLevel, CompressionTypes, ConfigResourceTypes } = kafkajs;

const partitionCount = 3;
/** Record i carries timestamp baseTimestamp + i seconds, so offsets by timestamp are predictable. */
const baseTimestamp = Date.now() - 10 * 60_000;
const timestampOf = (i: number): number => baseTimestamp + i * 1000;

/** kafkajs message for record i of records.ts, pinned to partition i % partitionCount. */
function messageOf(i: number) {
  return {
    key: keyOf(i),
    value: valueOf(i),
    partition: i % partitionCount,
    timestamp: String(timestampOf(i)),
    headers: Object.fromEntries(headersOf(i)),
  };
}

describe('kafkajs admin and producer', { timeout: 55_000 }, () => {
  let broker: BrokerProcess;
  let kafka: KafkaClient;
  let admin: Admin;
  const producers: Producer[] = [];

  before(async () => {
    broker = await startBroker({ overrides: { 'auto.create.topics.enable': 'false' } });
    kafka = new Kafka({
      clientId: 'tideline-kafkajs-it',
      brokers: [broker.bootstrap],
      logLevel: logLevel.ERROR,
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    admin = kafka.admin();
    await admin.connect();
  });
  after(async () => {
    for (const p of producers) await p.disconnect();
    await admin?.disconnect();
    assert.equal(await broker.stop(), 0, broker.stderrTail(4000));
  });

  test('createTopics with numPartitions and configEntries creates the topic with them', async () => {
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: 'kjs-orders',
          numPartitions: partitionCount,
          configEntries: [
            { name: 'retention.ms', value: '3600000' },
            { name: 'segment.bytes', value: '10485760' },
          ],
        },
        { topic: 'kjs-doomed', numPartitions: 1 },
        { topic: 'kjs-idempotent', numPartitions: 2 },
      ],
    });
    assert.equal(created, true);
    // A topic that exists already: kafkajs maps TOPIC_ALREADY_EXISTS to `false`.
    assert.equal(await admin.createTopics({ topics: [{ topic: 'kjs-orders', numPartitions: 1 }] }), false);
  });

  test('listTopics and fetchTopicMetadata show the topics, partitions and leader', async () => {
    const topics = await admin.listTopics();
    for (const name of ['kjs-orders', 'kjs-doomed', 'kjs-idempotent']) assert.ok(topics.includes(name), `${name} in ${topics}`);
    const { topics: described } = await admin.fetchTopicMetadata({ topics: ['kjs-orders'] });
    assert.equal(described.length, 1);
    const orders = described[0]!;
    assert.equal(orders.name, 'kjs-orders');
    const partitions = [...orders.partitions].sort((a, b) => a.partitionId - b.partitionId);
    assert.deepEqual(partitions.map((p) => p.partitionId), [0, 1, 2]);
    for (const p of partitions) {
      assert.equal(p.partitionErrorCode, 0);
      assert.equal(p.leader, broker.nodeId);
      assert.deepEqual(p.replicas, [broker.nodeId]);
      assert.deepEqual(p.isr, [broker.nodeId]);
    }
  });

  test('describeConfigs reports the overrides and the defaults', async () => {
    const configs = await describeTopicConfigs(admin, 'kjs-orders', ['retention.ms', 'segment.bytes', 'max.message.bytes']);
    assert.deepEqual(configs.get('retention.ms'), { value: '3600000', isDefault: false });
    assert.deepEqual(configs.get('segment.bytes'), { value: '10485760', isDefault: false });
    assert.deepEqual(configs.get('max.message.bytes'), { value: '1048588', isDefault: true });
  });

  test('alterConfigs replaces the whole override set', async () => {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-orders', configEntries: [{ name: 'retention.ms', value: '7200000' }] }],
    });
    const configs = await describeTopicConfigs(admin, 'kjs-orders', ['retention.ms', 'segment.bytes']);
    assert.deepEqual(configs.get('retention.ms'), { value: '7200000', isDefault: false });
    // AlterConfigs (not the incremental one) resets every key it does not name.
    assert.deepEqual(configs.get('segment.bytes'), { value: '1073741824', isDefault: true });
  });

  test('createPartitions grows a topic', async () => {
    await admin.createPartitions({ topicPartitions: [{ topic: 'kjs-doomed', count: 4 }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: ['kjs-doomed'] });
    assert.deepEqual(topics[0]!.partitions.map((p) => p.partitionId).sort(), [0, 1, 2, 3]);
  });

  test('deleteTopics removes a topic', async () => {
    await admin.deleteTopics({ topics: ['kjs-doomed'], timeout: 5000 });
    const topics = await waitFor(async () => {
      const listed = await admin.listTopics();
      return listed.includes('kjs-doomed') ? undefined : listed;
    });
    assert.ok(topics.includes('kjs-orders'));
  });

  test('acks=-1 keyed sends with headers, plain and gzip, read back exactly by kcat', async () => {
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    producers.push(producer);
    await producer.connect();
    // Three plain sends of 20 and one gzip send of 30: offsets must continue across them.
    for (const start of [0, 20, 40]) {
      const metadata = await producer.send({ topic: 'kjs-orders', acks: -1, messages: range(start, start + 20).map(messageOf) });
      assert.equal(metadata.length, partitionCount);
      for (const m of metadata) {
        assert.equal(m.errorCode, 0);
        // Each send of 20 gives every partition 6 or 7 records, so offsets step predictably.
        assert.equal(Number(m.baseOffset), range(0, start).filter((i) => i % partitionCount === m.partition).length);
      }
    }
    const gzipped = await producer.send({
      topic: 'kjs-orders',
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: range(60, 90).map(messageOf),
    });
    assert.deepEqual(gzipped.map((m) => m.errorCode), [0, 0, 0]);

    const records = (await kcatConsumeJson(broker.bootstrap, 'kjs-orders')).map(fromKcat);
    assert.equal(records.length, 90);
    assertExactRecords(records, { indices: range(0, 90), partitionOf: (i) => i % partitionCount });
    for (const r of records) assert.equal(r.timestamp, timestampOf(Number(r.key!.slice(4))), `timestamp of ${r.key}`);
  });

  test('fetchTopicOffsets gives low 0 and high = records per partition', async () => {
    const offsets = await admin.fetchTopicOffsets('kjs-orders');
    const byPartition = [...offsets].sort((a, b) => a.partition - b.partition);
    assert.deepEqual(
      byPartition.map((o) => ({ partition: o.partition, low: o.low, high: o.high, offset: o.offset })),
      [0, 1, 2].map((p) => ({ partition: p, low: '0', high: '30', offset: '30' })),
    );
  });

  test('fetchTopicOffsetsByTimestamp finds the first record at or after the timestamp', async () => {
    // Record 45 is in partition 0 at offset 15; partitions 1 and 2 next hold records 46 and 47.
    const found = await admin.fetchTopicOffsetsByTimestamp('kjs-orders', timestampOf(45));
    assert.deepEqual(sortByPartition(found), [
      { partition: 0, offset: '15' },
      { partition: 1, offset: '15' },
      { partition: 2, offset: '15' },
    ]);
    const between = await admin.fetchTopicOffsetsByTimestamp('kjs-orders', timestampOf(45) + 500);
    assert.deepEqual(sortByPartition(between), [
      { partition: 0, offset: '16' },
      { partition: 1, offset: '15' },
      { partition: 2, offset: '15' },
    ]);
    // Before every record: offset 0; after every record: the broker says -1, kafkajs the high watermark.
    const early = await admin.fetchTopicOffsetsByTimestamp('kjs-orders', baseTimestamp - 1000);
    assert.deepEqual(sortByPartition(early).map((o) => o.offset), ['0', '0', '0']);
    const late = await admin.fetchTopicOffsetsByTimestamp('kjs-orders', timestampOf(1000));
    assert.deepEqual(sortByPartition(late).map((o) => o.offset), ['30', '30', '30']);
  });

  test('an idempotent producer writes each record exactly once', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    producers.push(producer);
    await producer.connect();
    const messageFor = (i: number) => ({ ...messageOf(i), partition: i % 2 });
    for (const start of [0, 25, 50]) {
      const metadata = await producer.send({ topic: 'kjs-idempotent', acks: -1, messages: range(start, start + 25).map(messageFor) });
      assert.deepEqual(metadata.map((m) => m.errorCode), [0, 0]);
    }
    const records = (await kcatConsumeJson(broker.bootstrap, 'kjs-idempotent')).map(fromKcat);
    assert.equal(records.length, 75);
    assertExactRecords(records, { indices: range(0, 75), partitionOf: (i) => i % 2 });
    assertIdempotentBatches(broker.dataDir, 'kjs-idempotent', 2);
  });

  test('the broker logged no internal error', () => {
    assert.deepEqual(brokerErrors(broker), []);
  });
});

async function describeTopicConfigs(admin: Admin, topic: string, names: string[]): Promise<Map<string, { value: string; isDefault: boolean }>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: names }],
  });
  assert.equal(resources.length, 1);
  const resource = resources[0]!;
  assert.equal(resource.errorCode, 0, resource.errorMessage ?? '');
  assert.equal(resource.resourceName, topic);
  return new Map(resource.configEntries.map((e) => [e.configName, { value: e.configValue, isDefault: e.isDefault }]));
}

function sortByPartition<T extends { partition: number }>(list: T[]): T[] {
  return [...list].sort((a, b) => a.partition - b.partition);
}

/** Polls `probe` every 100 ms until it returns a value, for at most 5 s. */
async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
