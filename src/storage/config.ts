// Per-partition log settings, named after Kafka's topic configs and defaulting as Kafka does.
// Parsing `segment.bytes` and friends from properties happens where config is parsed; this file
// holds only the typed shape. "Never" is Number.MAX_SAFE_INTEGER, standing in for Long.MAX_VALUE.

export interface LogConfig {
  /** segment.bytes: roll once the active segment would grow past this. */
  segmentBytes: number;
  /** segment.ms: roll once the active segment's records span this long. */
  segmentMs: number;
  /** retention.ms: delete segments whose newest record is older; -1 keeps them forever. */
  retentionMs: number;
  /** retention.bytes: delete the oldest segments while the partition is larger; -1 for no limit. */
  retentionBytes: number;
  /** index.interval.bytes: log bytes between two sparse index entries. */
  indexIntervalBytes: number;
  /** segment.index.bytes: the most an index may hold before the segment rolls. */
  segmentIndexBytes: number;
  /** flush.messages: fdatasync once this many messages are unflushed. */
  flushMessages: number;
  /** flush.ms: fdatasync once the last flush is this old. */
  flushMs: number;
  /** file.delete.delay.ms: how long a deleted segment's files linger as `.deleted`. */
  fileDeleteDelayMs: number;
}

export const NEVER = Number.MAX_SAFE_INTEGER;

export const defaultLogConfig: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  indexIntervalBytes: 4096,
  segmentIndexBytes: 10 * 1024 * 1024,
  flushMessages: NEVER,
  flushMs: NEVER,
  fileDeleteDelayMs: 60_000,
});
