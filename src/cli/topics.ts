// `tideline topics …`, a kafka-topics.sh for Tideline (and any Kafka cluster): list, create,
// describe, delete, alter a topic's configs, add partitions. Describe shows what kafka-topics
// shows (leader, replicas, ISR per partition; topic id; the topic's own config overrides) plus
// each partition's log start and end offsets. Exit codes: 0 done; 1 a Kafka or connection error,
// including a topic that does not exist; 2 a usage error. Output to stdout, errors to stderr.

import type { KafkaAdmin, TopicMetadata } from '../client/index.js';
import { ErrorCode } from '../protocol/errors.js';
import { processOutput, withAdmin } from './admin-run.js';
import { formatJson, formatTable } from './format.js';
import type { CliOutput } from './groups.js';
import { TOPICS_USAGE, parseTopicsArgs, type TopicsCommand } from './topics-args.js';

type Command<K extends TopicsCommand['kind']> = Extract<TopicsCommand, { kind: K }>;

export async function runTopics(args: readonly string[], out: CliOutput = processOutput): Promise<number> {
  const command = parseTopicsArgs(args);
  if (command.kind === 'help') {
    out.stdout(TOPICS_USAGE);
    return 0;
  }
  return withAdmin(`topics ${command.kind}`, command, out, async (admin) => {
    switch (command.kind) {
      case 'list':
        return listTopics(admin, command, out);
      case 'create':
        await admin.createTopics([{
          name: command.topic,
          ...(command.partitions === undefined ? {} : { numPartitions: command.partitions }),
          ...(command.replicationFactor === undefined ? {} : { replicationFactor: command.replicationFactor }),
          configs: command.configs,
        }]);
        out.stdout(`Created topic ${command.topic}.\n`);
        return 0;
      case 'describe':
        return describeTopic(admin, command, out);
      case 'delete':
        await admin.deleteTopics([command.topic]);
        out.stdout(`Deleted topic ${command.topic}.\n`);
        return 0;
      case 'alter-config':
        await admin.alterTopicConfigs(command.topic, [
          ...Object.entries(command.sets).map(([name, value]) => ({ name, op: 'set' as const, value })),
          ...command.deletes.map((name) => ({ name, op: 'delete' as const })),
        ]);
        out.stdout(`Altered configs of topic ${command.topic}.\n`);
        return 0;
      default:
        await admin.createPartitions(command.topic, command.partitions);
        out.stdout(`Topic ${command.topic} now has ${command.partitions} partitions.\n`);
        return 0;
    }
  });
}

async function listTopics(admin: KafkaAdmin, command: Command<'list'>, out: CliOutput): Promise<number> {
  const metadata = await admin.metadata(null);
  const names = metadata.topics
    .filter((t) => command.isInternalIncluded || !t.isInternal)
    .map((t) => t.name)
    .sort();
  out.stdout(command.isJson ? formatJson(names) : names.map((n) => `${n}\n`).join(''));
  return 0;
}

export interface PartitionRow {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  logStartOffset: number;
  logEndOffset: number;
}

export interface TopicDescription {
  topic: string;
  topicId: string;
  partitionCount: number;
  replicationFactor: number;
  configs: Record<string, string | null>;
  partitions: PartitionRow[];
}

async function describeTopic(admin: KafkaAdmin, command: Command<'describe'>, out: CliOutput): Promise<number> {
  const topic = (await admin.metadata([command.topic])).topics.find((t) => t.name === command.topic);
  if (topic === undefined || topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
    out.stderr(`tideline topics describe: topic '${command.topic}' does not exist; \`tideline topics list\` shows the topics there are.\n`);
    return 1;
  }
  const description = await describeFully(admin, topic);
  out.stdout(command.isJson ? formatJson(description) : formatDescription(description));
  return 0;
}

async function describeFully(admin: KafkaAdmin, topic: TopicMetadata): Promise<TopicDescription> {
  const queries = (spec: 'earliest' | 'latest') => topic.partitions.map((p) => ({ topic: topic.name, partition: p.partition, spec }));
  const [earliest, latest, configs] = await Promise.all([
    admin.listOffsets(queries('earliest')),
    admin.listOffsets(queries('latest')),
    admin.describeConfigs('topic', topic.name),
  ]);
  return {
    topic: topic.name,
    topicId: topic.topicId,
    partitionCount: topic.partitions.length,
    replicationFactor: topic.partitions[0]?.replicaNodes.length ?? 0,
    // As kafka-topics --describe: only the topic's own overrides, not inherited defaults.
    configs: Object.fromEntries(configs.filter((c) => c.source === 'DYNAMIC_TOPIC_CONFIG').map((c) => [c.name, c.isSensitive ? null : c.value])),
    partitions: topic.partitions.map((p, i) => ({
      partition: p.partition,
      leader: p.leaderId,
      replicas: p.replicaNodes,
      isr: p.isrNodes,
      logStartOffset: earliest[i]!.offset,
      logEndOffset: latest[i]!.offset,
    })),
  };
}

export function formatDescription(d: TopicDescription): string {
  const configs = Object.entries(d.configs).map(([k, v]) => `${k}=${v ?? '(sensitive)'}`).join(',');
  const head = `Topic: ${d.topic}\tTopicId: ${d.topicId}\tPartitionCount: ${d.partitionCount}\tReplicationFactor: ${d.replicationFactor}\tConfigs: ${configs}\n`;
  const rows = d.partitions.map((p) => [p.partition, p.leader < 0 ? 'none' : p.leader, p.replicas.join(','), p.isr.join(','), p.logStartOffset, p.logEndOffset]);
  return head + formatTable(['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOG-START-OFFSET', 'LOG-END-OFFSET'], rows);
}
