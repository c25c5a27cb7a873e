// Goal: kafkajs 2.2.4 consumer groups and group admin work against Tideline. Two kafkajs consumers
// in one group (consumer.run with eachMessage, autoCommit) split a 3-partition topic between them
// as their GROUP_JOIN events say, and together read back exactly what a kafkajs producer wrote
// (keys, values, headers, per-partition order) with each member reading only its own partitions;
// their commits show in admin.fetchOffsets. admin.listGroups, describeGroups (state, protocol,
// members and their assignments), resetOffsets, setOffsets (checked by a consumer that resumes
// exactly there) and deleteGroups (refused while the group has members) each do what they say.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import type { Admin, Consumer, Kafka as KafkaClient, KafkaMessage } from 'kafkajs';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { headersOf, keyOf, valueOf } from '../helpers/records.js';
import { assertExactRecords, range, type ReadRecord } from '../helpers/verify.js';
import { brokerErrors } from '../helpers/broker-log.js';

const { Kafka, logLevel, AssignerProtocol } = kafkajs;

const topic = 'kjs-grp-topic';
const groupId = 'kjs-grp';
const partitionCount = 3;
const recordCount = 300;
const perPartition = recordCount / partitionCount;

/** A kafkajs consumer and what it saw: its latest assignment and every record, in arrival order. */
interface Tracked {
  name: string;
  consumer: Consumer;
  assignment: number[] | undefined;
  joins: number;
  records: ReadRecord[];
}

function toReadRecord(partition: number, message: KafkaMessage): ReadRecord {
  const headers = Object.entries(message.headers ?? {}).map(([name, value]): [string, string] => [name, String(value)]);
  return {
    partition,
    offset: Number(message.offset),
    key: message.key?.toString() ?? null,
    value: message.value?.toString() ?? null,
    headers,
    timestamp: Number(message.timestamp),
  };
}

async function waitUntil(isMet: () => boolean | Promise<boolean>, timeoutMs: number, explain: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isMet())) {
    if (Date.now() > deadline) throw new Error(`not met within ${timeoutMs} ms:\n${explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}


describe('kafkajs consumer group and group admin', { timeout: 58_000 }, () => {
  let broker: BrokerProcess;
  let kafka: KafkaClient;
  let admin: Admin;
  const consumers: Consumer[] = [];

  const startConsumer = async (name: string, fromBeginning: boolean): Promise<Tracked> => {
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: 6000,
      heartbeatInterval: 300,
      rebalanceTimeout: 10_000,
      maxWaitTimeInMs: 100,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    consumers.push(consumer);
    const tracked: Tracked = { name, consumer, assignment: undefined, joins: 0, records: [] };
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      tracked.joins++;
      tracked.assignment = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        tracked.records.push(toReadRecord(partition, message));
      },
    });
    return tracked;
  };
  const committed = async (): Promise<string[]> => {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return [...entry!.partitions].sort((a, b) => a.partition - b.partition).map((p) => p.offset);
  };

  before(async () => {
    broker = await startBroker({ overrides: { 'group.initial.rebalance.delay.ms': '300', 'auto.create.topics.enable': 'false' } });
    kafka = new Kafka({
      clientId: 'tideline-kafkajs-groups',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    admin = kafka.admin();
    await admin.connect();
    assert.equal(await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitionCount }] }), true);
  });
  after(async () => {
    for (const c of consumers) await c.disconnect();
    await admin?.disconnect();
    assert.equal(await broker.stop(), 0, broker.stderrTail(4000));
  });

  test('two consumers split the partitions and read back exactly what was produced; commits show', async () => {
    const members = [await startConsumer('c1', true), await startConsumer('c2', true)];
    const explain = (): string =>
      JSON.stringify(members.map((m) => ({ name: m.name, assignment: m.assignment, joins: m.joins, read: m.records.length })));
    const isSplit = (): boolean => {
      const owned = members.flatMap((m) => m.assignment ?? [-1]);
      return members.every((m) => (m.assignment?.length ?? 0) > 0) && new Set(owned).size === partitionCount && owned.length === partitionCount;
    };
    await waitUntil(isSplit, 20_000, explain);
    const joins = members.map((m) => m.joins);

    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const messages = range(0, recordCount).map((i) => ({
      key: keyOf(i),
      value: valueOf(i),
      partition: i % partitionCount,
      headers: Object.fromEntries(headersOf(i)),
    }));
    await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();

    await waitUntil(() => members.reduce((n, m) => n + m.records.length, 0) >= recordCount, 15_000, explain);
    assert.deepEqual(members.map((m) => m.joins), joins, 'no rebalance while reading');
    for (const m of members) {
      for (const r of m.records) assert.ok(m.assignment!.includes(r.partition), `${m.name} read partition ${r.partition}`);
      assertExactRecords(m.records, {
        indices: range(0, recordCount).filter((i) => m.assignment!.includes(i % partitionCount)),
        partitionOf: (i) => i % partitionCount,
      });
    }
    await waitUntil(async () => (await committed()).every((o) => o === String(perPartition)), 10_000, explain);

    // While both are members: the group is Stable with both and their assignments.
    const { groups: listed } = await admin.listGroups();
    assert.deepEqual(listed.filter((g) => g.groupId === groupId), [{ groupId, protocolType: 'consumer' }]);
    const { groups } = await admin.describeGroups([groupId]);
    assert.equal(groups.length, 1);
    const group = groups[0]!;
    assert.equal(group.state, 'Stable');
    assert.equal(group.protocolType, 'consumer');
    assert.equal(group.protocol, 'RoundRobinAssigner');
    assert.equal(group.members.length, 2);
    const described = group.members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)!.assignment[topic]!.sort());
    assert.deepEqual(described.sort(), members.map((m) => m.assignment!).sort());
    for (const m of group.members) assert.equal(m.clientId, 'tideline-kafkajs-groups');

    const refused = await admin.deleteGroups([groupId]).then(
      () => assert.fail('deleteGroups of a group with members succeeded'),
      (err: unknown) => err as InstanceType<typeof kafkajs.KafkaJSDeleteGroupsError>,
    );
    assert.equal(refused.groups[0]?.error?.type, 'NON_EMPTY_GROUP');

    for (const m of members) await m.consumer.disconnect();
    const { groups: emptied } = await admin.describeGroups([groupId]);
    assert.equal(emptied[0]!.state, 'Empty');
    assert.deepEqual(emptied[0]!.members, []);
    assert.deepEqual(await committed(), [String(perPartition), String(perPartition), String(perPartition)]);
  });

  test('resetOffsets to earliest, then setOffsets: a new member resumes exactly there', async () => {
    // kafkajs commits the "earliest" marker -2 itself (as against Kafka), not a resolved offset.
    await admin.resetOffsets({ groupId, topic, earliest: true });
    assert.deepEqual(await committed(), ['-2', '-2', '-2']);
    await admin.setOffsets({
      groupId,
      topic,
      partitions: [
        { partition: 0, offset: '95' },
        { partition: 1, offset: '97' },
        { partition: 2, offset: String(perPartition) },
      ],
    });
    assert.deepEqual(await committed(), ['95', '97', String(perPartition)]);

    const resumer = await startConsumer('c3', true);
    const expected = [...range(95, perPartition).map((o) => o * 3), ...range(97, perPartition).map((o) => o * 3 + 1)];
    await waitUntil(() => resumer.records.length >= expected.length, 15_000, () => JSON.stringify(resumer.records.slice(-3)));
    // Nothing more than that arrives (fromBeginning does not apply: the group has offsets).
    await new Promise((resolve) => setTimeout(resolve, 500));
    assertExactRecords(resumer.records, {
      indices: expected,
      partitionOf: (i) => i % partitionCount,
      firstOffsetOf: (p) => (p === 0 ? 95 : 97),
    });
    await resumer.consumer.disconnect();
  });

  test('deleteGroups removes an empty group and its offsets', async () => {
    const result = await admin.deleteGroups([groupId]);
    assert.deepEqual(result.map((r) => ({ groupId: r.groupId, errorCode: r.errorCode })), [{ groupId, errorCode: 0 }]);
    const { groups } = await admin.listGroups();
    assert.equal(groups.find((g) => g.groupId === groupId), undefined);
    assert.deepEqual(await committed(), ['-1', '-1', '-1']);
  });

  test('the broker logged no internal error', () => {
    assert.deepEqual(brokerErrors(broker), []);
  });
});
