// Goal: python3-confluent-kafka 1.7's AdminClient can create topics (with configs, and
// validate_only creating nothing), see them in list_topics, read and replace their configs
// (describe_configs / alter_configs; 1.7 has no incremental_alter_configs), add partitions and
// delete topics, with each effect checked through a separate request and Kafka's error names for
// the failure cases.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { runPython } from '../helpers/python.js';

interface KafkaErrorValue {
  code: number;
  name: string;
  str: string;
}
interface Results {
  results: Record<string, KafkaErrorValue | null>;
}
interface TopicsListing {
  brokers: { id: number; host: string; port: number }[];
  topics: Record<string, { error: { name: string } | null; partitions: Record<string, { leader: number; replicas: number[]; isrs: number[] }> }>;
}
interface ConfigsDescription {
  error: KafkaErrorValue | null;
  configs: Record<string, { value: string | null; isDefault: boolean; isReadOnly: boolean }>;
}

describe('python AdminClient', { timeout: 55_000 }, () => {
  let broker: BrokerProcess;
  const admin = <T>(op: string, args: object = {}): Promise<T> =>
    runPython<T>('admin.py', { bootstrap: broker.bootstrap, op, ...args });
  const listTopics = (): Promise<TopicsListing> => admin<TopicsListing>('list_topics');

  before(async () => {
    broker = await startBroker({ overrides: { 'auto.create.topics.enable': 'false' } });
  });
  after(async () => {
    assert.equal(await broker.stop(), 0);
  });

  test('list_topics shows the broker', async () => {
    const listing = await listTopics();
    assert.deepEqual(listing.brokers, [{ id: broker.nodeId, host: '127.0.0.1', port: broker.port }]);
  });

  test('create_topics with validate_only creates nothing', async () => {
    const created = await admin<Results>('create_topics', {
      topics: [{ name: 'validated-only', partitions: 3 }],
      validateOnly: true,
    });
    assert.deepEqual(created.results, { 'validated-only': null });
    assert.equal((await listTopics()).topics['validated-only'], undefined);
  });

  test('create_topics with configs creates the topic with those configs', async () => {
    const created = await admin<Results>('create_topics', {
      topics: [{ name: 'orders', partitions: 4, configs: { 'retention.ms': '3600000', 'max.message.bytes': '2000000' } }],
    });
    assert.deepEqual(created.results, { orders: null });
    const orders = (await listTopics()).topics['orders'];
    assert.ok(orders !== undefined);
    assert.equal(orders.error, null);
    assert.deepEqual(Object.keys(orders.partitions).sort(), ['0', '1', '2', '3']);
    for (const p of Object.values(orders.partitions)) {
      assert.deepEqual(p, { leader: broker.nodeId, replicas: [broker.nodeId], isrs: [broker.nodeId] });
    }
    const described = await admin<ConfigsDescription>('describe_configs', { topic: 'orders' });
    assert.equal(described.error, null);
    assert.equal(described.configs['retention.ms']?.value, '3600000');
    assert.equal(described.configs['retention.ms']?.isDefault, false);
    assert.equal(described.configs['max.message.bytes']?.value, '2000000');
  });

  test('create_topics reports failures per topic', async () => {
    const created = await admin<Results>('create_topics', {
      topics: [
        { name: 'orders', partitions: 1 },
        { name: 'bad name!', partitions: 1 },
      ],
    });
    assert.equal(created.results['orders']?.code, 36); // TOPIC_ALREADY_EXISTS
    // Kafka's INVALID_TOPIC_EXCEPTION (17); librdkafka names it TOPIC_EXCEPTION.
    assert.equal(created.results['bad name!']?.code, 17);
  });

  test('alter_configs replaces the topic config set (non-incremental semantics)', async () => {
    const altered = await admin<{ error: KafkaErrorValue | null }>('alter_configs', {
      topic: 'orders',
      configs: { 'retention.ms': '7200000' },
    });
    assert.equal(altered.error, null);
    const described = await admin<ConfigsDescription>('describe_configs', { topic: 'orders' });
    assert.equal(described.configs['retention.ms']?.value, '7200000');
    assert.equal(described.configs['retention.ms']?.isDefault, false);
    // AlterConfigs sets the whole set: a key left out returns to its default.
    assert.equal(described.configs['max.message.bytes']?.isDefault, true);
  });

  test('describe_configs of an unknown topic fails with UNKNOWN_TOPIC_OR_PART', async () => {
    const described = await admin<ConfigsDescription>('describe_configs', { topic: 'no-such-topic' });
    assert.equal(described.error?.name, 'UNKNOWN_TOPIC_OR_PART');
  });

  test('create_partitions grows a topic', async () => {
    const grown = await admin<Results>('create_partitions', { topic: 'orders', count: 6 });
    assert.deepEqual(grown.results, { orders: null });
    const orders = (await listTopics()).topics['orders'];
    assert.deepEqual(Object.keys(orders?.partitions ?? {}).sort(), ['0', '1', '2', '3', '4', '5']);
  });

  test('delete_topics removes the topic; deleting it again fails', async () => {
    const deleted = await admin<Results>('delete_topics', { topics: ['orders'] });
    assert.deepEqual(deleted.results, { orders: null });
    assert.equal((await listTopics()).topics['orders'], undefined);
    const again = await admin<Results>('delete_topics', { topics: ['orders'] });
    assert.equal(again.results['orders']?.name, 'UNKNOWN_TOPIC_OR_PART');
  });
});
