// Per-partition producer state for idempotent produce (KIP-98): for each producer id, its
// current epoch and the last few batches it wrote (sequence range and offsets). Pure: no I/O,
// no clock but the `nowMs` it is given.
//
// A batch is checked before it is appended:
// - a batch equal (first and last sequence) to one of the cached ones is a retry: it is
//   acknowledged with the offsets it got the first time and not appended again;
// - an older epoch is fenced (INVALID_PRODUCER_EPOCH); a newer epoch must start at sequence 0;
// - otherwise the first sequence must follow the last one written (wrapping at 2^31-1), else
//   OUT_OF_ORDER_SEQUENCE_NUMBER. A producer the partition does not know yet may start at any
//   sequence, as Kafka allows after its state has expired.
// Kafka keeps the last five batches because a producer has at most five in flight.

import { ErrorCode } from '../protocol/errors.js';

export const CACHED_BATCHES_PER_PRODUCER = 5;
const INT32_MAX = 2147483647;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  timestampMs: number;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchMetadata[]; // oldest first, at most CACHED_BATCHES_PER_PRODUCER
  lastTimestampMs: number;
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; firstOffset: number; lastOffset: number; timestampMs: number }
  | { kind: 'error'; errorCode: number; message: string };

export interface ProducedBatchInfo {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
}

export class ProducerStateTable {
  private readonly producers = new Map<number, ProducerEntry>();

  get size(): number {
    return this.producers.size;
  }

  check(b: ProducedBatchInfo): SequenceCheck {
    if (b.producerId < 0) return { kind: 'append' };
    const entry = this.producers.get(b.producerId);
    if (!entry) return { kind: 'append' };
    if (b.producerEpoch < entry.epoch) {
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `producer ${b.producerId} epoch ${b.producerEpoch} is older than ${entry.epoch}`,
      };
    }
    const lastSeq = lastSequenceOf(b);
    if (b.producerEpoch === entry.epoch) {
      const dup = entry.batches.find((x) => x.firstSeq === b.baseSequence && x.lastSeq === lastSeq);
      if (dup) return { kind: 'duplicate', firstOffset: dup.firstOffset, lastOffset: dup.lastOffset, timestampMs: dup.timestampMs };
      const last = entry.batches[entry.batches.length - 1];
      if (last && b.baseSequence !== nextSequence(last.lastSeq)) {
        return {
          kind: 'error',
          errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          message: `producer ${b.producerId}: expected sequence ${nextSequence(last.lastSeq)}, got ${b.baseSequence}`,
        };
      }
      return { kind: 'append' };
    }
    if (b.baseSequence !== 0) {
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `producer ${b.producerId}: new epoch ${b.producerEpoch} must start at sequence 0, got ${b.baseSequence}`,
      };
    }
    return { kind: 'append' };
  }

  /** Records a batch that was appended at [firstOffset, lastOffset]. */
  update(b: ProducedBatchInfo, firstOffset: number, nowMs: number): void {
    if (b.producerId < 0) return;
    let entry = this.producers.get(b.producerId);
    if (!entry || b.producerEpoch > entry.epoch) {
      entry = { epoch: b.producerEpoch, batches: [], lastTimestampMs: nowMs };
      this.producers.set(b.producerId, entry);
    }
    entry.batches.push({
      firstSeq: b.baseSequence,
      lastSeq: lastSequenceOf(b),
      firstOffset,
      lastOffset: firstOffset + b.lastOffsetDelta,
      timestampMs: nowMs,
    });
    if (entry.batches.length > CACHED_BATCHES_PER_PRODUCER) entry.batches.shift();
    entry.lastTimestampMs = nowMs;
  }

  /** Drops producers idle for longer than `expirationMs` (producer.id.expiration.ms). */
  expire(nowMs: number, expirationMs: number): number {
    let removed = 0;
    for (const [id, entry] of this.producers) {
      if (nowMs - entry.lastTimestampMs > expirationMs) {
        this.producers.delete(id);
        removed++;
      }
    }
    return removed;
  }

  /** Forgets batches at or after `offset` (the log was truncated there). */
  truncateFrom(offset: number): void {
    for (const [id, entry] of this.producers) {
      entry.batches = entry.batches.filter((x) => x.lastOffset < offset);
      if (entry.batches.length === 0) this.producers.delete(id);
    }
  }

  clear(): void {
    this.producers.clear();
  }
}

function lastSequenceOf(b: ProducedBatchInfo): number {
  return b.baseSequence < 0 ? -1 : (b.baseSequence + b.lastOffsetDelta) % (INT32_MAX + 1);
}

function nextSequence(seq: number): number {
  return seq === INT32_MAX ? 0 : seq + 1;
}
