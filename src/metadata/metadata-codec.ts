// Metadata records on disk, framed as KRaft frames them in __cluster_metadata: an unsigned
// varint frame version (1), the record's api key and version as unsigned varints, then the
// record body in its flexible encoding (internal/metadata/*.json). Using Kafka's format keeps
// the metadata log readable by the same tools and ready for the Raft quorum to replicate.

import { ProtocolDecodeError, Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { readConfigRecord, writeConfigRecord } from '../protocol/generated/metadata/config-record.js';
import { readPartitionChangeRecord, writePartitionChangeRecord } from '../protocol/generated/metadata/partition-change-record.js';
import { readPartitionRecord, writePartitionRecord } from '../protocol/generated/metadata/partition-record.js';
import { readProducerIdsRecord, writeProducerIdsRecord } from '../protocol/generated/metadata/producer-ids-record.js';
import { readRegisterBrokerRecord, writeRegisterBrokerRecord } from '../protocol/generated/metadata/register-broker-record.js';
import { readRemoveTopicRecord, writeRemoveTopicRecord } from '../protocol/generated/metadata/remove-topic-record.js';
import { readTopicRecord, writeTopicRecord } from '../protocol/generated/metadata/topic-record.js';
import { MetadataRecordType, type MetadataRecord } from './records.js';

const FRAME_VERSION = 1;

export function encodeMetadataRecord(record: MetadataRecord): Buffer {
  const w = new Writer();
  w.writeUnsignedVarint(FRAME_VERSION);
  w.writeUnsignedVarint(MetadataRecordType[record.type]);
  switch (record.type) {
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
    case 'RegisterBroker':
      w.writeUnsignedVarint(2);
      writeRegisterBrokerRecord(w, 2, {
        ...record,
        endPoints: record.endPoints.map((e) => ({ ...e })),
        rack: record.rack,
        fenced: record.fenced,
      });
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
  switch (apiKey) {
    case MetadataRecordType.Topic: {
      const m = readTopicRecord(r, version);
      return { type: 'Topic', name: m.name, topicId: m.topicId };
    }
    case MetadataRecordType.Partition: {
      const m = readPartitionRecord(r, version);
      return {
        type: 'Partition',
        topicId: m.topicId,
        partitionId: m.partitionId,
        replicas: m.replicas,
        isr: m.isr,
        leader: m.leader,
        leaderEpoch: m.leaderEpoch,
        partitionEpoch: m.partitionEpoch,
      };
    }
    case MetadataRecordType.PartitionChange: {
      const m = readPartitionChangeRecord(r, version);
      return { type: 'PartitionChange', topicId: m.topicId, partitionId: m.partitionId, leader: m.leader, isr: m.isr, replicas: m.replicas };
    }
    case MetadataRecordType.Config: {
      const m = readConfigRecord(r, version);
      return { type: 'Config', resourceType: m.resourceType, resourceName: m.resourceName, name: m.name, value: m.value };
    }
    case MetadataRecordType.RemoveTopic:
      return { type: 'RemoveTopic', topicId: readRemoveTopicRecord(r, version).topicId };
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
      };
    }
    case MetadataRecordType.ProducerIds: {
      const m = readProducerIdsRecord(r, version);
      return { type: 'ProducerIds', brokerId: m.brokerId, brokerEpoch: m.brokerEpoch, nextProducerId: m.nextProducerId };
    }
    default:
      return null; // a record type this version does not use: skipped, as KRaft brokers skip unknown ones
  }
}
