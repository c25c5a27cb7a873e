// The metadata records Tideline's controller writes, named and shaped as KRaft's records
// (internal/metadata/*.json in Kafka). The metadata image is the fold of these records; the
// metadata log persists them and the Raft quorum replicates them. metadata-codec.ts turns them
// into Kafka's on-disk frames.
//
// Broker state follows KRaft: RegisterBroker starts an incarnation (a new broker epoch); Fence,
// Unfence and BrokerRegistrationChange flip its flags and name the epoch they apply to;
// UnregisterBroker removes it. None of them touches partitions: the controller writes explicit
// PartitionChange records for every leader and ISR consequence.
//
// A partition being reassigned (KIP-455) lists in `replicas` the target replicas followed by the
// ones being removed; `addingReplicas` are target replicas still catching up, `removingReplicas`
// the ones that go when the reassignment completes. Both empty: no reassignment.

export const MetadataRecordType = {
  RegisterBroker: 0,
  UnregisterBroker: 1,
  Topic: 2,
  Partition: 3,
  Config: 4,
  PartitionChange: 5,
  FenceBroker: 7,
  UnfenceBroker: 8,
  RemoveTopic: 9,
  ProducerIds: 15,
  BrokerRegistrationChange: 17,
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
      /** RegisterBrokerRecord v1+; absent reads as false. */
      inControlledShutdown?: boolean;
    }
  | { type: 'UnregisterBroker'; brokerId: number; brokerEpoch: number }
  | { type: 'FenceBroker'; brokerId: number; brokerEpoch: number }
  | { type: 'UnfenceBroker'; brokerId: number; brokerEpoch: number }
  | {
      type: 'BrokerRegistrationChange';
      brokerId: number;
      brokerEpoch: number;
      /** Absent: unchanged. */
      fenced?: boolean;
      /** Absent: unchanged. Kafka's record can only set it (a new registration clears it), so never false. */
      inControlledShutdown?: boolean;
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
      /** Reassignment in progress (KIP-455): replicas being added. Absent reads as empty. */
      addingReplicas?: number[];
      /** Reassignment in progress: replicas being removed. Absent reads as empty. */
      removingReplicas?: number[];
    }
  | {
      type: 'PartitionChange';
      topicId: string;
      partitionId: number;
      leader?: number; // -2 / absent: unchanged; -1: no leader
      isr?: number[] | null;
      replicas?: number[] | null;
      /** Null / absent: unchanged; [] clears (a completed or cancelled reassignment). */
      addingReplicas?: number[] | null;
      removingReplicas?: number[] | null;
    }
  | { type: 'Config'; resourceType: number; resourceName: string; name: string; value: string | null }
  | { type: 'RemoveTopic'; topicId: string }
  | { type: 'ProducerIds'; brokerId: number; brokerEpoch: number; nextProducerId: number };

/** PartitionChange's leader value for "no leader". */
export const NO_LEADER = -1;
/** PartitionChange's leader value for "leader unchanged" (the record's default). */
export const NO_LEADER_CHANGE = -2;
