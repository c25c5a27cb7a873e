// `tideline produce TOPIC`: one record per stdin line, written in batches, exiting once stdin
// ends and every batch is acknowledged (or, with acks=0, flushed). Records keep stdin order
// within a partition because one produce request is in flight at a time; a batch goes out when
// it is full or when stdin has been quiet for a moment (so interactive typing is sent at once).
// A keyed record goes where Kafka's default partitioner puts it (murmur2); keyless records stick
// to one partition per batch (KIP-480). Exit codes: 0, 1 Kafka/connection error, 2 usage.

import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { partitionForKey, type KafkaAdmin } from '../client/index.js';
import { ErrorCode } from '../protocol/errors.js';
import { buildBatch, type RecordInput } from '../protocol/records/index.js';
import { processOutput, withAdmin } from './admin-run.js';
import type { CliOutput } from './groups.js';
import { PRODUCE_USAGE, parseProduceArgs, type ProduceCommand } from './produce-args.js';

/** How long stdin may be quiet before a partial batch is sent. */
const LINGER_MS = 50;

export async function runProduce(args: readonly string[], out: CliOutput = processOutput, input: Readable = process.stdin): Promise<number> {
  const command = parseProduceArgs(args);
  if (command.kind === 'help') {
    out.stdout(PRODUCE_USAGE);
    return 0;
  }
  return withAdmin('produce', command, out, async (admin) => {
    const topic = (await admin.metadata([command.topic])).topics.find((t) => t.name === command.topic);
    if (topic === undefined || topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      out.stderr(`tideline produce: topic '${command.topic}' does not exist; create it with \`tideline topics create ${command.topic}\`.\n`);
      return 1;
    }
    const partitionCount = topic.partitions.length;
    if (command.partition !== null && command.partition >= partitionCount) {
      out.stderr(`tideline produce: topic '${command.topic}' has ${partitionCount} partitions; --partition ${command.partition} is not one of them.\n`);
      return 1;
    }
    const producer = new LineProducer(admin, command, partitionCount);
    await producer.run(input);
    return 0;
  });
}

/** A record waiting for its batch, already assigned to a partition. */
interface Pending {
  partition: number;
  record: RecordInput;
}

class LineProducer {
  private pending: Pending[] = [];
  private stickyPartition: number;
  private sending: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(
    private readonly admin: KafkaAdmin,
    private readonly command: ProduceCommand,
    private readonly partitionCount: number,
  ) {
    this.stickyPartition = Math.floor(Math.random() * partitionCount);
  }

  async run(input: Readable): Promise<void> {
    const lines = createInterface({ input, crlfDelay: Infinity });
    let timer: NodeJS.Timeout | undefined;
    for await (const line of lines) {
      if (this.failure !== undefined) break;
      this.pending.push(this.toPending(line));
      clearTimeout(timer);
      if (this.pending.length >= this.command.batchSize) this.flush();
      else timer = setTimeout(() => this.flush(), LINGER_MS);
    }
    clearTimeout(timer);
    this.flush();
    await this.sending;
    if (this.failure !== undefined) throw this.failure;
  }

  private toPending(line: string): Pending {
    const { keySeparator, headers } = this.command;
    const at = keySeparator === null ? -1 : line.indexOf(keySeparator);
    const key = at < 0 ? null : Buffer.from(line.slice(0, at), 'utf8');
    const value = at < 0 ? line : line.slice(at + keySeparator!.length);
    const partition = this.command.partition ?? (key !== null ? partitionForKey(key, this.partitionCount) : this.stickyPartition);
    return { partition, record: { key, value, headers, timestamp: Date.now() } };
  }

  /** Queues the pending records as one request (one batch per partition) behind any in flight. */
  private flush(): void {
    if (this.pending.length === 0) return;
    const records = this.pending;
    this.pending = [];
    this.stickyPartition = (this.stickyPartition + 1) % this.partitionCount;
    this.sending = this.sending.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await this.send(records);
      } catch (err) {
        this.failure = err instanceof Error ? err : new Error(String(err));
      }
    });
  }

  private async send(records: readonly Pending[]): Promise<void> {
    const byPartition = new Map<number, RecordInput[]>();
    for (const { partition, record } of records) {
      const list = byPartition.get(partition);
      if (list === undefined) byPartition.set(partition, [record]);
      else list.push(record);
    }
    const batches = [...byPartition].map(([partition, list]) => ({ partition, batch: buildBatch({ records: list, compression: this.command.compression }) }));
    await this.admin.produce(this.command.topic, batches, this.command.acks);
  }
}
