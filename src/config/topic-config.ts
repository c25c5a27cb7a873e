// Topic-level configs, with the broker config each one falls back to (its "synonym" in
// DescribeConfigs). A topic's effective value is: the topic override if set, else the broker's
// value for the synonym, else Kafka's default. Names and defaults follow Kafka's TopicConfig.

import { ConfigError, TidelineErrorCode } from '../common/errors.js';
import { atLeast, checkedValue, LONG_MAX_TEXT, oneOf, type ConfigDef, type ConfigValue } from './config-def.js';

export interface TopicConfigDef extends ConfigDef {
  brokerSynonym: string | null;
}

const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'];

const t = (
  name: string,
  type: ConfigDef['type'],
  defaultValue: string | null,
  brokerSynonym: string | null,
  doc: string,
  validate?: ConfigDef['validate'],
): TopicConfigDef => ({ name, type, defaultValue, brokerSynonym, doc, validate });

export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  t('cleanup.policy', 'list', 'delete', 'log.cleanup.policy', 'delete old segments, or compact by key', oneOf('delete', 'compact')),
  t('compression.type', 'string', 'producer', 'compression.type', 'codec the log stores; producer keeps what was sent', oneOf(...COMPRESSION_TYPES)),
  t('delete.retention.ms', 'long', '86400000', 'log.cleaner.delete.retention.ms', 'how long tombstones stay in a compacted log', atLeast(0)),
  t('file.delete.delay.ms', 'long', '60000', 'log.segment.delete.delay.ms', 'delay before a deleted segment file is removed', atLeast(0)),
  t('flush.messages', 'long', LONG_MAX_TEXT, 'log.flush.interval.messages', 'fsync after this many messages', atLeast(1)),
  t('flush.ms', 'long', LONG_MAX_TEXT, 'log.flush.interval.ms', 'fsync at least this often', atLeast(0)),
  t('index.interval.bytes', 'int', '4096', 'log.index.interval.bytes', 'bytes of log between offset index entries', atLeast(0)),
  t('max.compaction.lag.ms', 'long', LONG_MAX_TEXT, 'log.cleaner.max.compaction.lag.ms', 'longest a record stays uncompacted', atLeast(1)),
  t('max.message.bytes', 'int', '1048588', 'message.max.bytes', 'largest record batch the topic accepts', atLeast(0)),
  t('message.timestamp.after.max.ms', 'long', LONG_MAX_TEXT, 'log.message.timestamp.after.max.ms', 'how far in the future a timestamp may be', atLeast(0)),
  t('message.timestamp.before.max.ms', 'long', LONG_MAX_TEXT, 'log.message.timestamp.before.max.ms', 'how far in the past a timestamp may be', atLeast(0)),
  t('message.timestamp.type', 'string', 'CreateTime', 'log.message.timestamp.type', 'CreateTime or LogAppendTime', oneOf('CreateTime', 'LogAppendTime')),
  t('min.cleanable.dirty.ratio', 'double', '0.5', 'log.cleaner.min.cleanable.ratio', 'dirty share that triggers compaction'),
  t('min.compaction.lag.ms', 'long', '0', 'log.cleaner.min.compaction.lag.ms', 'shortest time a record stays uncompacted', atLeast(0)),
  t('min.insync.replicas', 'int', '1', 'min.insync.replicas', 'replicas that must ack an acks=all write', atLeast(1)),
  t('preallocate', 'boolean', 'false', 'log.preallocate', 'preallocate segment files'),
  t('retention.bytes', 'long', '-1', 'log.retention.bytes', 'size a partition may keep before old segments go; -1 no limit'),
  t('retention.ms', 'long', '604800000', 'log.retention.ms', 'age after which segments go; -1 forever', atLeast(-1)),
  t('segment.bytes', 'int', '1073741824', 'log.segment.bytes', 'segment size before a new one is rolled', atLeast(14)),
  t('segment.index.bytes', 'int', '10485760', 'log.index.size.max.bytes', 'largest offset index per segment', atLeast(8)),
  t('segment.jitter.ms', 'long', '0', 'log.roll.jitter.ms', 'random jitter subtracted from segment.ms', atLeast(0)),
  t('segment.ms', 'long', '604800000', 'log.roll.ms', 'age after which a new segment is rolled', atLeast(1)),
  t('unclean.leader.election.enable', 'boolean', 'false', 'unclean.leader.election.enable', 'allow an out-of-sync replica to lead'),
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return BY_NAME.get(name);
}

/** Validates a topic override; throws ConfigError (unknown key or bad value). */
export function validateTopicConfig(name: string, value: string | null): ConfigValue {
  const def = BY_NAME.get(name);
  if (!def) throw new ConfigError(`unknown topic config "${name}"`, { code: TidelineErrorCode.CONFIG_UNKNOWN });
  return checkedValue(def, value);
}
