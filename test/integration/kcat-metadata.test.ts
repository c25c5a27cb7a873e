// Goal: kcat's metadata listing (-L -J) shows the broker with the id, host and port it announced,
// and a topic that producing to an unknown name auto-created, with its partition led by that broker.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { kcat, kcatProduceKeyed } from '../helpers/kcat.js';
import { kcatKeyedLines } from '../helpers/records.js';

interface KcatMetadata {
  brokers: { id: number; name: string }[];
  topics: {
    topic: string;
    error?: string;
    partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[];
  }[];
}

describe('kcat metadata', { timeout: 50_000 }, () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await startBroker({ overrides: { 'node.id': '7', 'num.partitions': '2' } });
  });
  after(async () => {
    assert.equal(await broker.stop(), 0);
  });

  test('lists the broker as announced', async () => {
    const { stdout } = await kcat(['-L', '-J', '-b', broker.bootstrap, '-m', '10']);
    const metadata = JSON.parse(stdout) as KcatMetadata;
    assert.equal(broker.nodeId, 7);
    assert.deepEqual(metadata.brokers, [{ id: 7, name: `127.0.0.1:${broker.port}` }]);
  });

  test('lists an auto-created topic with num.partitions partitions', async () => {
    await kcatProduceKeyed(broker.bootstrap, 'auto-created', kcatKeyedLines(0, 3));
    const { stdout } = await kcat(['-L', '-J', '-b', broker.bootstrap, '-t', 'auto-created', '-m', '10']);
    const metadata = JSON.parse(stdout) as KcatMetadata;
    const topic = metadata.topics.find((t) => t.topic === 'auto-created');
    assert.ok(topic !== undefined, `auto-created missing from ${stdout}`);
    assert.equal(topic.error, undefined);
    const partitions = [...topic.partitions].sort((a, b) => a.partition - b.partition);
    assert.deepEqual(
      partitions.map((p) => ({ partition: p.partition, leader: p.leader, replicas: p.replicas, isrs: p.isrs })),
      [0, 1].map((partition) => ({ partition, leader: 7, replicas: [{ id: 7 }], isrs: [{ id: 7 }] })),
    );
  });

  test('the full listing (no -t) includes the topic too', async () => {
    const { stdout } = await kcat(['-L', '-J', '-b', broker.bootstrap, '-m', '10']);
    const metadata = JSON.parse(stdout) as KcatMetadata;
    assert.ok(metadata.topics.some((t) => t.topic === 'auto-created'));
  });
});
