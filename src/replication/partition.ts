// One partition replica hosted by this broker: its log, producer state, leadership (leader id
// and epoch, replicas, ISR) and high watermark. Consumers read below the high watermark only.
//
// With a single replica the high watermark follows the log end offset on every append; the
// replication issue makes it the minimum log end offset over the ISR. Appends notify waiters
// (delayed fetches) so long polls complete as soon as data arrives.

import type { Logger } from '../common/logger.js';
import { ErrorCode } from '../protocol/errors.js';
import type { PartitionLog } from '../storage/index.js';
import { ProducerStateTable } from '../txn/producer-state.js';
import { BASE_SEQUENCE_OFFSET, LAST_OFFSET_DELTA_OFFSET, PRODUCER_EPOCH_OFFSET, PRODUCER_ID_OFFSET, readInt64 } from '../protocol/records/batch-header.js';

export interface LeaderAndIsr {
  leaderId: number;
  leaderEpoch: number;
  partitionEpoch: number;
  replicas: number[];
  isr: number[];
}

export type AppendOutcome =
  | { errorCode: 0; baseOffset: number; logAppendTimeMs: number; isDuplicate: boolean }
  | { errorCode: number; message: string };

export interface BatchForAppend {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
}

export class Partition {
  readonly producers = new ProducerStateTable();
  private readonly appendWaiters = new Set<() => void>();
  state: LeaderAndIsr;
  highWatermark: number;

  constructor(
    readonly topic: string,
    readonly topicId: string,
    readonly index: number,
    readonly log: PartitionLog,
    state: LeaderAndIsr,
    private readonly localBrokerId: number,
    private readonly logger: Logger,
    nowMs: number,
  ) {
    this.state = state;
    this.highWatermark = log.logEndOffset;
    log.highWatermark = this.highWatermark;
    this.rebuildProducerState(nowMs);
  }

  get isLeader(): boolean {
    return this.state.leaderId === this.localBrokerId;
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  /**
   * Appends one validated batch as leader: checks idempotence sequencing, assigns offsets,
   * writes, advances the high watermark and wakes delayed fetches.
   */
  appendAsLeader(batch: Buffer, info: BatchForAppend, nowMs: number, logAppendTime: boolean): AppendOutcome {
    const check = this.producers.check(info);
    if (check.kind === 'error') return { errorCode: check.errorCode, message: check.message };
    if (check.kind === 'duplicate') {
      return { errorCode: ErrorCode.NONE, baseOffset: check.firstOffset, logAppendTimeMs: -1, isDuplicate: true };
    }
    const appended = this.log.appendAsLeader(batch, this.state.leaderEpoch, nowMs, { logAppendTime });
    this.producers.update(info, appended.firstOffset, nowMs);
    this.advanceHighWatermark();
    return { errorCode: ErrorCode.NONE, baseOffset: appended.firstOffset, logAppendTimeMs: appended.logAppendTimeMs, isDuplicate: false };
  }

  /** Single replica: everything written is committed. Replication replaces this with the ISR minimum. */
  private advanceHighWatermark(): void {
    const candidate = this.state.isr.length <= 1 ? this.log.logEndOffset : this.highWatermark;
    if (candidate > this.highWatermark) {
      this.highWatermark = candidate;
      this.log.highWatermark = candidate; // retention and DeleteRecords never pass it
      this.notifyAppend();
    }
  }

  onAppend(waiter: () => void): () => void {
    this.appendWaiters.add(waiter);
    return () => this.appendWaiters.delete(waiter);
  }

  private notifyAppend(): void {
    if (this.appendWaiters.size === 0) return;
    const waiters = [...this.appendWaiters];
    this.appendWaiters.clear();
    for (const w of waiters) w();
  }

  /** DeleteRecords: moves the log start offset; never past the high watermark. */
  deleteRecordsBefore(offset: number): { errorCode: number; lowWatermark: number } {
    const target = offset === -1 ? this.highWatermark : offset;
    if (target < 0 || target > this.highWatermark) {
      return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: this.log.logStartOffset };
    }
    if (target > this.log.logStartOffset) this.log.deleteRecordsBefore(target);
    return { errorCode: ErrorCode.NONE, lowWatermark: this.log.logStartOffset };
  }

  /** Producer state is rebuilt from batch headers on start-up: no record is decoded. */
  private rebuildProducerState(nowMs: number): void {
    let batches = 0;
    this.log.scanBatchHeaders(this.log.logStartOffset, (buf, pos) => {
      const producerId = readInt64(buf, pos + PRODUCER_ID_OFFSET);
      if (producerId < 0) return;
      batches++;
      const info = {
        producerId,
        producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH_OFFSET),
        baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE_OFFSET),
        lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET),
      };
      this.producers.update(info, readInt64(buf, pos), nowMs);
    });
    if (batches > 0) {
      this.logger.debug({ topic: this.topic, partition: this.index, producers: this.producers.size, batches }, 'producer state rebuilt');
    }
  }
}
