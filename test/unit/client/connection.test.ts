// Goal: a client connection negotiates versions as min(ours, broker's), matches pipelined
// responses to requests in order, bounds every request with a deadline, and turns lost or
// confused connections into retriable Kafka errors instead of hanging.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { KafkaConnection, type ConnectionOptions } from '../../../src/client/connection.js';
import { FrameDecoder } from '../../../src/client/frame-decoder.js';
import { ApiKey } from '../../../src/protocol/generated/api-keys.js';
import { ErrorCode, KafkaError } from '../../../src/protocol/errors.js';
import { allApiVersions, FakeBroker, type Handler } from './fake-broker.js';

const fakes: FakeBroker[] = [];
after(async () => {
  for (const f of fakes) await f.stop();
});

async function fake(handler: Handler, versions = allApiVersions()): Promise<FakeBroker> {
  const f = await FakeBroker.start(1, handler, versions);
  fakes.push(f);
  return f;
}

function options(f: FakeBroker, overrides: Partial<ConnectionOptions> = {}): ConnectionOptions {
  return {
    host: '127.0.0.1', port: f.port, clientId: 'unit', connectTimeoutMs: 2000, requestTimeoutMs: 2000,
    inflightRequestsMax: 16, frameBytesMax: 1 << 20, ...overrides,
  };
}

/** A Metadata answer whose cluster id echoes the first topic asked, so answers are tellable apart. */
const echoMetadata: Handler = (r) => ({ body: { clusterId: r.body.topics?.[0]?.name ?? 'all', controllerId: 1, brokers: [], topics: [] } });

function isKafkaError(code: number): (err: unknown) => boolean {
  return (err) => err instanceof KafkaError && err.code === code;
}

test('FrameDecoder yields frames whatever the chunking and refuses impossible sizes', () => {
  const frames = ['one', '', 'three three'].map((s) => {
    const b = Buffer.alloc(4 + s.length);
    b.writeInt32BE(s.length);
    b.write(s, 4);
    return b;
  });
  const stream = Buffer.concat(frames);
  for (let size = 1; size <= stream.length; size++) {
    const decoder = new FrameDecoder(100);
    const got: string[] = [];
    for (let i = 0; i < stream.length; i += size) got.push(...decoder.push(stream.subarray(i, i + size)).frames.map(String));
    assert.deepEqual(got, ['one', '', 'three three'], `chunk size ${size}`);
  }
  const big = Buffer.alloc(4);
  big.writeInt32BE(101);
  assert.equal(new FrameDecoder(100).push(big).badSize, 101);
});

test('versions are min(our max, broker max), within both minimums', async () => {
  const f = await fake(echoMetadata, allApiVersions({ [ApiKey.Metadata]: { min: 1, max: 5 }, [ApiKey.ListGroups]: null, [ApiKey.OffsetFetch]: { min: 8, max: 9 } }));
  const c = await KafkaConnection.open(options(f));
  assert.equal(c.versionFor(ApiKey.Metadata), 5);
  assert.equal(c.versionFor(ApiKey.Metadata, { max: 3 }), 3);
  assert.equal(c.versionFor(ApiKey.OffsetFetch, { min: 2, max: 9 }), 9);
  assert.throws(() => c.versionFor(ApiKey.OffsetFetch, { max: 7 }), isKafkaError(ErrorCode.UNSUPPORTED_VERSION));
  assert.throws(() => c.versionFor(ApiKey.ListGroups), /does not offer ListGroups/);
  const handshake = f.requests(ApiKey.ApiVersions);
  assert.equal(handshake.length, 1);
  assert.equal(handshake[0]!.version, 4);
  assert.equal(handshake[0]!.body.clientSoftwareName, 'tideline-client');
  assert.equal(handshake[0]!.clientId, 'unit');
  c.close();
});

test('an older broker answers ApiVersions in v0 with UNSUPPORTED_VERSION and the client retries lower', async () => {
  const f = await fake(echoMetadata, allApiVersions({ [ApiKey.ApiVersions]: { min: 0, max: 2 } }));
  const c = await KafkaConnection.open(options(f));
  assert.deepEqual(f.requests(ApiKey.ApiVersions).map((r) => r.version), [4, 2]);
  assert.equal(c.versionFor(ApiKey.ApiVersions), 2);
  c.close();
});

test('pipelined requests resolve with their own responses even when the first is slow', async () => {
  const f = await fake((r) => ({ ...(echoMetadata(r) as { body: object }), delayMs: r.body.topics?.[0]?.name === 'a' ? 150 : 0 }));
  const c = await KafkaConnection.open(options(f));
  const v = c.versionFor(ApiKey.Metadata);
  const names = ['a', 'b', 'c', 'd'];
  const answers = await Promise.all(names.map((name) => c.request<{ clusterId: string }>(ApiKey.Metadata, v, { topics: [{ name }] })));
  assert.deepEqual(answers.map((a) => a.clusterId), names);
  const ids = f.requests(ApiKey.Metadata).map((r) => r.correlationId);
  assert.equal(new Set(ids).size, ids.length, 'correlation ids are unique');
  c.close();
});

test('at most inflightRequestsMax requests are on the wire; the rest wait their turn', async () => {
  let outstanding = 0;
  let outstandingMax = 0;
  const f = await fake((r) => {
    outstanding++;
    outstandingMax = Math.max(outstandingMax, outstanding);
    setTimeout(() => outstanding--, 20);
    return { ...(echoMetadata(r) as { body: object }), delayMs: 20 };
  });
  const c = await KafkaConnection.open(options(f, { inflightRequestsMax: 2 }));
  const v = c.versionFor(ApiKey.Metadata);
  const answers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => c.request<{ clusterId: string }>(ApiKey.Metadata, v, { topics: [{ name }] })));
  assert.deepEqual(answers.map((a) => a.clusterId), ['a', 'b', 'c', 'd', 'e']);
  assert.ok(outstandingMax <= 2, `saw ${outstandingMax} outstanding`);
  c.close();
});

test('an unanswered request times out, and closes the connection for those behind it', async () => {
  const f = await fake((r) => (r.body.topics?.[0]?.name === 'slow' ? 'hang' : { ...(echoMetadata(r) as { body: object }), delayMs: 1000 }));
  const c = await KafkaConnection.open(options(f, { requestTimeoutMs: 200 }));
  const v = c.versionFor(ApiKey.Metadata);
  const started = Date.now();
  const slow = c.request(ApiKey.Metadata, v, { topics: [{ name: 'slow' }] });
  const behind = c.request(ApiKey.Metadata, v, { topics: [{ name: 'next' }] });
  await assert.rejects(slow, isKafkaError(ErrorCode.REQUEST_TIMED_OUT));
  await assert.rejects(behind, (err) => isKafkaError(ErrorCode.NETWORK_EXCEPTION)(err) || isKafkaError(ErrorCode.REQUEST_TIMED_OUT)(err));
  assert.ok(Date.now() - started < 1000, 'the deadline, not the broker, ended the wait');
  assert.equal(c.isClosed, true);
  await assert.rejects(c.request(ApiKey.Metadata, v, { topics: [] }), isKafkaError(ErrorCode.NETWORK_EXCEPTION));
});

test('a broker closing the socket fails the outstanding request with NETWORK_EXCEPTION', async () => {
  const f = await fake(() => 'close');
  const c = await KafkaConnection.open(options(f));
  await assert.rejects(c.request(ApiKey.Metadata, c.versionFor(ApiKey.Metadata), { topics: [] }), (err) => {
    assert.ok(err instanceof KafkaError && err.code === ErrorCode.NETWORK_EXCEPTION && err.retriable);
    assert.match(err.message, /closed/);
    return true;
  });
});

test('a response with the wrong correlation id closes the connection', async () => {
  const f = await fake((r) => ({ ...(echoMetadata(r) as { body: object }), correlationId: r.correlationId + 100 }));
  const c = await KafkaConnection.open(options(f));
  await assert.rejects(c.request(ApiKey.Metadata, c.versionFor(ApiKey.Metadata), { topics: [] }), /correlation id/);
  assert.equal(c.isClosed, true);
});

test('a refused connection is NETWORK_EXCEPTION naming the address', async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await assert.rejects(
    KafkaConnection.open({ host: '127.0.0.1', port, clientId: 'unit', connectTimeoutMs: 1000, requestTimeoutMs: 1000, inflightRequestsMax: 1, frameBytesMax: 1000 }),
    (err) => err instanceof KafkaError && err.code === ErrorCode.NETWORK_EXCEPTION && err.message.includes(`127.0.0.1:${port}`) && err.message.includes('ECONNREFUSED'),
  );
});

test('a body the chosen version cannot carry fails at once as the caller\'s bug', async () => {
  const f = await fake(echoMetadata);
  const c = await KafkaConnection.open(options(f));
  await assert.rejects(c.request(ApiKey.OffsetFetch, 8, { groupId: 'g' }), { name: 'ProtocolEncodeError' });
  assert.equal(c.isClosed, false);
  c.close();
});
