// Goal: KafkaAdmin sends each request to the broker that must answer it (coordinator, partition
// leader, every broker for ListGroups), batches FindCoordinator from v4 and falls back to one key
// per request before, retries after NOT_COORDINATOR with a fresh lookup, builds the simple commit
// and OffsetFetch bodies for the negotiated version, and reports Kafka errors by name.

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { KafkaAdmin, parseBootstrap } from '../../../src/client/index.js';
import { ApiKey } from '../../../src/protocol/generated/api-keys.js';
import { writeConsumerProtocolAssignment } from '../../../src/protocol/generated/consumer-protocol-assignment.js';
import { ErrorCode, KafkaError } from '../../../src/protocol/errors.js';
import { Writer } from '../../../src/protocol/writer.js';
import { allApiVersions, FakeBroker, type Answer, type SeenRequest } from './fake-broker.js';

/** Node ids 1 and 2; topic t has partition 0 led by 1 and partition 1 led by 2. */
interface Cluster {
  nodes: FakeBroker[];
  admin: KafkaAdmin;
  seen(apiKey: number): SeenRequest[];
}

let open: Cluster | undefined;
afterEach(async () => {
  if (open === undefined) return;
  await open.admin.close();
  for (const n of open.nodes) await n.stop();
  open = undefined;
});

type GroupHandler = (r: SeenRequest, cluster: { port(nodeId: number): number }) => Answer | undefined;

async function cluster(handler: GroupHandler, versions = allApiVersions()): Promise<Cluster> {
  const nodes: FakeBroker[] = [];
  const port = (nodeId: number): number => nodes.find((n) => n.nodeId === nodeId)!.port;
  const answer = (r: SeenRequest): Answer => {
    if (r.apiKey === ApiKey.Metadata) {
      const asked: string[] | null = r.body.topics === null ? null : r.body.topics.map((t: { name: string }) => t.name);
      const topics = (asked ?? ['t']).map((name) => name === 't'
        ? { name, partitions: [0, 1].map((p) => ({ partitionIndex: p, leaderId: p + 1, replicaNodes: [p + 1], isrNodes: [p + 1] })) }
        : { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
      return { body: { brokers: nodes.map((n) => ({ nodeId: n.nodeId, host: '127.0.0.1', port: n.port })), controllerId: 1, topics } };
    }
    return handler(r, { port }) ?? 'close';
  };
  for (const id of [1, 2]) nodes.push(await FakeBroker.start(id, answer, versions));
  const admin = new KafkaAdmin({ requestTimeoutMs: 2000, retryBackoffMs: 5 });
  await admin.connect(nodes[0]!.address);
  open = { nodes, admin, seen: (apiKey) => nodes.flatMap((n) => n.requests(apiKey)) };
  return open;
}

/** FindCoordinator answers from a table of group → node id, in the shape of the asked version. */
function coordinatorAnswer(r: SeenRequest, port: (nodeId: number) => number, table: Record<string, number>): Answer {
  if (r.version >= 4) {
    return { body: { coordinators: r.body.coordinatorKeys.map((key: string) => ({ key, nodeId: table[key]!, host: '127.0.0.1', port: port(table[key]!) })) } };
  }
  return { body: { nodeId: table[r.body.key]!, host: '127.0.0.1', port: port(table[r.body.key]!) } };
}

function assignmentBytes(version: number, partitions: Record<string, number[]>): Buffer {
  const w = new Writer();
  w.writeInt16(version);
  writeConsumerProtocolAssignment(w, Math.min(version, 3), {
    assignedPartitions: Object.entries(partitions).map(([topic, ps]) => ({ topic, partitions: ps })),
  });
  return w.toBuffer();
}

test('parseBootstrap reads host:port lists and bracketed IPv6', () => {
  assert.deepEqual(parseBootstrap('a:1, b:2'), [{ host: 'a', port: 1 }, { host: 'b', port: 2 }]);
  assert.deepEqual(parseBootstrap('[::1]:9092'), [{ host: '::1', port: 9092 }]);
  assert.throws(() => parseBootstrap('nohost'), RangeError);
  assert.throws(() => parseBootstrap('h:70000'), RangeError);
});

test('ListOffsets goes to each partition leader, one request per spec', async () => {
  const c = await cluster((r) => {
    if (r.apiKey !== ApiKey.ListOffsets) return undefined;
    const topics = r.body.topics.map((t: { name: string; partitions: { partitionIndex: number; timestamp: number }[] }) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, offset: p.timestamp === -2 ? 5 : 100 + p.partitionIndex, timestamp: -1 })),
    }));
    return { body: { topics } };
  });
  const offsets = await c.admin.listOffsets([
    { topic: 't', partition: 0, spec: 'latest' },
    { topic: 't', partition: 1, spec: 'latest' },
    { topic: 't', partition: 1, spec: 'earliest' },
  ]);
  assert.deepEqual(offsets.map((o) => o.offset), [100, 101, 5]);
  const [node1, node2] = c.nodes;
  const partitionsAsked = (n: FakeBroker): number[][] => n.requests(ApiKey.ListOffsets).map((r) => r.body.topics[0].partitions.map((p: { partitionIndex: number }) => p.partitionIndex));
  assert.deepEqual(partitionsAsked(node1!), [[0]]);
  assert.deepEqual(partitionsAsked(node2!).sort(), [[1], [1]]);
  for (const r of c.seen(ApiKey.ListOffsets)) assert.equal(r.body.replicaId, -1);
});

test('ListOffsets for a topic the cluster lacks fails at once with UNKNOWN_TOPIC_OR_PARTITION', async () => {
  const c = await cluster(() => undefined);
  await assert.rejects(c.admin.listOffsets([{ topic: 'missing', partition: 0, spec: 'latest' }]), (err) => {
    assert.ok(err instanceof KafkaError && err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.match(err.message, /ListOffsets missing-0: UNKNOWN_TOPIC_OR_PARTITION/);
    return true;
  });
  assert.equal(c.seen(ApiKey.Metadata).length, 2, 'connect, then one lookup: no retries');
});

test('describeGroups batches FindCoordinator (v4+) and asks each coordinator for its groups', async () => {
  const table = { a: 1, b: 2 };
  const c = await cluster((r, { port }) => {
    if (r.apiKey === ApiKey.FindCoordinator) return coordinatorAnswer(r, port, table);
    if (r.apiKey !== ApiKey.DescribeGroups) return undefined;
    return {
      body: {
        groups: r.body.groups.map((groupId: string) => ({
          groupId, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range',
          members: [{ memberId: `${groupId}-m1`, clientId: 'cl', clientHost: '/127.0.0.1', memberMetadata: Buffer.alloc(0), memberAssignment: assignmentBytes(3, { t: [1, 0] }) }],
        })),
      },
    };
  });
  const groups = await c.admin.describeGroups(['a', 'b']);
  assert.deepEqual(groups.map((g) => [g.groupId, g.coordinator.nodeId, g.groupState, g.protocol]), [['a', 1, 'Stable', 'range'], ['b', 2, 'Stable', 'range']]);
  assert.deepEqual(groups[0]!.members[0]!.assignment, [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
  const finds = c.seen(ApiKey.FindCoordinator);
  assert.equal(finds.length, 1);
  assert.deepEqual(finds[0]!.body.coordinatorKeys.sort(), ['a', 'b']);
  assert.deepEqual(c.nodes[0]!.requests(ApiKey.DescribeGroups).map((r) => r.body.groups), [['a']]);
  assert.deepEqual(c.nodes[1]!.requests(ApiKey.DescribeGroups).map((r) => r.body.groups), [['b']]);
});

test('before FindCoordinator v4 each group is looked up with its own request', async () => {
  const table = { a: 1, b: 1 };
  const c = await cluster((r, { port }) => {
    if (r.apiKey === ApiKey.FindCoordinator) return coordinatorAnswer(r, port, table);
    if (r.apiKey === ApiKey.DescribeGroups) return { body: { groups: r.body.groups.map((groupId: string) => ({ groupId, groupState: 'Empty' })) } };
    return undefined;
  }, allApiVersions({ [ApiKey.FindCoordinator]: { min: 0, max: 3 } }));
  await c.admin.describeGroups(['a', 'b']);
  const finds = c.seen(ApiKey.FindCoordinator);
  assert.deepEqual(finds.map((r) => [r.version, r.body.key]).sort(), [[3, 'a'], [3, 'b']]);
});

test('NOT_COORDINATOR makes the client look the coordinator up again and retry there', async () => {
  let lookups = 0;
  const c = await cluster((r, { port }) => {
    if (r.apiKey === ApiKey.FindCoordinator) return coordinatorAnswer(r, port, { g: ++lookups === 1 ? 1 : 2 });
    if (r.apiKey !== ApiKey.OffsetFetch) return undefined;
    if (r.nodeId === 1) return { body: { groups: [{ groupId: 'g', errorCode: ErrorCode.NOT_COORDINATOR }] } };
    return { body: { groups: [{ groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 7 }, { partitionIndex: 0, committedOffset: -1 }] }] }] } };
  });
  const committed = await c.admin.fetchCommittedOffsets('g');
  assert.deepEqual(committed.map((o) => [o.topic, o.partition, o.offset]), [['t', 1, 7]]);
  assert.equal(lookups, 2);
  const fetch = c.nodes[1]!.requests(ApiKey.OffsetFetch)[0]!;
  assert.equal(fetch.version, 9);
  assert.deepEqual(fetch.body.groups.map((g: { groupId: string; topics: unknown }) => [g.groupId, g.topics]), [['g', null]]);
});

test('OffsetFetch below v8 names the group at the top level and asks for all topics', async () => {
  const c = await cluster((r, { port }) => {
    if (r.apiKey === ApiKey.FindCoordinator) return coordinatorAnswer(r, port, { g: 1 });
    if (r.apiKey === ApiKey.OffsetFetch) return { body: { topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 3, metadata: '' }] }] } };
    return undefined;
  }, allApiVersions({ [ApiKey.OffsetFetch]: { min: 0, max: 7 } }));
  assert.deepEqual((await c.admin.fetchCommittedOffsets('g')).map((o) => o.offset), [3]);
  const fetch = c.seen(ApiKey.OffsetFetch)[0]!;
  assert.equal(fetch.version, 7);
  assert.equal(fetch.body.groupId, 'g');
  assert.equal(fetch.body.topics, null);
});

test('commitOffsets sends a simple commit: generation -1, no member id', async () => {
  const c = await cluster((r, { port }) => {
    if (r.apiKey === ApiKey.FindCoordinator) return coordinatorAnswer(r, port, { g: 2 });
    if (r.apiKey !== ApiKey.OffsetCommit) return undefined;
    return { body: { topics: r.body.topics.map((t: { name: string; partitions: { partitionIndex: number }[] }) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex })) })) } };
  });
  await c.admin.commitOffsets('g', [{ topic: 't', partition: 0, offset: 4 }, { topic: 't', partition: 1, offset: 9 }]);
  const [commit] = c.nodes[1]!.requests(ApiKey.OffsetCommit);
  assert.equal(commit!.body.generationIdOrMemberEpoch, -1);
  assert.equal(commit!.body.memberId, '');
  assert.deepEqual(commit!.body.topics[0].partitions.map((p: { partitionIndex: number; committedOffset: number }) => [p.partitionIndex, p.committedOffset]), [[0, 4], [1, 9]]);
});

test('a non-retriable error surfaces at once as a KafkaError naming the request and the code', async () => {
  const c = await cluster((r, { port }) => {
    if (r.apiKey === ApiKey.FindCoordinator) return coordinatorAnswer(r, port, { g: 1 });
    if (r.apiKey === ApiKey.OffsetCommit) return { body: { topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_MEMBER_ID }] }] } };
    return undefined;
  });
  await assert.rejects(c.admin.commitOffsets('g', [{ topic: 't', partition: 0, offset: 1 }]), (err) => {
    assert.ok(err instanceof KafkaError && err.code === ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(err.message, 'OffsetCommit(g) t-0: UNKNOWN_MEMBER_ID: The coordinator does not know this member.');
    return true;
  });
  assert.equal(c.seen(ApiKey.OffsetCommit).length, 1);
});

test('a retriable error that persists gives up after the configured retries', async () => {
  const c = await cluster((r) => (r.apiKey === ApiKey.FindCoordinator ? { body: { coordinators: [{ key: 'g', errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }] } } : undefined));
  await assert.rejects(c.admin.describeGroup('g'), /FindCoordinator\(g\): COORDINATOR_NOT_AVAILABLE/);
  // The default 5 retries, once: giving up on the lookup also ends the describe around it.
  assert.equal(c.seen(ApiKey.FindCoordinator).length, 6);
});

test('listGroups asks every broker and merges what they coordinate', async () => {
  const c = await cluster((r) => {
    if (r.apiKey !== ApiKey.ListGroups) return undefined;
    const groups = r.nodeId === 1 ? [{ groupId: 'x', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' }] : [{ groupId: 'a', protocolType: 'consumer', groupState: 'Empty', groupType: 'classic' }];
    return { body: { groups } };
  });
  const groups = await c.admin.listGroups();
  assert.deepEqual(groups.map((g) => [g.groupId, g.groupState, g.coordinatorId]), [['a', 'Empty', 2], ['x', 'Stable', 1]]);
  const filtered = await c.admin.listGroups({ states: ['Empty'] });
  assert.deepEqual(c.seen(ApiKey.ListGroups).at(-1)!.body.statesFilter, ['Empty']);
  assert.deepEqual(filtered.map((g) => g.groupId), ['a']);
});
