// Broker configuration: Kafka's server.properties names and defaults, read from a properties
// file and `--override key=value` pairs. Unknown keys are kept and logged (as Kafka does), so a
// Kafka server.properties can be reused; a known key with a bad value fails start-up with a
// ConfigError that names it. Derived settings (retention from ms/minutes/hours, listeners) are
// resolved here once, so the rest of the broker reads plain typed fields.

import { readFileSync } from 'node:fs';
import { ConfigError, TidelineErrorCode } from '../common/errors.js';
import { atLeast, checkedValue, INT_MAX_TEXT, LONG_MAX_TEXT, oneOf, type ConfigDef, type ConfigValue } from './config-def.js';
import { TOPIC_CONFIGS } from './topic-config.js';

const b = (name: string, type: ConfigDef['type'], defaultValue: string | null, doc: string, validate?: ConfigDef['validate']): ConfigDef => ({
  name,
  type,
  defaultValue,
  doc,
  validate,
});

export const BROKER_CONFIGS: readonly ConfigDef[] = [
  b('node.id', 'int', '1', 'this node\'s id in the cluster', atLeast(0)),
  b('process.roles', 'list', 'broker,controller', 'broker, controller, or both', oneOf('broker', 'controller')),
  b('listeners', 'string', 'PLAINTEXT://127.0.0.1:9092', 'where clients connect; port 0 picks a free port'),
  b('advertised.listeners', 'string', null, 'addresses given to clients; defaults to listeners'),
  b('listener.security.protocol.map', 'string', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT', 'listener name to security protocol'),
  b('controller.listener.names', 'string', null, 'listeners the controller quorum uses'),
  b('controller.quorum.voters', 'string', null, 'id@host:port of each controller voter'),
  b('controller.quorum.bootstrap.servers', 'string', null, 'controller endpoints to discover the quorum'),
  b('broker.rack', 'string', null, 'rack of this broker, for replica placement'),
  b('broker.session.timeout.ms', 'int', '9000', 'a broker without a heartbeat for this long is fenced', atLeast(1)),
  b('broker.heartbeat.interval.ms', 'int', '2000', 'how often a broker heartbeats to the active controller', atLeast(1)),
  b('controller.quorum.election.timeout.ms', 'int', '1000', 'a voter without a leader campaigns after this long', atLeast(1)),
  b('controller.quorum.fetch.timeout.ms', 'int', '2000', 'a follower without a successful fetch for this long seeks a new leader', atLeast(1)),
  b('controller.quorum.election.backoff.max.ms', 'int', '1000', 'largest random delay added before an election', atLeast(1)),
  b('controller.quorum.request.timeout.ms', 'int', '2000', 'an unanswered quorum request is sent again after this long', atLeast(1)),
  b('metadata.log.max.record.bytes.between.snapshots', 'long', '20971520', 'metadata bytes appended before a new snapshot', atLeast(1)),
  b('log.dirs', 'string', null, 'comma-separated data directories (falls back to log.dir)'),
  b('log.dir', 'string', './data', 'data directory when log.dirs is unset'),
  b('num.partitions', 'int', '1', 'partitions of an auto-created topic', atLeast(1)),
  b('default.replication.factor', 'int', '1', 'replication factor of an auto-created topic', atLeast(1)),
  b('auto.create.topics.enable', 'boolean', 'true', 'create a topic on first Metadata/Produce for it'),
  b('delete.topic.enable', 'boolean', 'true', 'allow DeleteTopics'),
  b('log.segment.bytes', 'int', '1073741824', 'segment size before rolling', atLeast(14)),
  b('log.roll.ms', 'long', null, 'segment age before rolling (overrides log.roll.hours)', atLeast(1)),
  b('log.roll.hours', 'int', '168', 'segment age before rolling, in hours', atLeast(1)),
  b('log.roll.jitter.ms', 'long', '0', 'jitter subtracted from the roll time', atLeast(0)),
  b('log.retention.ms', 'long', null, 'retention time (overrides minutes and hours); -1 forever', atLeast(-1)),
  b('log.retention.minutes', 'int', null, 'retention time in minutes'),
  b('log.retention.hours', 'int', '168', 'retention time in hours'),
  b('log.retention.bytes', 'long', '-1', 'retained bytes per partition; -1 no limit'),
  b('log.retention.check.interval.ms', 'long', '300000', 'how often retention runs', atLeast(1)),
  b('log.index.interval.bytes', 'int', '4096', 'bytes between offset index entries', atLeast(0)),
  b('log.index.size.max.bytes', 'int', '10485760', 'largest offset index per segment', atLeast(8)),
  b('log.flush.interval.messages', 'long', LONG_MAX_TEXT, 'fsync after this many messages', atLeast(1)),
  b('log.flush.interval.ms', 'long', null, 'fsync at least this often (default: log.flush.scheduler.interval.ms)'),
  b('log.flush.scheduler.interval.ms', 'long', LONG_MAX_TEXT, 'how often to check whether a log needs flushing'),
  b('log.flush.offset.checkpoint.interval.ms', 'int', '60000', 'how often the recovery point is checkpointed', atLeast(0)),
  b('log.message.timestamp.type', 'string', 'CreateTime', 'CreateTime or LogAppendTime', oneOf('CreateTime', 'LogAppendTime')),
  b('log.message.timestamp.before.max.ms', 'long', LONG_MAX_TEXT, 'how far in the past a timestamp may be'),
  b('log.message.timestamp.after.max.ms', 'long', LONG_MAX_TEXT, 'how far in the future a timestamp may be'),
  b('log.cleanup.policy', 'list', 'delete', 'delete or compact', oneOf('delete', 'compact')),
  b('log.cleaner.delete.retention.ms', 'long', '86400000', 'tombstone retention in compacted logs'),
  b('log.cleaner.min.cleanable.ratio', 'double', '0.5', 'dirty share that triggers compaction'),
  b('log.cleaner.min.compaction.lag.ms', 'long', '0', 'minimum age before compaction'),
  b('log.cleaner.max.compaction.lag.ms', 'long', LONG_MAX_TEXT, 'maximum age before compaction'),
  b('log.preallocate', 'boolean', 'false', 'preallocate segment files'),
  b('log.segment.delete.delay.ms', 'long', '60000', 'delay before deleting a segment file', atLeast(0)),
  b('message.max.bytes', 'int', '1048588', 'largest record batch accepted', atLeast(0)),
  b('compression.type', 'string', 'producer', 'codec the broker stores', oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer')),
  b('min.insync.replicas', 'int', '1', 'replicas that must ack an acks=all write', atLeast(1)),
  b('unclean.leader.election.enable', 'boolean', 'false', 'allow an out-of-sync replica to lead'),
  b('socket.request.max.bytes', 'int', '104857600', 'largest request frame accepted', atLeast(1)),
  b('queued.max.requests', 'int', '500', 'unanswered requests per connection before reading pauses', atLeast(1)),
  b('offsets.topic.num.partitions', 'int', '50', 'partitions of __consumer_offsets', atLeast(1)),
  b('offsets.topic.replication.factor', 'short', '3', 'replication factor of __consumer_offsets', atLeast(1)),
  b('offsets.retention.minutes', 'int', '10080', 'how long committed offsets of an empty group are kept', atLeast(1)),
  b('group.initial.rebalance.delay.ms', 'int', '3000', 'wait for more members before the first rebalance'),
  b('group.min.session.timeout.ms', 'int', '6000', 'smallest session timeout a member may ask for'),
  b('group.max.session.timeout.ms', 'int', '1800000', 'largest session timeout a member may ask for'),
  b('group.max.size', 'int', INT_MAX_TEXT, 'most members a group may have', atLeast(1)),
  b('group.consumer.session.timeout.ms', 'int', '45000', 'KIP-848 member session timeout', atLeast(1)),
  b('group.consumer.heartbeat.interval.ms', 'int', '5000', 'KIP-848 heartbeat interval given to members', atLeast(1)),
  b('group.consumer.max.size', 'int', INT_MAX_TEXT, 'most members a KIP-848 group may have', atLeast(1)),
  b('group.consumer.assignors', 'list', 'uniform,range', 'server-side assignors; the first is the default'),
  b('transaction.state.log.replication.factor', 'short', '3', 'replication factor of __transaction_state', atLeast(1)),
  b('producer.id.expiration.ms', 'int', '86400000', 'idle time after which a producer id\'s state is dropped', atLeast(1)),
  b('replica.lag.time.max.ms', 'long', '30000', 'a follower behind this long leaves the ISR'),
  b('auto.leader.rebalance.enable', 'boolean', 'true', 'move leadership back to preferred replicas when imbalanced'),
  b('leader.imbalance.check.interval.seconds', 'long', '300', 'how often the controller checks leader balance', atLeast(1)),
  b('leader.imbalance.per.broker.percentage', 'int', '10', 'share of non-preferred leaders on a broker that triggers a rebalance', atLeast(0)),
  b('replica.fetch.wait.max.ms', 'int', '500', 'longest a follower fetch waits at the leader for data', atLeast(0)),
  b('replica.fetch.min.bytes', 'int', '1', 'bytes a follower fetch waits for', atLeast(1)),
  b('replica.fetch.max.bytes', 'int', '1048576', 'bytes fetched per partition by a follower', atLeast(0)),
  b('replica.fetch.response.max.bytes', 'int', '10485760', 'bytes per follower fetch response', atLeast(0)),
  b('console.listeners', 'string', 'http://127.0.0.1:8080', 'where the web console and /metrics listen; empty turns them off; port 0 picks a free port', consoleListener),
  b('log.level', 'string', 'info', 'Tideline log level: trace, debug, info, warn, error', oneOf('trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent')),
];

/** `http://host:port` or empty (no console). One listener: the console is a single HTTP server. */
function consoleListener(v: ConfigValue): string | undefined {
  if (v === '') return undefined;
  const m = /^http:\/\/(\[[^\]]+\]|[^:/\s]+):(\d+)\/?$/.exec(String(v));
  if (m === null) return 'expected http://host:port, or empty to turn the console off';
  return Number(m[2]) > 65535 ? `port ${m[2]} is out of range` : undefined;
}

const BY_NAME = new Map(BROKER_CONFIGS.map((d) => [d.name, d]));

export function brokerConfigDef(name: string): ConfigDef | undefined {
  return BY_NAME.get(name);
}

/** Reads a Java-style .properties file: key=value or key: value, # and ! comments, \ continuations. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.replace(/\\\r?\n\s*/g, '').split(/\r?\n/);
  for (const line of lines) {
    const s = line.trim();
    if (s === '' || s.startsWith('#') || s.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(s);
    if (!m) throw new ConfigError(`cannot parse properties line "${line}"`, { code: TidelineErrorCode.CONFIG_FILE });
    out.set(m[1]!, m[2]!);
  }
  return out;
}

export class BrokerConfig {
  /** Raw values as given (file, then overrides); unset keys are absent. */
  readonly explicit: ReadonlyMap<string, string>;
  readonly unknownKeys: string[];
  private readonly values = new Map<string, ConfigValue>();

  constructor(explicit: Map<string, string>) {
    this.explicit = explicit;
    this.unknownKeys = [...explicit.keys()].filter((k) => !BY_NAME.has(k));
    for (const def of BROKER_CONFIGS) {
      this.values.set(def.name, checkedValue(def, explicit.get(def.name) ?? def.defaultValue));
    }
  }

  static load(opts: { configFile?: string; overrides?: Map<string, string> }): BrokerConfig {
    const merged = new Map<string, string>();
    if (opts.configFile) {
      let text: string;
      try {
        text = readFileSync(opts.configFile, 'utf8');
      } catch (err) {
        throw new ConfigError(`cannot read config file ${opts.configFile}`, { cause: err, code: TidelineErrorCode.CONFIG_FILE });
      }
      for (const [k, v] of parseProperties(text)) merged.set(k, v);
    }
    for (const [k, v] of opts.overrides ?? []) merged.set(k, v);
    return new BrokerConfig(merged);
  }

  get(name: string): ConfigValue {
    if (!this.values.has(name)) throw new Error(`no broker config named ${name}`);
    return this.values.get(name)!;
  }
  num(name: string): number {
    return this.get(name) as number;
  }
  str(name: string): string {
    return this.get(name) as string;
  }
  bool(name: string): boolean {
    return this.get(name) as boolean;
  }
  isExplicit(name: string): boolean {
    return this.explicit.has(name);
  }

  get nodeId(): number {
    return this.num('node.id');
  }
  get logDirs(): string[] {
    const dirs = (this.get('log.dirs') as string | null) ?? this.str('log.dir');
    return dirs.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }
  get retentionMs(): number {
    const ms = this.get('log.retention.ms') as number | null;
    if (ms !== null) return ms;
    const minutes = this.get('log.retention.minutes') as number | null;
    if (minutes !== null) return minutes < 0 ? -1 : minutes * 60_000;
    const hours = this.num('log.retention.hours');
    return hours < 0 ? -1 : hours * 3_600_000;
  }
  get rollMs(): number {
    return (this.get('log.roll.ms') as number | null) ?? this.num('log.roll.hours') * 3_600_000;
  }
  /** console.listeners as host and port; null when the console is turned off. */
  get consoleListener(): { host: string; port: number } | null {
    const m = /^http:\/\/\[?([^\]]*?)\]?:(\d+)\/?$/.exec(this.str('console.listeners'));
    return m === null ? null : { host: m[1]!, port: Number(m[2]) };
  }
  get flushMs(): number {
    return (this.get('log.flush.interval.ms') as number | null) ?? this.num('log.flush.scheduler.interval.ms');
  }

  /**
   * The broker-level value behind a topic config, as text, and whether it was set explicitly.
   * Used for topic defaults and for DescribeConfigs synonyms.
   */
  topicDefault(topicConfig: string): { value: string | null; isExplicit: boolean; synonym: string | null } {
    const def = TOPIC_CONFIGS.find((d) => d.name === topicConfig);
    if (!def) return { value: null, isExplicit: false, synonym: null };
    const synonym = def.brokerSynonym;
    if (synonym === 'log.retention.ms') return { value: String(this.retentionMs), isExplicit: this.retentionIsExplicit(), synonym };
    if (synonym === 'log.roll.ms') return { value: String(this.rollMs), isExplicit: this.isExplicit('log.roll.ms') || this.isExplicit('log.roll.hours'), synonym };
    if (synonym === 'log.flush.interval.ms') return { value: String(this.flushMs), isExplicit: this.isExplicit(synonym), synonym };
    if (synonym && this.explicit.has(synonym)) return { value: this.explicit.get(synonym)!, isExplicit: true, synonym };
    if (synonym && BY_NAME.get(synonym)?.defaultValue != null) return { value: BY_NAME.get(synonym)!.defaultValue, isExplicit: false, synonym };
    return { value: def.defaultValue, isExplicit: false, synonym };
  }

  private retentionIsExplicit(): boolean {
    return ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'].some((k) => this.isExplicit(k));
  }
}
