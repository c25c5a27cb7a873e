// `tideline consume TOPIC --group G`: a classic-protocol member of consumer group G, through
// @platformatic/kafka (the project's own client has no group membership yet; see
// docs/decisions/0004). The member joins, reads the partitions the group assigns it from the
// group's committed offsets (or the log start/end when it has none), prints records, and leaves
// the group when it stops: after --max-messages, after --timeout-ms without a record, or on
// SIGINT/SIGTERM.
//
// Offsets are committed by this file, not by the client's autocommit, which commits what it has
// fetched rather than what was printed: every 5 s (Kafka's auto.commit.interval.ms), when the
// coordinator announces a rebalance, and once more before leaving, each time the offset after the
// last printed record of every partition still assigned. So a restarted member resumes right after
// what was printed. Delivery is at least once: records printed after the last commit that landed
// before a partition moved are printed again by its next owner.

import { Consumer, type Message } from '@platformatic/kafka';
import type { ConsumedRecord } from '../client/index.js';
import { formatRecord } from './format.js';
import type { ConsumeCommand } from './consume-args.js';
import type { CliOutput } from './groups.js';

/** Kafka's auto.commit.interval.ms default. */
const COMMIT_INTERVAL_MS = 5_000;
/**
 * Shorter than Kafka's 45 s session: a console member killed without leaving frees its partitions
 * within seconds. 6 s is group.min.session.timeout.ms, the least a broker accepts.
 */
const SESSION_TIMEOUT_MS = 10_000;
const HEARTBEAT_INTERVAL_MS = 1_000;
const REBALANCE_TIMEOUT_MS = 30_000;
const FETCH_WAIT_MAX_MS = 500;

type RawMessage = Message<Buffer | undefined, Buffer | undefined, Buffer, Buffer | undefined>;
/** 'output-closed': stdout's reader went away (`| head`); what was printed since the last commit may be unread. */
type StopReason = 'done' | 'signal' | 'output-closed' | Error;

export async function consumeInGroup(command: ConsumeCommand, groupId: string, out: CliOutput): Promise<number> {
  const consumer = new Consumer<Buffer | undefined, Buffer | undefined, Buffer, Buffer | undefined>({
    clientId: 'tideline-consume',
    bootstrapBrokers: command.bootstrap.split(','),
    groupId,
    sessionTimeout: SESSION_TIMEOUT_MS,
    heartbeatInterval: HEARTBEAT_INTERVAL_MS,
    rebalanceTimeout: REBALANCE_TIMEOUT_MS,
    // A JoinGroup may rightly wait up to the rebalance timeout for the other members.
    timeout: Math.max(command.timeoutMs, REBALANCE_TIMEOUT_MS + 5_000),
    // As the demo's members: a rebalance under load can take a few attempts.
    retries: 10,
    retryDelay: 250,
  });
  const member = new GroupMember(consumer, command, out);
  const onSignal = (): void => member.stop('signal');
  const onOutputError = (err: NodeJS.ErrnoException): void => member.stop(err.code === 'EPIPE' ? 'output-closed' : err);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stdout.on('error', onOutputError);
  try {
    const reason = await member.run();
    if (reason instanceof Error) {
      out.stderr(`tideline consume: the group consumer failed: ${reason.message}\n  check the broker is healthy and run the command again; the group resumes from its last commit.\n`);
      return 1;
    }
    return 0;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.stdout.removeListener('error', onOutputError);
  }
}

class GroupMember {
  private printed = 0;
  private lastRecordAt = Date.now();
  /** Per partition, the offset after the last printed record: what a commit stores. */
  private readonly nextOffsets = new Map<number, number>();
  private readonly committed = new Map<number, number>();
  private stopped: ((reason: StopReason) => void) | undefined;
  private stopReason: StopReason | undefined;
  private committing: Promise<void> = Promise.resolve();

  constructor(
    private readonly consumer: Consumer<Buffer | undefined, Buffer | undefined, Buffer, Buffer | undefined>,
    private readonly command: ConsumeCommand,
    private readonly out: CliOutput,
  ) {}

  stop(reason: StopReason): void {
    if (this.stopReason !== undefined) return;
    this.stopReason = reason;
    this.stopped?.(reason);
  }

  async run(): Promise<StopReason> {
    const { command, consumer } = this;
    const finished = new Promise<StopReason>((resolve) => {
      this.stopped = resolve;
    });
    if (this.stopReason !== undefined) this.stopped!(this.stopReason);
    const timers: NodeJS.Timeout[] = [];
    // The client emits 'error' when rejoining the group failed through all its retries; without
    // a listener that would crash the process.
    consumer.on('error', (err: Error) => this.stop(err));
    try {
      const stream = await Promise.race([
        consumer.consume({
          topics: [command.topic],
          mode: 'committed',
          fallbackMode: command.startAt === 'earliest' ? 'earliest' : 'latest',
          autocommit: false,
          maxWaitTime: FETCH_WAIT_MAX_MS,
        }),
        finished,
      ]);
      if (typeof stream === 'string' || stream instanceof Error) return await this.leave(stream);
      this.lastRecordAt = Date.now();
      stream.on('data', (message: RawMessage) => this.onMessage(message));
      stream.on('error', (err: Error) => this.stop(err));
      consumer.on('consumer:group:join', () => this.forgetRevoked());
      // The coordinator wants the group to rejoin: commit now, while this generation still holds
      // its partitions, so their next owner starts after what was printed here.
      consumer.on('consumer:group:rebalance', () => this.commit());
      if (command.isCommitting) timers.push(setInterval(() => this.commit(), COMMIT_INTERVAL_MS));
      if (command.idleTimeoutMs !== null) timers.push(setInterval(() => this.checkIdle(), Math.min(200, command.idleTimeoutMs)));
      const reason = await finished;
      stream.pause();
      await stream.close().catch((err: unknown) => this.note('closing the stream failed', err));
      return await this.leave(reason);
    } catch (err) {
      return await this.leave(err instanceof Error ? err : new Error(String(err)));
    } finally {
      for (const timer of timers) clearInterval(timer);
    }
  }

  private onMessage(message: RawMessage): void {
    if (this.stopReason !== undefined) return;
    const partition = message.partition;
    const offset = Number(message.offset);
    // A record of a partition the group has moved elsewhere belongs to its new owner; one below
    // the printed position is a re-fetch after a rebalance reset the stream to the commit.
    if (!this.assigned().has(partition)) return;
    if (offset < (this.nextOffsets.get(partition) ?? -1)) return;
    this.out.stdout(formatRecord(toConsumedRecord(message), this.command.format));
    this.nextOffsets.set(partition, offset + 1);
    this.printed++;
    this.lastRecordAt = Date.now();
    if (this.command.maxMessages !== null && this.printed >= this.command.maxMessages) this.stop('done');
  }

  private assigned(): Set<number> {
    return new Set(this.consumer.assignments?.find((a) => a.topic === this.command.topic)?.partitions ?? []);
  }

  private forgetRevoked(): void {
    const assigned = this.assigned();
    for (const partition of [...this.nextOffsets.keys()]) {
      if (assigned.has(partition)) continue;
      this.nextOffsets.delete(partition);
      this.committed.delete(partition);
    }
  }

  private checkIdle(): void {
    if (Date.now() - this.lastRecordAt >= this.command.idleTimeoutMs!) this.stop('done');
  }

  /** Commits, one at a time, the printed positions of assigned partitions not yet committed. */
  private commit(): Promise<void> {
    if (!this.command.isCommitting) return Promise.resolve();
    this.committing = this.committing.then(async () => {
      const assigned = this.assigned();
      const due = [...this.nextOffsets].filter(([p, offset]) => assigned.has(p) && this.committed.get(p) !== offset);
      if (due.length === 0) return;
      try {
        await this.consumer.commit({ offsets: due.map(([partition, offset]) => ({ topic: this.command.topic, partition, offset: BigInt(offset), leaderEpoch: -1 })) });
        for (const [partition, offset] of due) this.committed.set(partition, offset);
      } catch (err) {
        // During a rebalance the coordinator refuses commits of the old generation; the next
        // interval (or the final commit) tries again with the new one.
        if (this.stopReason !== undefined) this.note('the last offset commit failed; the group will re-read from its previous commit', err);
      }
    });
    return this.committing;
  }

  /** Commits what was printed, then leaves the group (LeaveGroup) so the rest rebalance at once. */
  private async leave(reason: StopReason): Promise<StopReason> {
    if (this.stopReason === undefined) this.stopReason = reason;
    // Records written to a reader that is gone may not have been read: leave them uncommitted.
    if (reason !== 'output-closed') await this.commit();
    try {
      // After a failure the coordinator may be unreachable: close without waiting out the retries.
      await this.consumer.close(reason instanceof Error);
    } catch (err) {
      this.note('leaving the group failed; its other members rebalance after the session timeout', err);
      await new Promise<void>((resolve) => this.consumer.close(true, () => resolve()));
    }
    return reason;
  }

  private note(what: string, err: unknown): void {
    this.out.stderr(`tideline consume: ${what}: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

function toConsumedRecord(message: RawMessage): ConsumedRecord {
  return {
    topic: message.topic,
    partition: message.partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    key: message.key ?? null,
    value: message.value ?? null,
    headers: [...message.headers].map(([key, value]) => ({ key: key.toString('utf8'), value: value ?? null })),
  };
}
