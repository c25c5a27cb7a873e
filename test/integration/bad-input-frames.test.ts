// Goal: deterministic bad input over raw TCP gets Kafka's answer and harms nobody else: a frame
// over socket.request.max.bytes closes its connection with a logged warning while other
// connections go on; ApiVersions v99 gets UNSUPPORTED_VERSION with the supported list in v0 form;
// an unknown API key (or version) closes the connection; Produce v2 gets UNSUPPORTED_VERSION per
// partition, a batch with a bad CRC CORRUPT_MESSAGE and a magic-1 message set
// UNSUPPORTED_FOR_MESSAGE_FORMAT, neither appending anything; 20 pipelined requests in one write
// get 20 responses in request order. Frames are built with the project's generated codecs.

import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { kcatConsumeJson, kcatProduceKeyed } from '../helpers/kcat.js';
import { kcatKeyedLines } from '../helpers/records.js';
import { assertExactRecords, fromKcat, range } from '../helpers/verify.js';
import { RawConnection, codecRequestFrame, decodeResponse, requestFrame } from '../helpers/raw-connection.js';
import { ApiKey } from '../../src/protocol/generated/api-keys.js';
import type { ApiVersionsResponse } from '../../src/protocol/generated/api-versions-response.js';
import type { ProduceRequestInput } from '../../src/protocol/generated/produce-request.js';
import type { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import type { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import type { ListOffsetsResponse } from '../../src/protocol/generated/list-offsets-response.js';
import {
  ATTRIBUTES_OFFSET,
  CRC_OFFSET,
  CompressionCodec,
  RECORD_BATCH_OVERHEAD,
  batchCrc,
  buildBatch,
} from '../../src/protocol/records/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';

const requestBytesMax = 1024 * 1024;
const topic = 'bad-input';
const seededCount = 40;
const waitMs = 5000;
const inflightMax = 8;

const clientId = 'bad-input-test';

/** A request frame whose body is the generated codec's encoding of `body`. */
function request(apiKey: number, version: number, correlationId: number, body: object): Buffer {
  return codecRequestFrame({ apiKey, version, correlationId, clientId }, body);
}

// ---- request builders ----

const produceVersion = 9;

function produce(correlationId: number, version: number, records: Buffer, partitions = [0], topicName = topic): Buffer {
  const body: ProduceRequestInput = {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topicName, partitionData: partitions.map((index) => ({ index, records })) }],
  };
  return request(ApiKey.Produce, version, correlationId, body);
}

function produceErrors(frame: Buffer, version: number, topicName = topic): number[] {
  const { body } = decodeResponse<ProduceResponse>(frame, ApiKey.Produce, version);
  assert.equal(body.responses.length, 1);
  assert.equal(body.responses[0]!.name, topicName);
  return body.responses[0]!.partitionResponses.map((p) => p.errorCode);
}

/** A legacy magic-1 message (Kafka's LegacyRecord v1) inside a one-message set at offset 0. */
function magicOneMessageSet(value: string): Buffer {
  const payload = Buffer.from(value, 'utf8');
  const body = Buffer.alloc(1 + 1 + 8 + 4 + 4 + payload.length);
  let at = body.writeInt8(1, 0); // magic
  at = body.writeInt8(0, at); // attributes: no compression, CreateTime
  at = body.writeBigInt64BE(BigInt(Date.now()), at);
  at = body.writeInt32BE(-1, at); // null key
  at = body.writeInt32BE(payload.length, at);
  payload.copy(body, at);
  const message = Buffer.alloc(4 + body.length);
  message.writeUInt32BE(crc32(body), 0);
  body.copy(message, 4);
  const set = Buffer.alloc(12 + message.length);
  set.writeBigInt64BE(0n, 0);
  set.writeInt32BE(message.length, 8);
  message.copy(set, 12);
  return set;
}

/** Polls the broker's stderr (pino JSON lines) for a line at `level` mentioning `text`, for up to 5 s. */
async function waitForLogLine(broker: BrokerProcess, level: number, text: string): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const found = broker
      .stderrTail(256 * 1024)
      .split('\n')
      .some((line) => line.includes(text) && line.startsWith('{') && (JSON.parse(line) as { level: number }).level === level);
    if (found) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('bad input frames', { timeout: 55_000 }, () => {
  let broker: BrokerProcess;
  let bystander: RawConnection;
  let nextCorrelationId = 1;
  const cid = (): number => nextCorrelationId++;

  /** The latest offset of each partition of a topic (the test topic by default), by ListOffsets v7. */
  async function latestOffsets(topicName = topic): Promise<number[]> {
    const conn = await RawConnection.open(broker.port);
    try {
      const frame = await conn.roundTrip(
        request(ApiKey.ListOffsets, 7, cid(), {
          replicaId: -1,
          isolationLevel: 0,
          topics: [{ name: topicName, partitions: [0, 1].map((partitionIndex) => ({ partitionIndex, timestamp: -1 })) }],
        }),
      );
      const { body } = decodeResponse<ListOffsetsResponse>(frame, ApiKey.ListOffsets, 7);
      return body.topics[0]!.partitions.map((p) => {
        assert.equal(p.errorCode, 0);
        return p.offset;
      });
    } finally {
      conn.destroy();
    }
  }

  before(async () => {
    broker = await startBroker({
      // A small in-flight limit makes the pipelining test pause and resume reading as well.
      overrides: { 'socket.request.max.bytes': String(requestBytesMax), 'num.partitions': '2', 'queued.max.requests': String(inflightMax) },
    });
    // Known content to check at the end: nothing the bad requests send may land next to it.
    await kcatProduceKeyed(broker.bootstrap, topic, kcatKeyedLines(0, seededCount), ['-p', '0']);
    bystander = await RawConnection.open(broker.port);
  });
  after(async () => {
    bystander?.destroy();
    assert.equal(await broker.stop(), 0, broker.stderrTail(4000));
  });

  test('a frame over socket.request.max.bytes closes that connection only, with a warning', async () => {
    const conn = await RawConnection.open(broker.port);
    // The prefix alone announces the size; the broker must not wait for (or buffer) the body.
    const prefix = Buffer.alloc(4 + 64 * 1024);
    prefix.writeInt32BE(requestBytesMax + 1, 0);
    void conn.write(prefix);
    assert.ok(await conn.closedByBroker(), 'the connection stays open after an oversized size prefix');
    // The log line may reach stderr a little after the close: pino writes asynchronously.
    assert.ok(await waitForLogLine(broker, 40, 'socket.request.max.bytes'), `no warning logged; stderr tail:\n${broker.stderrTail(2000)}`);
    // The connection opened before still works.
    const frame = await bystander.roundTrip(request(ApiKey.ApiVersions, 3, cid(), { clientSoftwareName: 'it', clientSoftwareVersion: '1' }));
    assert.equal(decodeResponse<ApiVersionsResponse>(frame, ApiKey.ApiVersions, 3).body.errorCode, 0);
  });

  test('a request just under socket.request.max.bytes is served', async () => {
    const conn = await RawConnection.open(broker.port);
    try {
      const big = buildBatch({ records: [{ key: 'big', value: Buffer.alloc(900 * 1024, 0x61) }] });
      const frame = produce(cid(), produceVersion, big, [1]);
      assert.ok(frame.length - 4 < requestBytesMax);
      assert.deepEqual(produceErrors(await conn.roundTrip(frame), produceVersion), [ErrorCode.NONE]);
    } finally {
      conn.destroy();
    }
  });

  test('ApiVersions v99 gets UNSUPPORTED_VERSION and the supported ranges in v0 form', async () => {
    const conn = await RawConnection.open(broker.port);
    try {
      // Newer clients send ApiVersions in a flexible (v2) header; the body does not matter.
      const frame = await conn.roundTrip(requestFrame({ apiKey: ApiKey.ApiVersions, version: 99, correlationId: 4242, clientId }, (w) => w.writeUnsignedVarint(0)));
      const { correlationId, body } = decodeResponse<ApiVersionsResponse>(frame, ApiKey.ApiVersions, 99, 0);
      assert.equal(correlationId, 4242);
      assert.equal(body.errorCode, ErrorCode.UNSUPPORTED_VERSION);
      assert.ok(body.apiKeys.length > 0);
      const own = body.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions);
      assert.deepEqual(own && [own.minVersion, own.maxVersion], [0, 4]);
      assert.ok(body.apiKeys.some((k) => k.apiKey === ApiKey.Produce));
      // The client retries with a version it now knows is supported, on the same connection.
      const retry = await conn.roundTrip(request(ApiKey.ApiVersions, 3, 4243, { clientSoftwareName: 'it', clientSoftwareVersion: '1' }));
      const answer = decodeResponse<ApiVersionsResponse>(retry, ApiKey.ApiVersions, 3);
      assert.equal(answer.correlationId, 4243);
      assert.equal(answer.body.errorCode, ErrorCode.NONE);
    } finally {
      conn.destroy();
    }
  });

  test('an unknown api key, or an unsupported version of a known one, closes the connection', async () => {
    for (const [apiKey, version] of [[999, 0], [-1, 0], [ApiKey.Metadata, 99], [ApiKey.Fetch, -1]] as const) {
      const conn = await RawConnection.open(broker.port);
      void conn.write(requestFrame({ apiKey, version, correlationId: cid(), clientId }, (w) => w.writeInt32(0)));
      assert.ok(await conn.closedByBroker(), `api key ${apiKey} v${version}: connection not closed`);
    }
  });

  test('Produce v2 gets UNSUPPORTED_VERSION for every partition', async () => {
    const conn = await RawConnection.open(broker.port);
    try {
      const batch = buildBatch({ records: [{ key: 'v2', value: 'refused' }] });
      assert.deepEqual(produceErrors(await conn.roundTrip(produce(cid(), 2, batch, [0, 1])), 2), [
        ErrorCode.UNSUPPORTED_VERSION,
        ErrorCode.UNSUPPORTED_VERSION,
      ]);
    } finally {
      conn.destroy();
    }
  });

  test('a batch with a bad CRC gets CORRUPT_MESSAGE and appends nothing', async () => {
    const before = await latestOffsets();
    const conn = await RawConnection.open(broker.port);
    try {
      const batch = buildBatch({ records: [{ key: 'crc', value: 'this value has one bit flipped' }] });
      batch[batch.length - 5]! ^= 0x01; // inside the record, covered by the CRC32C
      assert.deepEqual(produceErrors(await conn.roundTrip(produce(cid(), produceVersion, batch)), produceVersion), [ErrorCode.CORRUPT_MESSAGE]);
      // A wrong CRC field is the same fault seen from the other side.
      const badField = buildBatch({ records: [{ key: 'crc', value: 'wrong crc field' }] });
      badField.writeUInt32BE((badField.readUInt32BE(CRC_OFFSET) + 1) >>> 0, CRC_OFFSET);
      assert.deepEqual(produceErrors(await conn.roundTrip(produce(cid(), produceVersion, badField)), produceVersion), [ErrorCode.CORRUPT_MESSAGE]);
    } finally {
      conn.destroy();
    }
    assert.deepEqual(await latestOffsets(), before);
  });

  // Kafka's LogValidator iterates (and decompresses) every record of a produced batch, so a batch
  // whose CRC is right but whose records cannot be read is refused with CORRUPT_MESSAGE rather than
  // stored where every consumer of the partition would trip over it.
  test('a batch with a valid CRC but unreadable records gets CORRUPT_MESSAGE and appends nothing', async () => {
    // A topic of its own: were such a batch stored, reading its partition would stall consumers.
    const garbledTopic = 'bad-input-garbled';
    const conn = await RawConnection.open(broker.port);
    try {
      const garbled = buildBatch({ records: [0, 1, 2].map((i) => ({ key: `k${i}`, value: `v${i}` })) });
      garbled.fill(0xff, RECORD_BATCH_OVERHEAD, RECORD_BATCH_OVERHEAD + 9); // the first record's length varint runs on
      garbled.writeUInt32BE(batchCrc(garbled, 0, garbled.length), CRC_OFFSET);
      const notGzip = buildBatch({ records: [{ key: 'k', value: 'stored plain, labelled gzip' }] });
      notGzip.writeInt16BE(notGzip.readInt16BE(ATTRIBUTES_OFFSET) | CompressionCodec.GZIP, ATTRIBUTES_OFFSET);
      notGzip.writeUInt32BE(batchCrc(notGzip, 0, notGzip.length), CRC_OFFSET);
      const fine = buildBatch({ records: [{ key: 'k', value: 'creates the topic' }] });
      assert.deepEqual(produceErrors(await conn.roundTrip(produce(cid(), produceVersion, fine, [0], garbledTopic)), produceVersion, garbledTopic), [0]);
      for (const [what, batch] of [['garbled records', garbled], ['plain records labelled gzip', notGzip]] as const) {
        const frame = await conn.roundTrip(produce(cid(), produceVersion, batch, [0], garbledTopic));
        assert.deepEqual(produceErrors(frame, produceVersion, garbledTopic), [ErrorCode.CORRUPT_MESSAGE], what);
      }
    } finally {
      conn.destroy();
    }
    assert.deepEqual(await latestOffsets(garbledTopic), [1, 0]);
  });

  test('a magic-1 message set gets UNSUPPORTED_FOR_MESSAGE_FORMAT and appends nothing', async () => {
    const before = await latestOffsets();
    const conn = await RawConnection.open(broker.port);
    try {
      const legacy = magicOneMessageSet('a message in the v1 format');
      for (const version of [3, produceVersion]) {
        assert.deepEqual(produceErrors(await conn.roundTrip(produce(cid(), version, legacy)), version), [ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT]);
      }
    } finally {
      conn.destroy();
    }
    assert.deepEqual(await latestOffsets(), before);
  });

  for (const count of [20, 200]) {
    test(`${count} pipelined requests in one write get ${count} responses in request order (queued.max.requests=${inflightMax})`, async () => {
      await pipelined(count);
    });
  }

  async function pipelined(count: number): Promise<void> {
    const conn = await RawConnection.open(broker.port);
    try {
      const sent: { apiKey: number; version: number; correlationId: number }[] = [];
      const frames: Buffer[] = [];
      for (let i = 0; i < count; i++) {
        const correlationId = 1000 + i;
        const [apiKey, version] = i % 2 === 0 ? [ApiKey.Metadata, 12] : [ApiKey.ApiVersions, i % 4 === 1 ? 0 : 4];
        const body =
          apiKey === ApiKey.Metadata ? { topics: [{ name: topic }], allowAutoTopicCreation: false }
          : version >= 3 ? { clientSoftwareName: 'it', clientSoftwareVersion: '1' }
          : {};
        frames.push(request(apiKey, version, correlationId, body));
        sent.push({ apiKey, version, correlationId });
      }
      void conn.write(Buffer.concat(frames));
      const responses = await conn.responses(count);
      responses.forEach((frame, i) => {
        const { apiKey, version, correlationId } = sent[i]!;
        assert.equal(decodeResponse(frame, apiKey, version).correlationId, correlationId, `response ${i}`);
      });
    } finally {
      conn.destroy();
    }
  }

  test('a connection stuck in the middle of a frame does not hold up others', async () => {
    const stuck = await RawConnection.open(broker.port);
    try {
      const frame = request(ApiKey.Metadata, 12, cid(), { topics: null });
      void stuck.write(frame.subarray(0, frame.length - 3));
      const answer = await bystander.roundTrip(request(ApiKey.ApiVersions, 3, cid(), { clientSoftwareName: 'it', clientSoftwareVersion: '1' }));
      assert.equal(decodeResponse<ApiVersionsResponse>(answer, ApiKey.ApiVersions, 3).body.errorCode, 0);
      // The rest of the frame arrives late and is answered.
      void stuck.write(frame.subarray(frame.length - 3));
      assert.equal((await stuck.responses(1)).length, 1);
    } finally {
      stuck.destroy();
    }
  });

  // Found by fuzz-frames: MetadataRequest names may be null from v10, MetadataResponse names only
  // from v12, so a v10-11 lookup by topic id alone cannot be answered with a null name. Kafka
  // refuses it ("Topic name can not be null for version ...", INVALID_REQUEST); a closed
  // connection would do too; a crashed broker would not. v12 looks the id up: UNKNOWN_TOPIC_ID.
  test('Metadata v10 and v11 naming a topic only by id are answered or refused, and the broker stays up', async () => {
    for (const version of [10, 11, 12]) {
      const conn = await RawConnection.open(broker.port);
      try {
        const body = { topics: [{ topicId: 'AAAAAAAAAACCVEGPxgAAAA', name: null }], allowAutoTopicCreation: false };
        void conn.write(request(ApiKey.Metadata, version, cid(), body));
        const frame = await conn.responses(1).then((frames) => frames[0]!, () => null);
        if (frame !== null) {
          const { body: answer } = decodeResponse<MetadataResponse>(frame, ApiKey.Metadata, version);
          const expected = version >= 12 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.INVALID_REQUEST;
          assert.equal(answer.topics[0]?.errorCode, expected, `Metadata v${version}: error code`);
        }
        if (version === 12) assert.ok(frame !== null, 'Metadata v12 by topic id was not answered');
      } finally {
        conn.destroy();
      }
      const frame = await bystander.roundTrip(request(ApiKey.ApiVersions, 0, cid(), {}));
      assert.equal(decodeResponse<ApiVersionsResponse>(frame, ApiKey.ApiVersions, 0).body.errorCode, 0, `broker down after Metadata v${version}`);
    }
  });

  test('the bystander connection and the seeded records are untouched', async () => {
    const frame = await bystander.roundTrip(request(ApiKey.Metadata, 12, cid(), { topics: null }));
    assert.equal(decodeResponse(frame, ApiKey.Metadata, 12).correlationId, nextCorrelationId - 1);
    const partition0 = (await kcatConsumeJson(broker.bootstrap, topic, ['-p', '0'])).map(fromKcat);
    assertExactRecords(partition0, { indices: range(0, seededCount), headersOf: () => [] });
    // Partition 1 holds only the one 900 KiB record the under-the-limit test wrote.
    assert.deepEqual(await latestOffsets(), [seededCount, 1]);
  });
});
