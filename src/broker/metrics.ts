// The broker's own counters for the Prometheus exporter and the console: requests and their
// latency per API key, bytes and messages in and out per topic. The hot paths touch plain number
// fields here once per request or per partition batch, never per record, and allocate nothing
// after a topic's or API's first use; labels and text are made only when /metrics is scraped
// (console/prometheus.ts). Sizes, ISR, Raft and group figures are read from their owners then.

/** Upper bounds of the request latency buckets, in milliseconds (the last bucket is +Inf). */
export const LATENCY_BUCKETS_MS: readonly number[] = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

export class ApiStats {
  count = 0;
  errors = 0;
  latencySumMs = 0;
  /** Non-cumulative counts per bucket of LATENCY_BUCKETS_MS, then one for +Inf. */
  readonly latencyBuckets = new Float64Array(LATENCY_BUCKETS_MS.length + 1);

  observe(elapsedMs: number, isError: boolean): void {
    this.count++;
    if (isError) this.errors++;
    this.latencySumMs += elapsedMs;
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && elapsedMs > LATENCY_BUCKETS_MS[i]!) i++;
    this.latencyBuckets[i]!++;
  }
}

export class TopicTraffic {
  bytesIn = 0;
  messagesIn = 0;
  /** Consumer fetches only; replication traffic is not "out" (Kafka's BytesOutPerSec neither). */
  bytesOut = 0;
  messagesOut = 0;
}

export interface TrafficTotals {
  bytesIn: number;
  messagesIn: number;
  bytesOut: number;
  messagesOut: number;
}

export class BrokerMetrics {
  /** By API key; created at an API's first request. */
  readonly apis: (ApiStats | undefined)[] = [];
  /** By topic name; only topics that exist get one (a produce to a missing topic counts nowhere). */
  readonly topics = new Map<string, TopicTraffic>();

  requestDone(apiKey: number, elapsedMs: number, isError: boolean): void {
    (this.apis[apiKey] ??= new ApiStats()).observe(elapsedMs, isError);
  }

  topic(name: string): TopicTraffic {
    let t = this.topics.get(name);
    if (t === undefined) this.topics.set(name, (t = new TopicTraffic()));
    return t;
  }

  /** Drops a deleted topic's counters so they stop being exported. */
  forgetTopic(name: string): void {
    this.topics.delete(name);
  }

  totals(): TrafficTotals {
    const out = { bytesIn: 0, messagesIn: 0, bytesOut: 0, messagesOut: 0 };
    for (const t of this.topics.values()) {
      out.bytesIn += t.bytesIn;
      out.messagesIn += t.messagesIn;
      out.bytesOut += t.bytesOut;
      out.messagesOut += t.messagesOut;
    }
    return out;
  }
}

const BATCH_LENGTH_AT = 8;
const LAST_OFFSET_DELTA_AT = 23;
const BATCH_HEADER_BYTES = 61;

/** Records in a run of v2 batches, from their headers only (lastOffsetDelta + 1 per batch). */
export function recordsInBatches(records: Buffer): number {
  let count = 0;
  let pos = 0;
  while (pos + BATCH_HEADER_BYTES <= records.length) {
    const size = 12 + records.readInt32BE(pos + BATCH_LENGTH_AT);
    // A batch cut off at the end of a fetch is not counted; a nonsense length ends the walk.
    if (size < BATCH_HEADER_BYTES || pos + size > records.length) break;
    count += records.readInt32BE(pos + LAST_OFFSET_DELTA_AT) + 1;
    pos += size;
  }
  return count;
}
