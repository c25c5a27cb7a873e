// Goal: the generated codecs speak Kafka's wire format, not merely a format they can read back.
// Each case is a frame laid out by hand from the protocol guide (docs/protocol.html: request and
// response headers, compact and nullable types, tagged fields, nullable struct markers) and is
// checked both ways: decoding gives the expected object and encoding it gives the same bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolDecodeError, Reader, ZERO_UUID } from '../../../src/protocol/reader.js';
import { CHUNK_COPY_MAX, ProtocolEncodeError, Writer } from '../../../src/protocol/writer.js';
import {
  API_MESSAGES,
  ApiKey,
  FETCH_REQUEST_VERSIONS,
  PRODUCE_REQUEST_API_KEY,
  PRODUCE_REQUEST_VERSIONS,
  apiName,
  readApiVersionsRequest,
  readApiVersionsResponse,
  readConsumerGroupHeartbeatResponse,
  readFetchRequest,
  readMetadataRequest,
  readRequestHeader,
  readResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
  writeApiVersionsRequest,
  writeApiVersionsResponse,
  writeConsumerGroupHeartbeatResponse,
  writeFetchRequest,
  writeMetadataRequest,
  writeProduceRequest,
  writeRequestHeader,
  type ApiVersionsResponse,
  type ConsumerGroupHeartbeatResponse,
} from '../../../src/protocol/generated/index.js';
import { OFFSET_COMMIT_KEY_VERSIONS } from '../../../src/protocol/generated/group-coordinator/offset-commit-key.js';

/** Hex with spaces, newlines and `# comments` allowed. */
function hex(text: string): Buffer {
  return Buffer.from(text.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex');
}

function encode(write: (w: Writer) => void): Buffer {
  const w = new Writer(16);
  write(w);
  return w.toBuffer();
}

test('ApiVersionsRequest v3 framed as librdkafka sends it', () => {
  const frame = hex(`
    00000024                      # size: 36 bytes follow
    0012 0003 00000001            # api key 18, version 3, correlation id 1
    0007 72646b61666b61           # client id "rdkafka": int16 length even in header v2
    00                            # header tagged fields: none
    0b 6c696272646b61666b61       # client software name, compact: "librdkafka"
    06 322e302e32                 # client software version, compact: "2.0.2"
    00                            # body tagged fields: none
  `);
  const r = new Reader(frame);
  assert.equal(r.readInt32(), r.remaining());
  const header = readRequestHeader(r, requestHeaderVersion(ApiKey.ApiVersions, 3));
  assert.deepEqual(header, { requestApiKey: 18, requestApiVersion: 3, correlationId: 1, clientId: 'rdkafka' });
  const body = readApiVersionsRequest(r, 3);
  assert.deepEqual(body, { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
  assert.equal(r.remaining(), 0);

  const out = encode((w) => {
    const size = w.reserveInt32();
    writeRequestHeader(w, 2, header);
    writeApiVersionsRequest(w, 3, body);
    w.patchInt32(size, w.length - 4);
  });
  assert.deepEqual(out, frame);
});

test('ApiVersionsResponse v3: response header v0, compact array, tagged fields in tag order', () => {
  const bytes = hex(`
    00000001                      # response header v0 (ApiVersions never uses v1): correlation id
    0000                          # error code
    03                            # api keys: 2 entries, compact (n + 1)
    0000 0000 000b 00             #   Produce 0-11, no tagged fields
    0012 0000 0004 00             #   ApiVersions 0-4
    00000000                      # throttle time
    03                            # 3 tagged fields
    00 17                         # tag 0 SupportedFeatures, 23 bytes
      02 11 6d657461646174612e76657273696f6e 0001 0014 00
    01 08 0000000000000005        # tag 1 FinalizedFeaturesEpoch = 5
    03 01 01                      # tag 3 ZkMigrationReady = true
  `);
  assert.equal(responseHeaderVersion(ApiKey.ApiVersions, 3), 0);
  const r = new Reader(bytes);
  assert.deepEqual(readResponseHeader(r, 0), { correlationId: 1 });
  const expected: ApiVersionsResponse = {
    errorCode: 0,
    apiKeys: [
      { apiKey: 0, minVersion: 0, maxVersion: 11 },
      { apiKey: 18, minVersion: 0, maxVersion: 4 },
    ],
    throttleTimeMs: 0,
    supportedFeatures: [{ name: 'metadata.version', minVersion: 1, maxVersion: 20 }],
    finalizedFeaturesEpoch: 5,
    finalizedFeatures: [],
    zkMigrationReady: true,
  };
  assert.deepEqual(readApiVersionsResponse(r, 3), expected);
  assert.equal(r.remaining(), 0);
  const out = encode((w) => {
    w.writeInt32(1);
    writeApiVersionsResponse(w, 3, expected);
  });
  assert.deepEqual(out, bytes);

  // The same response in v0: no throttle time, no tagged fields; tagged fields may not be set.
  const v0 = hex('0000 00000001 0012 0000 0004');
  assert.deepEqual(encode((w) => writeApiVersionsResponse(w, 0, { apiKeys: [{ apiKey: 18, maxVersion: 4 }] })), v0);
  assert.deepEqual(readApiVersionsResponse(new Reader(v0), 0).apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
});

test('MetadataRequest v1: classic arrays and strings, null topics for all topics', () => {
  const some = hex(`
    0003 0001 00000007 0007 6b61666b616a73   # header v1: Metadata v1, correlation 7, client "kafkajs"
    00000001 0004 74657374                    # topics: ["test"]
  `);
  const r = new Reader(some);
  assert.deepEqual(readRequestHeader(r, requestHeaderVersion(ApiKey.Metadata, 1)), {
    requestApiKey: 3,
    requestApiVersion: 1,
    correlationId: 7,
    clientId: 'kafkajs',
  });
  const body = readMetadataRequest(r, 1);
  assert.deepEqual(body, {
    topics: [{ topicId: ZERO_UUID, name: 'test' }],
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  assert.deepEqual(encode((w) => writeMetadataRequest(w, 1, { topics: [{ name: 'test' }] })), some.subarray(17));

  const all = hex('ffffffff');
  assert.equal(readMetadataRequest(new Reader(all), 1).topics, null);
  assert.deepEqual(encode((w) => writeMetadataRequest(w, 1, { topics: null })), all);
  // v0 has no null topics list (an empty list meant "all"), and no auto-creation flag.
  assert.throws(() => encode((w) => writeMetadataRequest(w, 0, { topics: null })), ProtocolEncodeError);
  assert.throws(() => readMetadataRequest(new Reader(all), 0), ProtocolDecodeError);
  assert.throws(() => encode((w) => writeMetadataRequest(w, 3, { allowAutoTopicCreation: false })), ProtocolEncodeError);
  assert.deepEqual(encode((w) => writeMetadataRequest(w, 4, { allowAutoTopicCreation: false })), hex('00000000 00'));
});

test('a flexible header skips unknown tagged fields', () => {
  const bytes = hex(`
    0001 000c 0000002a 0000       # Fetch v12, correlation 42, client id ""
    02                            # 2 tagged fields this reader does not know
    05 02 abcd                    #   tag 5, 2 bytes
    07 00                         #   tag 7, empty
    ffffffff                      # then the body starts
  `);
  const r = new Reader(bytes);
  assert.deepEqual(readRequestHeader(r, 2), { requestApiKey: 1, requestApiVersion: 12, correlationId: 42, clientId: '' });
  assert.equal(r.readInt32(), -1);
  assert.equal(r.remaining(), 0);
  // A tagged field whose size runs past the end is a decode error, not a crash.
  assert.throws(() => readRequestHeader(new Reader(hex('0001 000c 0000002a 0000 01 05 09 ab')), 2), ProtocolDecodeError);
  assert.deepEqual(readResponseHeader(new Reader(hex('0000002a 01 00 01 ff')), 1), { correlationId: 42 });
});

test('FetchRequest v12 carries ClusterId as tagged field 0 only when set', () => {
  const base = {
    replicaId: -1,
    maxWaitMs: 500,
    minBytes: 1,
    maxBytes: 52428800,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [],
    forgottenTopicsData: [],
    rackId: '',
  };
  const body = `
    ffffffff 000001f4 00000001 03200000 01 00000000 ffffffff   # replica, wait, min, max, isolation, session
    01 01 01                                                   # topics [], forgotten [], rack ""
  `;
  const without = hex(body + '00');
  assert.deepEqual(encode((w) => writeFetchRequest(w, 12, base)), without);
  const withId = hex(body + '01 00 04 04616263'); // 1 field: tag 0, 4 bytes: compact "abc" (length + 1 = 4)
  assert.deepEqual(encode((w) => writeFetchRequest(w, 12, { ...base, clusterId: 'abc' })), withId);
  const decoded = readFetchRequest(new Reader(withId), 12);
  assert.equal(decoded.clusterId, 'abc');
  assert.deepEqual(decoded.replicaState, { replicaId: -1, replicaEpoch: -1 });
  assert.equal(readFetchRequest(new Reader(without), 12).clusterId, null);
  // ReplicaState is tagged from v15; in v12 only its default may be given.
  assert.throws(() => encode((w) => writeFetchRequest(w, 12, { ...base, replicaState: { replicaId: 1 } })), ProtocolEncodeError);
  assert.deepEqual(FETCH_REQUEST_VERSIONS, { min: 0, max: 17, flexibleMin: 12 });
});

test('ConsumerGroupHeartbeatResponse: a nullable struct has an int8 presence marker', () => {
  const head = `
    00000000 0000 00 02 6d        # throttle, error, error message null, member id "m"
    00000005 00001388             # member epoch 5, heartbeat interval 5000
  `;
  const none = hex(head + 'ff 00'); // assignment: -1 = null; tagged fields
  const some = hex(head + `
    01                            # assignment present
    02 00000000000000000000000000000000 03 00000000 00000001 00   # 1 topic: zero id, [0, 1]
    00                            # assignment tagged fields
    00                            # tagged fields
  `);
  const base = {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    memberId: 'm',
    memberEpoch: 5,
    heartbeatIntervalMs: 5000,
  };
  const withAssignment: ConsumerGroupHeartbeatResponse = {
    ...base,
    assignment: { topicPartitions: [{ topicId: ZERO_UUID, partitions: [0, 1] }] },
  };
  assert.deepEqual(encode((w) => writeConsumerGroupHeartbeatResponse(w, 0, base)), none);
  assert.deepEqual(encode((w) => writeConsumerGroupHeartbeatResponse(w, 0, withAssignment)), some);
  assert.deepEqual(readConsumerGroupHeartbeatResponse(new Reader(none), 0), { ...base, assignment: null });
  assert.deepEqual(readConsumerGroupHeartbeatResponse(new Reader(some), 0), withAssignment);
});

test('ProduceRequest v3 appends large record batches by reference', () => {
  const batch = Buffer.alloc(CHUNK_COPY_MAX + 3, 7);
  const w = new Writer();
  writeProduceRequest(w, 3, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [{ name: 'test', partitionData: [{ index: 0, records: [batch] }] }],
  });
  const chunks = w.toChunks();
  assert.ok(chunks.includes(batch), 'the batch is one of the chunks, not a copy');
  const head = hex(`
    ffff ffff 00007530            # transactional id null, acks -1, timeout 30000
    00000001 0004 74657374        # 1 topic "test"
    00000001 00000000 00000403    # 1 partition, index 0, records: 1027 bytes
  `);
  assert.deepEqual(Buffer.concat(chunks), Buffer.concat([head, batch]));
  assert.equal(PRODUCE_REQUEST_API_KEY, 0);
  assert.deepEqual(PRODUCE_REQUEST_VERSIONS, { min: 0, max: 11, flexibleMin: 9 });
  assert.deepEqual(OFFSET_COMMIT_KEY_VERSIONS, { min: 0, max: 1, flexibleMin: Infinity });
});

test('the API table and header versions', () => {
  assert.equal(ApiKey.Produce, 0);
  assert.equal(ApiKey.ApiVersions, 18);
  assert.equal(apiName(1), 'Fetch');
  assert.equal(apiName(9999), 'Unknown(9999)');
  const apiVersions = API_MESSAGES[ApiKey.ApiVersions]!;
  assert.deepEqual(
    [apiVersions.apiKey, apiVersions.name, apiVersions.minVersion, apiVersions.maxVersion, apiVersions.flexibleMin],
    [18, 'ApiVersions', 0, 4, 3],
  );
  assert.equal(apiVersions.readRequest, readApiVersionsRequest);
  for (const [i, api] of API_MESSAGES.entries()) if (api) assert.equal(api.apiKey, i);
  const cases: [number, number, number, number][] = [
    // api key, version, request header, response header
    [ApiKey.Produce, 8, 1, 0],
    [ApiKey.Produce, 9, 2, 1],
    [ApiKey.ApiVersions, 2, 1, 0],
    [ApiKey.ApiVersions, 3, 2, 0],
    [ApiKey.ControlledShutdown, 0, 0, 0],
    [ApiKey.ControlledShutdown, 1, 1, 0],
    [ApiKey.Metadata, 9, 2, 1],
  ];
  for (const [key, version, request, response] of cases) {
    assert.equal(requestHeaderVersion(key, version), request, `${apiName(key)} v${version} request`);
    assert.equal(responseHeaderVersion(key, version), response, `${apiName(key)} v${version} response`);
  }
});
