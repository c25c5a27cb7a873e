// Metadata records on disk, framed as KRaft frames them in __cluster_metadata: an unsigned
// varint frame version (1), the record's api key and version as unsigned varints, then the
// record body in its flexible encoding (internal/metadata/*.json). Using Kafka's format keeps
// the metadata log readable by the same tools and lets the Raft quorum replicate it as is.
//
// BrokerRegistrationChangeRecord carries its flags as int8 changes (fenced: 1 fence, -1 unfence,
// 0 none; inControlledShutdown: 1 set, 0 none), which map to our optional booleans.
// PartitionRecord's adding/removing replicas are plain arrays on disk; they decode as absent when
// empty (no reassignment), and PartitionChangeRecord's as absent when null (unchanged), so a
// record written without them reads back equal.

import { assert } from '../common/assert.js';
import { ProtocolDecodeError, Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import {
  readBrokerRegistrationChangeRecord,
  writeBrokerRegistrationChangeRecord,
} from '../protocol/generated/metadata/broker-registration-change-record.js';
import { readConfigRecord, writeConfigRecord } from '../protocol/generated/metadata/config-record.js';
import { readFenceBrokerRecord, writeFenceBrokerRecord } from '../protocol/generated/metadata/fence-broker-record.js';
import { readPartitionChangeRecord, writePartitionChangeRecord } from '../protocol/generated/metadata/partition-change-record.js';
import { readPartitionRecord, writePartitionRecord } from '../protocol/generated/metadata/partition-record.js';
import { readProducerIdsRecord, writeProducerIdsRecord } from '../protocol/generated/metadata/producer-ids-record.js';
import { readRegisterBrokerRecord, writeRegisterBrokerRecord } from '../protocol/generated/metadata/register-broker-record.js';
import { readRemoveTopicRecord, writeRemoveTopicRecord } from '../protocol/generated/metadata/remove-topic-record.js';
import { readTopicRecord, writeTopicRecord } from '../protocol/generated/metadata/topic-record.js';
import { readUnfenceBrokerRecord, writeUnfenceBrokerRecord } from '../protocol/generated/metadata/unfence-broker-record.js';
import { readUnregisterBrokerRecord, writeUnregisterBrokerRecord } from '../protocol/generated/metadata/unregister-broker-record.js';
import { MetadataRecordType, type MetadataRecord } from './records.js';

const FRAME_VERSION = 1;
/** The record versions written: RegisterBroker v2 carries InControlledShutdown (v1+). */
const REGISTER_BROKER_VERSION = 2;
const BROKER_REGISTRATION_CHANGE_VERSION = 1;

export function encodeMetadataRecord(record: MetadataRecord): Buffer {
  const w = new Writer();
  w.writeUnsignedVarint(FRAME_VERSION);
  w.writeUnsignedVarint(MetadataRecordType[record.type]);
  switch (record.type) {
    case 'RegisterBroker':
      w.writeUnsignedVarint(REGISTER_BROKER_VERSION);
      writeRegisterBrokerRecord(w, REGISTER_BROKER_VERSION, { ...record, inControlledShutdown: record.inControlledShutdown ?? false });
      break;
    case 'UnregisterBroker':
      w.writeUnsignedVarint(0);
      writeUnregisterBrokerRecord(w, 0, record);
      break;
    case 'FenceBroker':
      w.writeUnsignedVarint(0);
      writeFenceBrokerRecord(w, 0, { id: record.brokerId, epoch: record.brokerEpoch });
      break;
    case 'UnfenceBroker':
      w.writeUnsignedVarint(0);
      writeUnfenceBrokerRecord(w, 0, { id: record.brokerId, epoch: record.brokerEpoch });
      break;
    case 'BrokerRegistrationChange':
      assert(record.inControlledShutdown !== false, 'BrokerRegistrationChangeRecord cannot clear inControlledShutdown');
      w.writeUnsignedVarint(BROKER_REGISTRATION_CHANGE_VERSION);
      writeBrokerRegistrationChangeRecord(w, BROKER_REGISTRATION_CHANGE_VERSION, {
        brokerId: record.brokerId,
        brokerEpoch: record.brokerEpoch,
        fenced: record.fenced === undefined ? 0 : record.fenced ? 1 : -1,
        inControlledShutdown: record.inControlledShutdown ? 1 : 0,
      });
      break;
    case 'Topic':
      w.writeUnsignedVarint(0);
      writeTopicRecord(w, 0, record);
      break;
    case 'Partition':
      w.writeUnsignedVarint(0);
      writePartitionRecord(w, 0, { ...record, leaderRecoveryState: 0 });
      break;
    case 'PartitionChange':
      w.writeUnsignedVarint(0);
      writePartitionChangeRecord(w, 0, record);
      break;
    case 'Config':
      w.writeUnsignedVarint(0);
      writeConfigRecord(w, 0, record);
      break;
    case 'RemoveTopic':
      w.writeUnsignedVarint(0);
      writeRemoveTopicRecord(w, 0, record);
      break;
    case 'ProducerIds':
      w.writeUnsignedVarint(0);
      writeProducerIdsRecord(w, 0, record);
      break;
  }
  return w.toBuffer();
}

export function decodeMetadataRecord(buf: Buffer): MetadataRecord | null {
  const r = new Reader(buf);
  const frame = r.readUnsignedVarint();
  if (frame !== FRAME_VERSION) throw new ProtocolDecodeError(`unknown metadata frame version ${frame}`);
  const apiKey = r.readUnsignedVarint();
  const version = r.readUnsignedVarint();
  return decodeBrokerRecord(r, apiKey, version) ?? decodeTopicRecord(r, apiKey, version);
}

/** The broker registration records, or undefined for another api key. */
function decodeBrokerRecord(r: Reader, apiKey: number, version: number): MetadataRecord | undefined {
  switch (apiKey) {
    case MetadataRecordType.RegisterBroker: {
      const m = readRegisterBrokerRecord(r, version);
      return {
        type: 'RegisterBroker',
        brokerId: m.brokerId,
        incarnationId: m.incarnationId,
        brokerEpoch: m.brokerEpoch,
        endPoints: m.endPoints.map((e) => ({ name: e.name, host: e.host, port: e.port, securityProtocol: e.securityProtocol })),
        rack: m.rack,
        fenced: m.fenced,
        inControlledShutdown: m.inControlledShutdown,
      };
    }
    case MetadataRecordType.UnregisterBroker: {
      const m = readUnregisterBrokerRecord(r, version);
      return { type: 'UnregisterBroker', brokerId: m.brokerId, brokerEpoch: m.brokerEpoch };
    }
    case MetadataRecordType.FenceBroker: {
      const m = readFenceBrokerRecord(r, version);
      return { type: 'FenceBroker', brokerId: m.id, brokerEpoch: m.epoch };
    }
    case MetadataRecordType.UnfenceBroker: {
      const m = readUnfenceBrokerRecord(r, version);
      return { type: 'UnfenceBroker', brokerId: m.id, brokerEpoch: m.epoch };
    }
    case MetadataRecordType.BrokerRegistrationChange:
      return decodeRegistrationChange(readBrokerRegistrationChangeRecord(r, version));
    default:
      return undefined;
  }
}

function decodeRegistrationChange(m: { brokerId: number; brokerEpoch: number; fenced: number; inControlledShutdown: number }): MetadataRecord {
  if (m.fenced < -1 || m.fenced > 1) throw new ProtocolDecodeError(`BrokerRegistrationChangeRecord: fenced change ${m.fenced}`);
  if (m.inControlledShutdown !== 0 && m.inControlledShutdown !== 1) {
    throw new ProtocolDecodeError(`BrokerRegistrationChangeRecord: inControlledShutdown change ${m.inControlledShutdown}`);
  }
  const record: MetadataRecord = { type: 'BrokerRegistrationChange', brokerId: m.brokerId, brokerEpoch: m.brokerEpoch };
  if (m.fenced !== 0) record.fenced = m.fenced === 1;
  if (m.inControlledShutdown === 1) record.inControlledShutdown = true;
  return record;
}

/** Topic, partition, config and producer id records; null for a type this version does not use. */
function decodeTopicRecord(r: Reader, apiKey: number, version: number): MetadataRecord | null {
  switch (apiKey) {
    case MetadataRecordType.Topic: {
      const m = readTopicRecord(r, version);
      return { type: 'Topic', name: m.name, topicId: m.topicId };
    }
    case MetadataRecordType.Partition: {
      const m = readPartitionRecord(r, version);
      const record: MetadataRecord = {
        type: 'Partition',
        topicId: m.topicId,
        partitionId: m.partitionId,
        replicas: m.replicas,
        isr: m.isr,
        leader: m.leader,
        leaderEpoch: m.leaderEpoch,
        partitionEpoch: m.partitionEpoch,
      };
      if (m.addingReplicas.length > 0) record.addingReplicas = m.addingReplicas;
      if (m.removingReplicas.length > 0) record.removingReplicas = m.removingReplicas;
      return record;
    }
    case MetadataRecordType.PartitionChange: {
      const m = readPartitionChangeRecord(r, version);
      const record: MetadataRecord = { type: 'PartitionChange', topicId: m.topicId, partitionId: m.partitionId, leader: m.leader, isr: m.isr, replicas: m.replicas };
      if (m.addingReplicas !== null) record.addingReplicas = m.addingReplicas;
      if (m.removingReplicas !== null) record.removingReplicas = m.removingReplicas;
      return record;
    }
    case MetadataRecordType.Config: {
      const m = readConfigRecord(r, version);
      return { type: 'Config', resourceType: m.resourceType, resourceName: m.resourceName, name: m.name, value: m.value };
    }
    case MetadataRecordType.RemoveTopic:
      return { type: 'RemoveTopic', topicId: readRemoveTopicRecord(r, version).topicId };
    case MetadataRecordType.ProducerIds: {
      const m = readProducerIdsRecord(r, version);
      return { type: 'ProducerIds', brokerId: m.brokerId, brokerEpoch: m.brokerEpoch, nextProducerId: m.nextProducerId };
    }
    default:
      return null; // a record type this version does not use: skipped, as KRaft brokers skip unknown ones
  }
}
