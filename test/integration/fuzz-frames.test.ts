// Goal: one live broker survives a seeded storm of hostile TCP input without hanging, crashing or
// touching stored data. Each fast-check case opens a connection and writes random bytes, odd size
// prefixes (negative, over socket.request.max.bytes, shorter than a header), or 1-4 frames of
// ApiVersions/Metadata/Produce/Fetch/ListOffsets built with the generated codecs, each possibly
// mutated (bit flips, overwritten bytes, truncation, a rewritten size, api key or version, a body
// cut short or padded), split across several writes; some produced batches carry an altered
// header byte with the CRC re-sealed, which the broker must refuse or store readably. Unmutated cases must get every response, in
// order, each decoding exactly; a size prefix the broker cannot accept must make it close the
// connection by itself; and every connection must be closed within a bounded time once the client
// half-closes. Afterwards the broker is alive, logged no internal error, the records produced
// before the storm read back identical, and a fresh kcat produce/consume works.
// Replay: FUZZ_SEED=<seed> [FUZZ_PATH=<path>] [FUZZ_RUNS=<n>] [FUZZ_VERBOSE=1] node --test dist/test/integration/fuzz-frames.test.js

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startBroker, type BrokerExit, type BrokerProcess } from '../helpers/broker.js';
import { kcatConsumeJson, kcatProduceKeyed } from '../helpers/kcat.js';
import { kcatKeyedLines } from '../helpers/records.js';
import { assertExactRecords, fromKcat, range, type ReadRecord } from '../helpers/verify.js';
import { RawConnection, codecRequestFrame } from '../helpers/raw-connection.js';
import { Reader } from '../../src/protocol/reader.js';
import { API_MESSAGES, ApiKey, responseHeaderVersion } from '../../src/protocol/generated/api-keys.js';
import { readResponseHeader } from '../../src/protocol/generated/response-header.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import type { ListOffsetsResponse } from '../../src/protocol/generated/list-offsets-response.js';
import type { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import {
  ATTRIBUTES_OFFSET,
  COMPRESSION_CODEC_MASK,
  CRC_OFFSET,
  CompressionCodec,
  RECORD_BATCH_OVERHEAD,
  batchCrc,
  buildBatch,
  type CompressionCodecValue,
} from '../../src/protocol/records/index.js';

const seed = Number(process.env.FUZZ_SEED ?? 20261125);
const replayPath = process.env.FUZZ_PATH;
const runs = Number(process.env.FUZZ_RUNS ?? 1000);
/** The storm stops here even if runs are left, so the file stays well under a minute. */
const stormTimeMs = 30_000;
const requestBytesMax = 1024 * 1024;
const waitMs = 5000;

const seededTopic = 'fuzz-seeded';
const scratchTopic = 'fuzz-scratch';
const afterTopic = 'fuzz-after';
const seededCount = 300;
const partitions = [0, 1];

/** APIs that write metadata or delete data: a mutated api key never becomes one of these, so no
 * storm frame can reinterpret a read's topic names as, say, DeleteTopics or DeleteRecords. */
const destructiveApiKeys = new Set<number>([
  ApiKey.CreateTopics,
  ApiKey.DeleteTopics,
  ApiKey.DeleteRecords,
  ApiKey.AlterConfigs,
  ApiKey.CreatePartitions,
  ApiKey.IncrementalAlterConfigs,
]);

// ---- frames ----

interface RequestSpec {
  apiKey: number;
  version: number;
  correlationId: number;
  body: object;
  /** acks=0 produce: the broker sends nothing back. */
  isResponseless: boolean;
  /** A produce whose batch header was altered and re-sealed: still a well-formed request. */
  isTampered?: boolean;
}

function encode(spec: RequestSpec): Buffer {
  return codecRequestFrame({ apiKey: spec.apiKey, version: spec.version, correlationId: spec.correlationId, clientId: 'fuzz' }, spec.body);
}

// ---- the broker's view of the seeded topics, filled in before the storm ----

interface Fixture {
  port: number;
  topicIds: Map<string, string>;
}

// ---- arbitraries: valid requests ----

const correlationIdArb = fc.integer({ min: 0, max: 0x7fffffff });
const topicNameArb = fc.oneof(
  fc.constantFrom(seededTopic, scratchTopic, 'no-such-topic'),
  fc.stringMatching(/^[a-zA-Z0-9._-]{1,40}$/),
);

function apiVersionsArb(): fc.Arbitrary<Omit<RequestSpec, 'correlationId'>> {
  return fc.integer({ min: 0, max: 4 }).map((version) => ({
    apiKey: ApiKey.ApiVersions,
    version,
    // Fields a version lacks must be left out: the generated writers refuse them.
    body: version >= 3 ? { clientSoftwareName: 'tideline-fuzz', clientSoftwareVersion: '1.0' } : {},
    isResponseless: false,
  }));
}

function metadataArb(): fc.Arbitrary<Omit<RequestSpec, 'correlationId'>> {
  return fc
    .record({
      version: fc.integer({ min: 0, max: 12 }),
      names: fc.option(fc.array(topicNameArb, { maxLength: 4 }), { nil: null }),
      includeTopicAuthorizedOperations: fc.boolean(),
    })
    .map(({ version, names, includeTopicAuthorizedOperations }) => ({
      apiKey: ApiKey.Metadata,
      version,
      body: {
        topics: names === null && version >= 1 ? null : (names ?? []).map((name) => ({ name })),
        allowAutoTopicCreation: version < 4, // v0-3 cannot say false; auto-creation is off anyway
        includeTopicAuthorizedOperations: version >= 8 && includeTopicAuthorizedOperations,
      },
      isResponseless: false,
    }));
}

const codecsArb = fc.constantFrom<CompressionCodecValue>(
  CompressionCodec.NONE,
  CompressionCodec.GZIP,
  CompressionCodec.SNAPPY,
  CompressionCodec.LZ4,
  CompressionCodec.ZSTD,
);

/** Produce only ever names the scratch topic (or a missing one); the seeded topic stays read-only. */
function produceArb(): fc.Arbitrary<Omit<RequestSpec, 'correlationId'>> {
  return fc
    .record({
      version: fc.integer({ min: 3, max: 11 }),
      acks: fc.constantFrom(-1, 1, 0),
      topic: fc.constantFrom(scratchTopic, scratchTopic, 'no-such-topic'),
      partition: fc.integer({ min: 0, max: partitions.length }),
      codec: codecsArb,
      values: fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 5 }),
      tamper: fc.option(fc.tuple(fc.integer({ min: ATTRIBUTES_OFFSET, max: RECORD_BATCH_OVERHEAD - 1 }), fc.integer({ min: 0, max: 255 })), { freq: 4 }),
    })
    .map(({ version, acks: acksChoice, topic: topicChoice, partition: partitionChoice, codec, values, tamper }) => {
      // A failed acks=0 produce closes the connection (the client has no other way to learn of
      // it), which would drop the responses of the requests after it: acks=0 only where it succeeds.
      const acks = tamper === null ? acksChoice : -1;
      const topic = acks === 0 ? scratchTopic : topicChoice;
      const partition = acks === 0 ? partitionChoice % partitions.length : partitionChoice;
      const compression = codec === CompressionCodec.ZSTD && version < 7 ? CompressionCodec.GZIP : codec;
      const records = values.map((v, i) => ({ key: `k${i}`, value: Buffer.from(v), headers: [{ key: 'h', value: String(i) }] }));
      const batch = buildBatch({ compression, records });
      if (tamper !== null) tamperHeader(batch, tamper[0], tamper[1]);
      return {
        apiKey: ApiKey.Produce,
        version,
        body: {
          transactionalId: null,
          acks,
          timeoutMs: 2000,
          topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
        },
        isResponseless: acks === 0,
        isTampered: tamper !== null,
      };
    });
}

/**
 * Overwrites one byte of a batch header's CRC-covered part (attributes to records count) and
 * re-seals the CRC, so the broker's header checks, not the CRC, must catch what is inconsistent.
 * The codec bits are kept: a batch whose codec disagrees with its body is bad-input-frames' case.
 */
function tamperHeader(batch: Buffer, at: number, value: number): void {
  const codecByte = ATTRIBUTES_OFFSET + 1;
  batch[at] = at === codecByte ? (value & ~COMPRESSION_CODEC_MASK) | (batch[at]! & COMPRESSION_CODEC_MASK) : value;
  batch.writeUInt32BE(batchCrc(batch, 0, batch.length), CRC_OFFSET);
}

function fetchArb(fixture: Fixture): fc.Arbitrary<Omit<RequestSpec, 'correlationId'>> {
  return fc
    .record({
      version: fc.integer({ min: 4, max: 16 }),
      maxWaitMs: fc.integer({ min: 0, max: 100 }),
      minBytes: fc.integer({ min: 0, max: 1 }),
      maxBytes: fc.integer({ min: 1, max: 4 * 1024 * 1024 }),
      isolationLevel: fc.integer({ min: 0, max: 1 }),
      topic: fc.constantFrom(seededTopic, scratchTopic),
      parts: fc.uniqueArray(
        fc.record({
          partition: fc.constantFrom(...partitions),
          fetchOffset: fc.integer({ min: 0, max: seededCount + 10 }),
          partitionMaxBytes: fc.integer({ min: 1, max: 1024 * 1024 }),
        }),
        { minLength: 1, maxLength: 2, selector: (p) => p.partition },
      ),
    })
    .map(({ version, maxWaitMs, minBytes, maxBytes, isolationLevel, topic, parts }) => ({
      apiKey: ApiKey.Fetch,
      version,
      body: {
        replicaId: -1,
        maxWaitMs,
        minBytes,
        maxBytes,
        isolationLevel,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ ...(version >= 13 ? { topicId: fixture.topicIds.get(topic)! } : { topic }), partitions: parts }],
        forgottenTopicsData: [],
        rackId: '',
      },
      isResponseless: false,
    }));
}

function listOffsetsArb(): fc.Arbitrary<Omit<RequestSpec, 'correlationId'>> {
  return fc
    .record({
      version: fc.integer({ min: 1, max: 10 }),
      topic: fc.constantFrom(seededTopic, scratchTopic, 'no-such-topic'),
      timestamp: fc.oneof(fc.constantFrom(-1, -2, -3), fc.integer({ min: 0, max: 2 ** 42 })),
    })
    .map(({ version, topic, timestamp }) => ({
      apiKey: ApiKey.ListOffsets,
      version,
      body: {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
      },
      isResponseless: false,
    }));
}

function requestArb(fixture: Fixture): fc.Arbitrary<RequestSpec> {
  return fc
    .tuple(fc.oneof(apiVersionsArb(), metadataArb(), produceArb(), fetchArb(fixture), listOffsetsArb()), correlationIdArb)
    .map(([spec, correlationId]) => ({ ...spec, correlationId }));
}

// ---- arbitraries: mutations ----

type Mutation =
  | { kind: 'flip-bits'; bits: number[] }
  | { kind: 'overwrite'; edits: [number, number][] }
  | { kind: 'truncate'; keep: number }
  | { kind: 'size'; size: number }
  | { kind: 'size-delta'; delta: number }
  | { kind: 'api-key'; apiKey: number }
  | { kind: 'version'; version: number }
  | { kind: 'cut-body'; keep: number }
  | { kind: 'pad-body'; extra: Uint8Array }
  | { kind: 'splice'; at: number; bytes: Uint8Array };

const badSizeArb = fc.oneof(
  fc.integer({ min: -0x80000000, max: -1 }),
  fc.integer({ min: requestBytesMax + 1, max: 0x7fffffff }),
  fc.integer({ min: 0, max: 7 }),
);

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip-bits' as const), bits: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant('size' as const), size: badSizeArb }),
  fc.record({ kind: fc.constant('size-delta' as const), delta: fc.integer({ min: -16, max: 16 }) }),
  fc.record({
    kind: fc.constant('api-key' as const),
    apiKey: fc.oneof(fc.integer({ min: -0x8000, max: 0x7fff }), fc.integer({ min: 0, max: 90 })).filter((k) => !destructiveApiKeys.has(k)),
  }),
  fc.record({ kind: fc.constant('version' as const), version: fc.oneof(fc.integer({ min: -0x8000, max: 0x7fff }), fc.integer({ min: -1, max: 20 })) }),
  fc.record({ kind: fc.constant('cut-body' as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant('pad-body' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
);

/** Applies `m` to a whole frame, size prefix included. */
function mutate(frame: Buffer, m: Mutation): Buffer {
  const out = Buffer.from(frame);
  const bodyLength = frame.length - 4;
  const withSize = (b: Buffer): Buffer => {
    b.writeInt32BE(b.length - 4, 0);
    return b;
  };
  switch (m.kind) {
    case 'flip-bits':
      for (const bit of m.bits) out[(bit >> 3) % out.length]! ^= 1 << (bit & 7);
      return out;
    case 'overwrite':
      for (const [at, value] of m.edits) out[at % out.length] = value;
      return out;
    case 'truncate':
      return out.subarray(0, 4 + (m.keep % bodyLength));
    case 'size':
      out.writeInt32BE(m.size, 0);
      return out;
    case 'size-delta':
      out.writeInt32BE(Math.max(0, bodyLength + m.delta), 0);
      return out;
    case 'api-key':
      out.writeInt16BE(m.apiKey, 4);
      return out;
    case 'version':
      out.writeInt16BE(m.version, 6);
      return out;
    case 'cut-body':
      return withSize(Buffer.from(out.subarray(0, 4 + (m.keep % bodyLength))));
    case 'pad-body':
      return withSize(Buffer.concat([out, m.extra]));
    case 'splice': {
      const at = 4 + (m.at % bodyLength);
      return withSize(Buffer.concat([out.subarray(0, at), m.bytes, out.subarray(at)]));
    }
  }
}

/** The size the broker must refuse outright: negative, over the limit, or shorter than a header. */
function isRefusedSize(frame: Buffer): boolean {
  if (frame.length < 4) return false;
  const size = frame.readInt32BE(0);
  if (size < 0 || size > requestBytesMax) return true;
  return size < 8 && frame.length >= 4 + size;
}

// ---- arbitraries: whole cases ----

interface Case {
  label: string;
  chunks: Buffer[];
  /** Every frame valid and unmutated: these responses must come back, in this order. */
  expected: RequestSpec[] | null;
  /** The first frame has a size the broker must refuse, so it must close without our FIN. */
  mustCloseUnprompted: boolean;
}

/** Splits `bytes` at the given (wrapped, sorted, deduplicated) points, for several writes. */
function split(bytes: Buffer, points: number[]): Buffer[] {
  if (bytes.length < 2) return [bytes];
  const cuts = [...new Set(points.map((p) => 1 + (p % (bytes.length - 1))))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of cuts) {
    chunks.push(bytes.subarray(from, cut));
    from = cut;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

function caseArb(fixture: Fixture): fc.Arbitrary<Case> {
  const splitsArb = fc.array(fc.nat(), { maxLength: 3 });
  const randomBytes = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 2048 }), splitsArb).map(([bytes, points]) => {
    const buf = Buffer.from(bytes);
    return { label: `random ${buf.length} bytes`, chunks: split(buf, points), expected: null, mustCloseUnprompted: isRefusedSize(buf) };
  });
  const oddPrefix = fc.tuple(badSizeArb, fc.uint8Array({ maxLength: 64 })).map(([size, rest]) => {
    const buf = Buffer.alloc(4 + rest.length);
    buf.writeInt32BE(size, 0);
    Buffer.from(rest).copy(buf, 4);
    return { label: `size prefix ${size} + ${rest.length} bytes`, chunks: [buf], expected: null, mustCloseUnprompted: isRefusedSize(buf) };
  });
  const frames = fc
    .tuple(fc.array(fc.tuple(requestArb(fixture), fc.option(mutationArb, { freq: 2 })), { minLength: 1, maxLength: 4 }), splitsArb)
    .map(([items, points]) => {
      const encoded = items.map(([spec, m]) => (m === null ? encode(spec) : mutate(encode(spec), m)));
      const isAllValid = items.every(([, m]) => m === null);
      const label = items
        .map(([s, m]) => `${API_MESSAGES[s.apiKey]!.name} v${s.version}${s.isTampered ? ' tampered-header' : ''}${m === null ? '' : ` ${m.kind}`}`)
        .join(', ');
      return {
        label,
        chunks: split(Buffer.concat(encoded), points),
        expected: isAllValid ? items.map(([s]) => s) : null,
        mustCloseUnprompted: isRefusedSize(encoded[0]!),
      };
    });
  return fc.oneof({ arbitrary: randomBytes, weight: 1 }, { arbitrary: oddPrefix, weight: 1 }, { arbitrary: frames, weight: 5 });
}

// ---- one case against the broker ----

function checkResponses(conn: RawConnection, expected: RequestSpec[]): void {
  const answered = expected.filter((s) => !s.isResponseless);
  assert.equal(conn.frames.length, answered.length, `got ${conn.frames.length} of ${answered.length} responses`);
  answered.forEach((spec, i) => {
    const r = new Reader(conn.frames[i]!);
    const name = `${API_MESSAGES[spec.apiKey]!.name} v${spec.version}`;
    assert.equal(readResponseHeader(r, responseHeaderVersion(spec.apiKey, spec.version)).correlationId, spec.correlationId, `${name}: correlation id`);
    API_MESSAGES[spec.apiKey]!.readResponse(r, spec.version);
    assert.equal(r.remaining(), 0, `${name}: ${r.remaining()} bytes after the response body`);
  });
}

/** A fresh connection's ApiVersions is answered: the broker still serves (no stuck event loop). */
async function assertServing(port: number, afterLabel: string): Promise<void> {
  const conn = await RawConnection.open(port);
  try {
    const spec = { apiKey: ApiKey.ApiVersions, version: 0, correlationId: 7, body: {}, isResponseless: false };
    await conn.write(encode(spec));
    await conn.waitForFrames(1, waitMs);
    assert.equal(conn.frames.length, 1, `the broker stopped answering after: ${afterLabel}`);
  } finally {
    conn.destroy();
  }
}

async function runCase(port: number, c: Case): Promise<void> {
  const conn = await RawConnection.open(port);
  try {
    for (const chunk of c.chunks) {
      await conn.write(chunk);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (c.expected !== null) {
      await conn.waitForFrames(c.expected.filter((s) => !s.isResponseless).length, waitMs);
      checkResponses(conn, c.expected);
    } else if (c.mustCloseUnprompted) {
      assert.ok(await conn.waitClosed(waitMs), 'an unacceptable size prefix did not close the connection');
    }
    conn.end();
    assert.ok(await conn.waitClosed(waitMs), `connection still open ${waitMs} ms after the client's FIN`);
    assert.equal(conn.partialBytes, 0, 'the broker sent part of a response frame');
  } finally {
    conn.destroy();
  }
}

// ---- setup helpers ----

async function adminRequest(port: number, spec: RequestSpec): Promise<Reader> {
  const conn = await RawConnection.open(port);
  try {
    await conn.write(encode(spec));
    await conn.waitForFrames(1, waitMs);
    assert.equal(conn.frames.length, 1, `no response to ${API_MESSAGES[spec.apiKey]!.name}`);
    const r = new Reader(conn.frames[0]!);
    assert.equal(readResponseHeader(r, responseHeaderVersion(spec.apiKey, spec.version)).correlationId, spec.correlationId);
    return r;
  } finally {
    conn.destroy();
  }
}

async function createTopics(port: number, names: string[]): Promise<void> {
  const spec = {
    apiKey: ApiKey.CreateTopics,
    version: 7,
    correlationId: 1,
    isResponseless: false,
    body: { topics: names.map((name) => ({ name, numPartitions: partitions.length, replicationFactor: 1 })), timeoutMs: 5000 },
  };
  const created = API_MESSAGES[ApiKey.CreateTopics]!.readResponse(await adminRequest(port, spec), 7) as CreateTopicsResponse;
  for (const t of created.topics) assert.equal(t.errorCode, 0, `create ${t.name}: ${t.errorMessage}`);
}

async function topicIds(port: number, names: string[]): Promise<Map<string, string>> {
  const spec = { apiKey: ApiKey.Metadata, version: 12, correlationId: 2, isResponseless: false, body: { topics: names.map((name) => ({ name })), allowAutoTopicCreation: false } };
  const metadata = API_MESSAGES[ApiKey.Metadata]!.readResponse(await adminRequest(port, spec), 12) as MetadataResponse;
  return new Map(metadata.topics.map((t) => [t.name!, t.topicId]));
}

async function latestOffsets(port: number, topic: string): Promise<number[]> {
  const spec = {
    apiKey: ApiKey.ListOffsets,
    version: 7,
    correlationId: 3,
    isResponseless: false,
    body: { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp: -1 })) }] },
  };
  const listed = API_MESSAGES[ApiKey.ListOffsets]!.readResponse(await adminRequest(port, spec), 7) as ListOffsetsResponse;
  return listed.topics[0]!.partitions.map((p) => {
    assert.equal(p.errorCode, 0, `${topic}-${p.partitionIndex}: ListOffsets error`);
    return p.offset;
  });
}

describe('fuzzed frames against a live broker', { timeout: 58_000 }, () => {
  let broker: BrokerProcess;
  let exit: BrokerExit | undefined;
  let fixture: Fixture;
  let seeded: ReadRecord[] = [];

  before(async () => {
    broker = await startBroker({
      overrides: { 'socket.request.max.bytes': String(requestBytesMax), 'auto.create.topics.enable': 'false' },
    });
    void broker.exited.then((e) => {
      exit = e;
    });
    await createTopics(broker.port, [seededTopic, scratchTopic, afterTopic]);
    fixture = { port: broker.port, topicIds: await topicIds(broker.port, [seededTopic, scratchTopic]) };
    await kcatProduceKeyed(broker.bootstrap, seededTopic, kcatKeyedLines(0, seededCount), ['-H', 'origin=seed']);
    seeded = (await kcatConsumeJson(broker.bootstrap, seededTopic)).map(fromKcat);
    assertExactRecords(seeded, { indices: range(0, seededCount), headersOf: () => [['origin', 'seed']] });
  });
  after(async () => {
    assert.equal(await broker.stop(), 0, broker.stderrTail(4000));
  });

  test('the storm: every connection is answered or closed, never left hanging', async (t) => {
    t.diagnostic(`fuzz seed=${seed} runs=${runs}${replayPath ? ` path=${replayPath}` : ''} (replay: FUZZ_SEED=${seed} [FUZZ_PATH=...])`);
    let executed = 0;
    let lastLabel = '';
    const property = fc.asyncProperty(caseArb(fixture), async (c) => {
      executed++;
      lastLabel = c.label;
      assert.equal(exit, undefined, `the broker exited (${JSON.stringify(exit)})`);
      if (process.env.FUZZ_VERBOSE) console.log(`case ${executed}: ${c.label}`);
      await runCase(fixture.port, c);
      await assertServing(fixture.port, c.label);
    });
    const started = Date.now();
    try {
      await fc.assert(property, {
        seed,
        path: replayPath,
        numRuns: runs,
        endOnFailure: true,
        interruptAfterTimeLimit: stormTimeMs,
      });
    } catch (err) {
      // A crashed broker closes its sockets a moment before its exit is seen: wait for that.
      await Promise.race([broker.exited, new Promise((resolve) => setTimeout(resolve, 1000))]);
      const crash = exit === undefined ? '' : `\nTHE BROKER EXITED: ${JSON.stringify(exit)}`;
      const cause = (err as Error).cause;
      const why = cause instanceof Error ? `\ncause: ${cause.message}` : '';
      throw new Error(`${(err as Error).message}${why}${crash}\nlast case: ${lastLabel}\n--- broker stderr (tail) ---\n${broker.stderrTail(3000)}`, { cause: err });
    }
    t.diagnostic(`${executed} cases in ${Date.now() - started} ms`);
    assert.ok(executed >= Math.min(runs, 200), `only ${executed} cases ran`);
  });

  test('afterwards the broker is alive and logged no internal error', async () => {
    await assertServing(fixture.port, 'the storm');
    assert.equal(exit, undefined, `the broker exited (${JSON.stringify(exit)})`);
    const internalErrors = broker
      .stderrTail(4 * 1024 * 1024)
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message?: string; stack?: string } })
      .filter((entry) => entry.level >= 50);
    assert.deepEqual(
      internalErrors.slice(0, 5).map((e) => `${e.msg}: ${e.err?.stack ?? e.err?.message ?? ''}`),
      [],
      `${internalErrors.length} error-level log lines`,
    );
  });

  test('afterwards everything the storm got appended reads back whole', async (t) => {
    // Valid and mutated-but-accepted produces landed in the scratch topic: each partition must
    // read back as offsets 0..latest-1 with nothing missing, so no damaged batch was stored.
    const latest = await latestOffsets(broker.port, scratchTopic);
    t.diagnostic(`${scratchTopic} holds ${latest.join(' + ')} records`);
    const records = (await kcatConsumeJson(broker.bootstrap, scratchTopic)).map(fromKcat);
    for (const partition of partitions) {
      const offsets = records.filter((r) => r.partition === partition).map((r) => r.offset);
      assert.deepEqual(offsets, range(0, latest[partition]!), `${scratchTopic}-${partition}: offsets read back`);
    }
  });

  test('afterwards the seeded records are intact and kcat produce/consume works', async () => {
    const again = (await kcatConsumeJson(broker.bootstrap, seededTopic)).map(fromKcat);
    assert.deepEqual(again, seeded);
    await kcatProduceKeyed(broker.bootstrap, afterTopic, kcatKeyedLines(0, 50), ['-H', 'origin=after']);
    const fresh = (await kcatConsumeJson(broker.bootstrap, afterTopic)).map(fromKcat);
    assertExactRecords(fresh, { indices: range(0, 50), headersOf: () => [['origin', 'after']] });
  });
});
