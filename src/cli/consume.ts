// `tideline consume TOPIC`: without --group, fetches straight from each partition's leader and
// prints each record's value (or a JSON line) in offset order per partition; with --group it hands
// over to consume-group.ts, a member of that consumer group. It runs until
// --max-messages records were printed, until no record arrived for --timeout-ms, or forever.
// Each round is one long-poll fetch of every partition; records of one partition print in order,
// and partitions print in partition order within a round. Exit codes: 0; 1 Kafka or connection
// error (an unknown topic or partition, an offset out of range); 2 usage.

import type { FetchPosition, KafkaAdmin } from '../client/index.js';
import { ErrorCode } from '../protocol/errors.js';
import { processOutput, withAdmin } from './admin-run.js';
import { CONSUME_USAGE, parseConsumeArgs, type ConsumeCommand } from './consume-args.js';
import { formatRecord } from './format.js';
import type { CliOutput } from './groups.js';

/** The longest the broker may hold a fetch that has nothing to return. */
const FETCH_WAIT_MAX_MS = 500;
const FETCH_LIMITS = { minBytes: 1, maxBytes: 50 * 1024 * 1024, partitionMaxBytes: 1024 * 1024 };

export async function runConsume(args: readonly string[], out: CliOutput = processOutput): Promise<number> {
  const command = parseConsumeArgs(args);
  if (command.kind === 'help') {
    out.stdout(CONSUME_USAGE);
    return 0;
  }
  return withAdmin('consume', command, out, async (admin) => {
    const topic = (await admin.metadata([command.topic])).topics.find((t) => t.name === command.topic);
    if (topic === undefined || topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      out.stderr(`tideline consume: topic '${command.topic}' does not exist; \`tideline topics list\` shows the topics there are.\n`);
      return 1;
    }
    // Loaded only here: the group client is a sizeable import that plain reads need not wait for.
    if (command.groupId !== null) return (await import('./consume-group.js')).consumeInGroup(command, command.groupId, out);
    const partitions = topic.partitions.map((p) => p.partition).filter((p) => command.partition === null || p === command.partition);
    if (partitions.length === 0) {
      out.stderr(`tideline consume: topic '${command.topic}' has no partition ${command.partition}; \`tideline topics describe ${command.topic}\` shows its partitions.\n`);
      return 1;
    }
    const positions = await startPositions(admin, command, partitions);
    await consumeLoop(admin, command, positions, out);
    return 0;
  });
}

async function startPositions(admin: KafkaAdmin, command: ConsumeCommand, partitions: number[]): Promise<FetchPosition[]> {
  const { startAt, topic } = command;
  if (typeof startAt === 'object') return partitions.map((partition) => ({ topic, partition, fetchOffset: startAt.offset }));
  const listed = await admin.listOffsets(partitions.map((partition) => ({ topic, partition, spec: startAt })));
  return listed.map((l) => ({ topic, partition: l.partition, fetchOffset: l.offset }));
}

async function consumeLoop(admin: KafkaAdmin, command: ConsumeCommand, positions: FetchPosition[], out: CliOutput): Promise<void> {
  let printed = 0;
  let lastRecordAt = Date.now();
  for (;;) {
    const idleLeftMs = command.idleTimeoutMs === null ? Infinity : command.idleTimeoutMs - (Date.now() - lastRecordAt);
    if (idleLeftMs <= 0) return;
    const maxWaitMs = Math.max(0, Math.min(FETCH_WAIT_MAX_MS, idleLeftMs));
    const fetched = await admin.fetch(positions, { ...FETCH_LIMITS, maxWaitMs });
    const lines: string[] = [];
    for (const f of [...fetched].sort((a, b) => a.partition - b.partition)) {
      for (const record of f.records) {
        if (command.maxMessages !== null && printed >= command.maxMessages) break;
        lines.push(formatRecord(record, command.format));
        printed++;
      }
    }
    positions = fetched.map((f) => ({ topic: f.topic, partition: f.partition, fetchOffset: f.nextOffset }));
    if (lines.length > 0) {
      out.stdout(lines.join(''));
      lastRecordAt = Date.now();
    }
    if (command.maxMessages !== null && printed >= command.maxMessages) return;
  }
}
