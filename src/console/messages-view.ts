// The messages page's data: a page of records of one partition from an offset, a timestamp or
// the last N, a live tail (long-poll fetches pushed over SSE), and producing a test record.
// Records are read with the admin client's Fetch below the high watermark, as a consumer
// reads them, and shown through record-view.ts.

import { partitionForKey, type ConsumedRecord } from '../client/index.js';
import { buildBatch } from '../protocol/records/index.js';
import { ConsoleRequestError, type EventStream } from './http.js';
import { payloadBytes, viewRecord, type RecordView } from './record-view.js';
import type { ConsoleContext } from './context.js';

export const BROWSE_LIMIT_MAX = 500;
const FETCH_BYTES_MAX = 1 << 20;
const TAIL_WAIT_MS = 1000;

export interface BrowseQuery {
  topic: string;
  partition: number;
  /** An offset, a timestamp (ms) or `latest` (the last `limit` records). */
  from: { offset: number } | { timestampMs: number } | 'latest';
  limit: number;
}

async function partitionBounds(ctx: ConsoleContext, topic: string, partition: number): Promise<{ start: number; end: number }> {
  const [s, e] = await Promise.all([
    ctx.admin.listOffsets([{ topic, partition, spec: 'earliest' }]),
    ctx.admin.listOffsets([{ topic, partition, spec: 'latest' }]),
  ]);
  return { start: s[0]!.offset, end: e[0]!.offset };
}

export async function browse(ctx: ConsoleContext, q: BrowseQuery) {
  const { start, end } = await partitionBounds(ctx, q.topic, q.partition);
  let from: number;
  if (q.from === 'latest') from = Math.max(start, end - q.limit);
  else if ('offset' in q.from) from = Math.max(start, q.from.offset);
  else {
    const found = await ctx.admin.listOffsets([{ topic: q.topic, partition: q.partition, spec: { timestampMs: q.from.timestampMs } }]);
    from = found[0]!.offset < 0 ? end : found[0]!.offset;
  }
  const records: RecordView[] = [];
  let next = from;
  while (records.length < q.limit && next < end) {
    const [fetched] = await ctx.admin.fetch([{ topic: q.topic, partition: q.partition, fetchOffset: next }], { maxWaitMs: 0, minBytes: 0, maxBytes: FETCH_BYTES_MAX, partitionMaxBytes: FETCH_BYTES_MAX });
    if (fetched === undefined || fetched.nextOffset <= next) break;
    for (const r of fetched.records) if (r.offset >= from && records.length < q.limit) records.push(viewRecord(r));
    next = fetched.nextOffset;
  }
  return { topic: q.topic, partition: q.partition, logStartOffset: start, logEndOffset: end, from, records };
}

export function parseBrowseQuery(topic: string, partitionText: string, query: URLSearchParams): BrowseQuery {
  const partition = Number(partitionText);
  if (!Number.isInteger(partition) || partition < 0) throw new ConsoleRequestError(`bad partition ${partitionText}`);
  const limit = Math.min(BROWSE_LIMIT_MAX, Math.max(1, Number(query.get('limit') ?? 50) || 50));
  const offset = query.get('offset');
  const timestamp = query.get('timestamp');
  const number = (text: string, what: string): number => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 0) throw new ConsoleRequestError(`${what} must be a whole number`);
    return n;
  };
  const from = offset !== null && offset !== '' ? { offset: number(offset, 'offset') } : timestamp !== null && timestamp !== '' ? { timestampMs: number(timestamp, 'timestamp') } : 'latest';
  return { topic, partition, from, limit };
}

/** Pushes records past `fromOffset` (the log end when null) as they arrive, until the page leaves. */
export async function tail(ctx: ConsoleContext, topic: string, partition: number, fromOffset: number | null, stream: EventStream): Promise<void> {
  let next = fromOffset ?? (await partitionBounds(ctx, topic, partition)).end;
  stream.send({ from: next }, 'position');
  while (!stream.isClosed) {
    let records: ConsumedRecord[] = [];
    try {
      const [fetched] = await ctx.admin.fetch([{ topic, partition, fetchOffset: next }], { maxWaitMs: TAIL_WAIT_MS, minBytes: 1, maxBytes: FETCH_BYTES_MAX, partitionMaxBytes: FETCH_BYTES_MAX });
      if (fetched !== undefined) {
        records = fetched.records.filter((r) => r.offset >= next);
        next = Math.max(next, fetched.nextOffset);
      }
    } catch (err) {
      stream.send({ error: (err as Error).message }, 'failure');
      await new Promise((done) => setTimeout(done, TAIL_WAIT_MS));
    }
    if (records.length > 0) stream.send(records.map(viewRecord), 'records');
  }
}

export interface ProduceBody {
  partition?: unknown;
  key?: unknown;
  value?: unknown;
  encoding?: unknown;
  headers?: unknown;
}

export async function produceTestRecord(ctx: ConsoleContext, topic: string, body: ProduceBody) {
  const meta = await ctx.admin.metadata([topic]);
  const t = meta.topics.find((x) => x.name === topic && x.errorCode === 0);
  if (t === undefined) throw new ConsoleRequestError(`topic ${topic} does not exist`, 404);
  const encoding = body.encoding === 'hex' ? 'hex' : 'text';
  const asText = (v: unknown): string | null => (v === undefined || v === null || v === '' ? null : String(v));
  let key: Buffer | null;
  let value: Buffer | null;
  try {
    key = payloadBytes(asText(body.key), encoding);
    value = payloadBytes(asText(body.value), encoding);
  } catch (err) {
    throw new ConsoleRequestError((err as Error).message);
  }
  const headers = Object.entries(typeof body.headers === 'object' && body.headers !== null ? body.headers : {}).map(([k, v]) => ({ key: k, value: Buffer.from(String(v)) }));
  let partition: number;
  if (body.partition !== undefined && body.partition !== null && body.partition !== '') {
    partition = Number(body.partition);
    if (!Number.isInteger(partition) || partition < 0 || partition >= t.partitions.length) throw new ConsoleRequestError(`topic ${topic} has no partition ${String(body.partition)}`);
  } else partition = key === null ? Math.floor(Math.random() * t.partitions.length) : partitionForKey(key, t.partitions.length);
  const batch = buildBatch({ records: [{ key, value, headers }] });
  const [produced] = await ctx.admin.produce(topic, [{ partition, batch }], -1);
  return { topic, partition, offset: produced?.baseOffset ?? null };
}
