// The public face of src/protocol/records: RecordBatch v2 header layout, per-batch validation and
// in-place patching for the hot path, record decoding and batch building for the places that look
// inside, compression codecs, and control records. Other folders import from here only.

export * from './batch-header.js';
export {
  CompressionCodec,
  type CompressionCodecValue,
  DECOMPRESSED_BYTES_MAX_DEFAULT,
  codecName,
  compress,
  decompress,
  isCompressionCodec,
} from './compression.js';
export {
  type BatchPosition,
  type ProduceLimits,
  type RecordsError,
  type ValidatedBatch,
  batchCrc,
  isRecordsError,
  iterateBatches,
  readValidatedHeader,
  validateBatchAt,
  validateProducedRecords,
} from './validate.js';
export { setBaseOffset, setLogAppendTime, setPartitionLeaderEpoch } from './patch.js';
export {
  type BatchHeaderInfo,
  type DecodeOptions,
  type DecodedBatch,
  type DecodedRecord,
  type RecordHeader,
  decodeRecords,
} from './record.js';
export { type BuildBatchOptions, type RecordInput, buildBatch } from './builder.js';
export {
  ControlRecordType,
  type ControlRecordTypeValue,
  type EndTxnMarkerOptions,
  buildEndTxnMarkerBatch,
  controlRecordKey,
  endTxnMarkerValue,
  readControlRecordType,
  readEndTxnMarker,
} from './control.js';
