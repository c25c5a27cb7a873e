// Goal: a KIP-848 group survives a broker restart. Its state is written to __consumer_offsets as
// Kafka's ConsumerGroup* records; after the restart the coordinator reloads them, so the member
// carries on with its member id, epoch and assignment instead of being told it is unknown.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { WireClient } from '../helpers/kafka-wire.js';
import { makeTempDir } from '../helpers/cleanup.js';
import { ApiKey } from '../../src/protocol/generated/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';

const topic = 'kip848-restart';
const groupId = 'kip848-restart-group';
let broker: BrokerProcess | undefined;
let wire: WireClient | undefined;

after(async () => {
  wire?.close();
  await broker?.stop();
});

async function connect(dataDir: string): Promise<WireClient> {
  broker = await startBroker({ dataDir, overrides: { 'offsets.topic.num.partitions': '3' } });
  const client = await WireClient.connect(broker.bootstrap);
  const found = await client.request(ApiKey.FindCoordinator, 4, { keyType: 0, coordinatorKeys: [groupId] });
  assert.equal(found.coordinators[0].errorCode, ErrorCode.NONE);
  return client;
}

test('a KIP-848 member keeps its id, epoch and assignment across a broker restart', async () => {
  const dataDir = makeTempDir('tideline-kip848-');
  wire = await connect(dataDir);
  const created = await wire.request(ApiKey.CreateTopics, 7, { topics: [{ name: topic, numPartitions: 2, replicationFactor: 1 }], timeoutMs: 5000 });
  assert.equal(created.topics[0].errorCode, ErrorCode.NONE);
  const topicId: string = created.topics[0].topicId;
  const memberId = randomUUID();
  const heartbeat = (memberEpoch: number, owned: number[] | null) =>
    wire!.request(ApiKey.ConsumerGroupHeartbeat, 1, {
      groupId,
      memberId,
      memberEpoch,
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: memberEpoch === 0 ? [topic] : null,
      topicPartitions: owned === null ? null : owned.length === 0 ? [] : [{ topicId, partitions: owned }],
    });

  const joined = await heartbeat(0, []);
  assert.equal(joined.errorCode, ErrorCode.NONE, joined.errorMessage);
  assert.deepEqual(joined.assignment.topicPartitions, [{ topicId, partitions: [0, 1] }]);
  const stable = await heartbeat(joined.memberEpoch, [0, 1]);
  assert.equal(stable.errorCode, ErrorCode.NONE);
  const epoch: number = stable.memberEpoch;

  wire.close();
  assert.equal(await broker!.stop(), 0);
  wire = await connect(dataDir);

  const resumed = await heartbeat(epoch, [0, 1]);
  assert.equal(resumed.errorCode, ErrorCode.NONE, `after restart: ${resumed.errorMessage}`);
  assert.equal(resumed.memberEpoch, epoch);
  const described = await wire.request(ApiKey.ConsumerGroupDescribe, 0, { groupIds: [groupId] });
  const group = described.groups[0];
  assert.equal(group.errorCode, ErrorCode.NONE);
  assert.deepEqual(group.members.map((m: { memberId: string }) => m.memberId), [memberId]);
  assert.deepEqual(group.members[0].assignment.topicPartitions.map((t: { partitions: number[] }) => t.partitions), [[0, 1]]);
});
