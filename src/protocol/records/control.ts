// Control records: the single record of a control batch (attributes bit 5). Its key is an int16
// version (0) and an int16 type; for transaction markers (ABORT, COMMIT) the value is an int16
// version (0) and the int32 coordinator epoch, as Kafka's ControlRecordType and
// EndTransactionMarker define them. Types 2-6 belong to the KRaft metadata log, whose values
// are schema-defined messages (LeaderChangeMessage, SnapshotHeaderRecord, ...) that raft/ encodes.

import { ErrorCode, KafkaError } from '../errors.js';
import { buildBatch } from './builder.js';

export const ControlRecordType = {
  ABORT: 0,
  COMMIT: 1,
  LEADER_CHANGE: 2,
  SNAPSHOT_HEADER: 3,
  SNAPSHOT_FOOTER: 4,
  KRAFT_VERSION: 5,
  KRAFT_VOTERS: 6,
} as const;

export type ControlRecordTypeValue = (typeof ControlRecordType)[keyof typeof ControlRecordType];

const CONTROL_KEY_VERSION = 0;
const CONTROL_KEY_SIZE = 4;
const END_TXN_MARKER_VERSION = 0;
const END_TXN_MARKER_SIZE = 6;

export function controlRecordKey(type: ControlRecordTypeValue): Buffer {
  const key = Buffer.alloc(CONTROL_KEY_SIZE);
  key.writeInt16BE(CONTROL_KEY_VERSION, 0);
  key.writeInt16BE(type, 2);
  return key;
}

/** The type in a control record's key; an unknown type is returned as is, for the caller to skip. */
export function readControlRecordType(key: Buffer | null): number {
  if (key === null || key.length < CONTROL_KEY_SIZE) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `control record key of ${key?.length ?? 'null'} bytes`);
  }
  return key.readInt16BE(2);
}

export function endTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.alloc(END_TXN_MARKER_SIZE);
  value.writeInt16BE(END_TXN_MARKER_VERSION, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/** The coordinator epoch of a transaction marker's value. Later versions may append fields. */
export function readEndTxnMarker(value: Buffer | null): { coordinatorEpoch: number } {
  if (value === null || value.length < END_TXN_MARKER_SIZE) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `transaction marker value of ${value?.length ?? 'null'} bytes`);
  }
  return { coordinatorEpoch: value.readInt32BE(2) };
}

export interface EndTxnMarkerOptions {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  isCommit: boolean;
  timestamp: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
}

/** The control batch a partition leader appends to end a transaction (WriteTxnMarkers). */
export function buildEndTxnMarkerBatch(options: EndTxnMarkerOptions): Buffer {
  const type = options.isCommit ? ControlRecordType.COMMIT : ControlRecordType.ABORT;
  return buildBatch({
    baseOffset: options.baseOffset ?? 0,
    partitionLeaderEpoch: options.partitionLeaderEpoch,
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    isTransactional: true,
    isControl: true,
    records: [
      { key: controlRecordKey(type), value: endTxnMarkerValue(options.coordinatorEpoch), timestamp: options.timestamp },
    ],
  });
}
