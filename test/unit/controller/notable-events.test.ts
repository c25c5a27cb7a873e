// Goal: the controller names each notable change in the records it commits once, with the
// fields an operator searches by: topics created (with their partition count and replication
// factor) and deleted (by name, which only the image before knows), brokers fenced and
// unfenced, whether by FenceBroker/UnfenceBroker or by a registration change; nothing else.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notableEvents } from '../../../src/controller/notable-events.js';
import { imageWith, topicIdOf } from './fixtures.js';

test('notable events in committed records', () => {
  const image = imageWith([1, { id: 2, fenced: true }], { old: [{ replicas: [1] }] });
  const newId = topicIdOf('new');
  const partition = (partitionId: number) => ({ type: 'Partition' as const, topicId: newId, partitionId, replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 0, partitionEpoch: 0 });
  const events = notableEvents(image, [
    { type: 'Topic', name: 'new', topicId: newId },
    partition(0),
    partition(1),
    { type: 'RemoveTopic', topicId: topicIdOf('old') },
    { type: 'FenceBroker', brokerId: 1, brokerEpoch: 0 },
    { type: 'UnfenceBroker', brokerId: 2, brokerEpoch: 0 },
    { type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 0, fenced: true, inControlledShutdown: true },
    // Already unfenced in the image before: not an event.
    { type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 0, fenced: false },
    { type: 'BrokerRegistrationChange', brokerId: 2, brokerEpoch: 0, inControlledShutdown: true },
    { type: 'PartitionChange', topicId: topicIdOf('old'), partitionId: 0, leader: -1 },
  ]);
  assert.deepEqual(events, [
    { fields: { topic: 'new', topicId: newId, partitions: 2, replicationFactor: 2 }, msg: 'topic created' },
    { fields: { topic: 'old', topicId: topicIdOf('old') }, msg: 'topic deleted' },
    { fields: { brokerId: 1, brokerEpoch: 0 }, msg: 'broker fenced' },
    { fields: { brokerId: 2, brokerEpoch: 0 }, msg: 'broker unfenced' },
    { fields: { brokerId: 1, brokerEpoch: 0, inControlledShutdown: true }, msg: 'broker fenced' },
  ]);
});
