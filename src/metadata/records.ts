// The metadata records Tideline's controller writes, named and shaped as KRaft's records
// (internal/metadata/*.json in Kafka). The metadata image is the fold of these records; the
// single-node metadata log persists them, and the Raft quorum of the cluster issue replicates
// the very same records. metadata-codec.ts turns them into Kafka's on-disk frames.

export const MetadataRecordType = {
  RegisterBroker: 0,
  Topic: 2,
  Partition: 3,
  Config: 4,
  PartitionChange: 5,
  ProducerIds: 15,
  RemoveTopic: 9,
} as const;

export const ConfigResourceType = { TOPIC: 2, BROKER: 4 } as const;

export interface BrokerEndpoint {
  name: string;
  host: string;
  port: number;
  securityProtocol: number; // 0 PLAINTEXT
}

export type MetadataRecord =
  | {
      type: 'RegisterBroker';
      brokerId: number;
      incarnationId: string;
      brokerEpoch: number;
      endPoints: BrokerEndpoint[];
      rack: string | null;
      fenced: boolean;
    }
  | { type: 'Topic'; name: string; topicId: string }
  | {
      type: 'Partition';
      topicId: string;
      partitionId: number;
      replicas: number[];
      isr: number[];
      leader: number;
      leaderEpoch: number;
      partitionEpoch: number;
    }
  | {
      type: 'PartitionChange';
      topicId: string;
      partitionId: number;
      leader?: number; // -2 / absent: unchanged
      isr?: number[] | null;
      replicas?: number[] | null;
    }
  | { type: 'Config'; resourceType: number; resourceName: string; name: string; value: string | null }
  | { type: 'RemoveTopic'; topicId: string }
  | { type: 'ProducerIds'; brokerId: number; brokerEpoch: number; nextProducerId: number };
