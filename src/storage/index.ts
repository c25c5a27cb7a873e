// The storage layer's public face: the partition log, the broker's log manager, their config and
// errors, and the file-system seam a fault-injecting implementation replaces.

export { defaultLogConfig, NEVER, type LogConfig } from './config.js';
export {
  CorruptRecordError,
  OffsetOutOfRangeError,
  RecordBatchTooLargeError,
  StorageRequestError,
  UnexpectedAppendOffsetError,
} from './errors.js';
export { nodeStorageFs, type SegmentFile, type StorageFs } from './file.js';
export type { EpochEntry } from './checkpoint.js';
export { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type EpochEndOffset } from './leader-epoch-cache.js';
export type { FoundBatch } from './log-search.js';
export type { ReadResult } from './log-read.js';
export { parsePartitionDirName, partitionDirName } from './partition-dir.js';
export {
  PartitionLog,
  type AppendResult,
  type LeaderAppendResult,
  type LeaderEpochs,
  type PartitionLogOptions,
  type RetentionResult,
} from './partition-log.js';
export { LogManager, type LogManagerOptions } from './log-manager.js';
