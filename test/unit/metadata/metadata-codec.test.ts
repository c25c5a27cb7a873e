// Goal: every metadata record type survives Kafka's on-disk framing (frame version, api key,
// record version, flexible body), the broker records under Kafka's api keys and versions, with
// BrokerRegistrationChange's int8 change flags mapped to and from our optional booleans, and a
// partition's reassignment lists present only when set (empty on a PartitionRecord, null on a
// PartitionChangeRecord, read back as absent).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMetadataRecord, encodeMetadataRecord } from '../../../src/metadata/metadata-codec.js';
import { MetadataRecordType, type MetadataRecord } from '../../../src/metadata/records.js';
import { Reader } from '../../../src/protocol/reader.js';
import { Writer } from '../../../src/protocol/writer.js';
import { writeBrokerRegistrationChangeRecord } from '../../../src/protocol/generated/metadata/broker-registration-change-record.js';
import { registerRecord, uuid } from '../controller/fixtures.js';

const cases: MetadataRecord[] = [
  registerRecord({ id: 3, epoch: 12, rack: 'rack-a', fenced: true, inControlledShutdown: true }),
  registerRecord({ id: 4 }),
  { type: 'UnregisterBroker', brokerId: 3, brokerEpoch: 12 },
  { type: 'FenceBroker', brokerId: 3, brokerEpoch: 2 ** 40 },
  { type: 'UnfenceBroker', brokerId: 3, brokerEpoch: 12 },
  { type: 'BrokerRegistrationChange', brokerId: 3, brokerEpoch: 12 },
  { type: 'BrokerRegistrationChange', brokerId: 3, brokerEpoch: 12, fenced: true },
  { type: 'BrokerRegistrationChange', brokerId: 3, brokerEpoch: 12, fenced: false },
  { type: 'BrokerRegistrationChange', brokerId: 3, brokerEpoch: 12, inControlledShutdown: true },
  { type: 'BrokerRegistrationChange', brokerId: 3, brokerEpoch: 12, fenced: true, inControlledShutdown: true },
  { type: 'Topic', name: 't', topicId: uuid(7) },
  { type: 'Partition', topicId: uuid(7), partitionId: 2, replicas: [1, 2, 3], isr: [2, 3], leader: 2, leaderEpoch: 5, partitionEpoch: 9 },
  { type: 'Partition', topicId: uuid(7), partitionId: 3, replicas: [4, 1, 2], isr: [1, 2], leader: 1, leaderEpoch: 0, partitionEpoch: 1, addingReplicas: [4], removingReplicas: [2] },
  { type: 'PartitionChange', topicId: uuid(7), partitionId: 2, leader: -1, isr: [3], replicas: null },
  { type: 'PartitionChange', topicId: uuid(7), partitionId: 2, leader: -2, isr: null, replicas: [4, 1, 2], addingReplicas: [4], removingReplicas: [2] },
  { type: 'PartitionChange', topicId: uuid(7), partitionId: 2, leader: -2, isr: [1, 4], replicas: [4, 1], addingReplicas: [], removingReplicas: [] },
  { type: 'Config', resourceType: 2, resourceName: 't', name: 'retention.ms', value: null },
  { type: 'RemoveTopic', topicId: uuid(7) },
  { type: 'ProducerIds', brokerId: -1, brokerEpoch: -1, nextProducerId: 123_000 },
];

test('every record type round-trips', () => {
  for (const record of cases) assert.deepEqual(decodeMetadataRecord(encodeMetadataRecord(record)), record, record.type);
});

test('broker records use Kafka api keys and record versions', () => {
  const header = (r: MetadataRecord) => {
    const reader = new Reader(encodeMetadataRecord(r));
    return [reader.readUnsignedVarint(), reader.readUnsignedVarint(), reader.readUnsignedVarint()];
  };
  assert.deepEqual(header(registerRecord(1)), [1, 0, 2]);
  assert.deepEqual(header({ type: 'UnregisterBroker', brokerId: 1, brokerEpoch: 0 }), [1, 1, 0]);
  assert.deepEqual(header({ type: 'FenceBroker', brokerId: 1, brokerEpoch: 0 }), [1, 7, 0]);
  assert.deepEqual(header({ type: 'UnfenceBroker', brokerId: 1, brokerEpoch: 0 }), [1, 8, 0]);
  assert.deepEqual(header({ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 0 }), [1, 17, 1]);
  assert.equal(MetadataRecordType.BrokerRegistrationChange, 17);
});

test('a RegisterBroker without the shutdown flag decodes with it false', () => {
  const { inControlledShutdown: _omitted, ...legacy } = registerRecord(5) as Extract<MetadataRecord, { type: 'RegisterBroker' }>;
  assert.deepEqual(decodeMetadataRecord(encodeMetadataRecord(legacy)), { ...legacy, inControlledShutdown: false });
});

test('BrokerRegistrationChange: clearing the shutdown flag cannot be written; unknown change values are refused', () => {
  assert.throws(() => encodeMetadataRecord({ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 0, inControlledShutdown: false }), /cannot clear/);
  for (const body of [{ fenced: 2 }, { inControlledShutdown: -1 }]) {
    const w = new Writer();
    w.writeUnsignedVarint(1);
    w.writeUnsignedVarint(17);
    w.writeUnsignedVarint(1);
    writeBrokerRegistrationChangeRecord(w, 1, { brokerId: 1, brokerEpoch: 0, ...body });
    assert.throws(() => decodeMetadataRecord(w.toBuffer()), /BrokerRegistrationChangeRecord/);
  }
});

test('record types this version does not use decode as null', () => {
  const w = new Writer();
  w.writeUnsignedVarint(1);
  w.writeUnsignedVarint(12); // FeatureLevelRecord
  w.writeUnsignedVarint(0);
  assert.equal(decodeMetadataRecord(w.toBuffer()), null);
});

test('reassignment lists: empty or null read back as absent; an empty list on a change still clears', () => {
  const partition: MetadataRecord = { type: 'Partition', topicId: uuid(7), partitionId: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0, addingReplicas: [], removingReplicas: [] };
  const { addingReplicas: _a, removingReplicas: _r, ...bare } = partition as Extract<MetadataRecord, { type: 'Partition' }>;
  assert.deepEqual(decodeMetadataRecord(encodeMetadataRecord(partition)), bare);
  const change: MetadataRecord = { type: 'PartitionChange', topicId: uuid(7), partitionId: 0, leader: -2, isr: null, replicas: null, addingReplicas: null, removingReplicas: [] };
  assert.deepEqual(decodeMetadataRecord(encodeMetadataRecord(change)), { type: 'PartitionChange', topicId: uuid(7), partitionId: 0, leader: -2, isr: null, replicas: null, removingReplicas: [] });
});
