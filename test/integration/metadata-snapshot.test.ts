// Goal: the metadata log is compacted into snapshots and a node restarts from one. A single node
// with a tiny metadata.log.max.record.bytes.between.snapshots creates and deletes topics (kafkajs
// admin) and alters a config, so snapshots are taken and the log below them dropped; after a
// restart the topics, partition counts and config read back exactly; a restarted voter of a
// three-node cluster whose peers snapshotted meanwhile catches up (FetchSnapshot) likewise.

import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { eventually, metadataFrom, TestCluster } from '../helpers/cluster.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;
const SNAPSHOT_EVERY = { 'metadata.log.max.record.bytes.between.snapshots': '2000' };

function adminFor(bootstrap: string) {
  return new Kafka({ clientId: 'snapshot-it', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
}

async function churnTopics(bootstrap: string, prefix: string): Promise<void> {
  const admin = adminFor(bootstrap);
  await admin.connect();
  try {
    await admin.createTopics({ topics: Array.from({ length: 30 }, (_, i) => ({ topic: `${prefix}-${i}`, numPartitions: 1 + (i % 4) })) });
    await admin.deleteTopics({ topics: Array.from({ length: 10 }, (_, i) => `${prefix}-${i}`) });
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: `${prefix}-29`, configEntries: [{ name: 'retention.ms', value: '123456' }] }] });
  } finally {
    await admin.disconnect();
  }
}

async function expectChurned(bootstrap: string, prefix: string): Promise<void> {
  const md = await metadataFrom(bootstrap);
  for (let i = 0; i < 30; i++) {
    const t = md.topics.get(`${prefix}-${i}`);
    if (i < 10) assert.equal(t, undefined, `${prefix}-${i} stays deleted`);
    else assert.equal(t?.length, 1 + (i % 4), `${prefix}-${i} partitions`);
  }
  const admin = adminFor(bootstrap);
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: `${prefix}-29`, configNames: ['retention.ms'] }] });
    assert.equal(resources[0]!.configEntries[0]!.configValue, '123456');
  } finally {
    await admin.disconnect();
  }
}

describe('metadata snapshots', { timeout: 180_000 }, () => {
  let broker: BrokerProcess | undefined;
  let cluster: TestCluster | undefined;
  after(async () => {
    await broker?.stop();
    await cluster?.stopAll();
  });

  test('a single node snapshots its metadata and restarts from the snapshot', async () => {
    broker = await startBroker({ overrides: SNAPSHOT_EVERY });
    await churnTopics(broker.bootstrap, 'snap');
    const snapshotFile = join(broker.dataDir, '__cluster_metadata-0', 'snapshot');
    await eventually('a metadata snapshot', async () => existsSync(snapshotFile) && statSync(snapshotFile).size > 0);
    const dataDir = broker.dataDir;
    assert.equal(await broker.stop(), 0);
    broker = await startBroker({ dataDir, overrides: SNAPSHOT_EVERY });
    await expectChurned(broker.bootstrap, 'snap');
  });

  test('a restarted voter catches up from a snapshot its peers took meanwhile', async () => {
    cluster = await TestCluster.start(3, SNAPSHOT_EVERY);
    assert.equal(await cluster.node(3).stop(20_000), 0);
    await churnTopics(cluster.bootstrap([1, 2]), 'late');
    await cluster.startNode(3);
    await eventually('node 3 has the churned topics', async () => (await metadataFrom(cluster!.bootstrap([3]))).topics.has('late-29'));
    await expectChurned(cluster.bootstrap([3]), 'late');
    assert.match(cluster.node(3).stderrTail(4 << 20), /metadata snapshot loaded/, 'node 3 caught up through a snapshot');
  });
});
