// Goal: the KIP-848 consumer group protocol at the wire level, since librdkafka 2.0.2 predates it.
// Two members driven by raw ConsumerGroupHeartbeat requests (the project's codecs over a socket)
// on a 4-partition topic end with disjoint assignments covering every partition, and the
// coordinator follows revoke-then-assign: it never hands a member a partition that another member
// still reported owning in its last heartbeat. Member epochs never go back, and settle on one
// value. ConsumerGroupDescribe shows the same assignment; OffsetCommit v9 is checked against the
// member epoch; a stale epoch is fenced, an unknown member refused; when a member leaves (epoch -1)
// the other gets everything.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { WireClient } from '../helpers/kafka-wire.js';
import { ApiKey } from '../../src/protocol/generated/api-keys.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ZERO_UUID } from '../../src/protocol/reader.js';
import type { ConsumerGroupHeartbeatResponse } from '../../src/protocol/generated/consumer-group-heartbeat-response.js';
import { brokerErrors } from '../helpers/broker-log.js';

const topic = 'kip848-topic';
const groupId = 'kip848-group';
const partitionCount = 4;

/** One simulated KIP-848 client: applies each assignment at once and reports it in its next heartbeat. */
class WireMember {
  memberId = '';
  memberEpoch = 0;
  owned: number[] = [];
  /** What this member told the coordinator it owns, in its latest heartbeat. */
  reported: number[] = [];
  readonly epochs: number[] = [];
  readonly assignments: number[][] = [];
  constructor(
    readonly name: string,
    private readonly wire: WireClient,
    private readonly version: number,
    private readonly topicId: string,
  ) {
    // v0: the coordinator names the member; v1 (KIP-1082): the client does, with a random UUID.
    if (version >= 1) this.memberId = randomUUID();
  }

  async heartbeat(): Promise<ConsumerGroupHeartbeatResponse> {
    const body = {
      groupId,
      memberId: this.memberId,
      memberEpoch: this.memberEpoch,
      rebalanceTimeoutMs: 10_000,
      subscribedTopicNames: [topic],
      // Joining (epoch 0) requires an empty list, so a member owning nothing sends no topic entry.
      topicPartitions: this.owned.length === 0 ? [] : [{ topicId: this.topicId, partitions: this.owned }],
    };
    this.reported = [...this.owned];
    const response = (await this.wire.request(ApiKey.ConsumerGroupHeartbeat, this.version, body)) as ConsumerGroupHeartbeatResponse;
    assert.equal(response.errorCode, ErrorCode.NONE, `${this.name}: heartbeat error ${response.errorCode} ${response.errorMessage}`);
    assert.ok(response.heartbeatIntervalMs > 0, 'a heartbeat interval is given');
    if (this.version >= 1) assert.equal(response.memberId, this.memberId, 'the coordinator keeps a client-chosen member id');
    if (response.memberId !== null) this.memberId = response.memberId;
    assert.ok(response.memberEpoch >= this.memberEpoch, `${this.name}: epoch went from ${this.memberEpoch} to ${response.memberEpoch}`);
    this.memberEpoch = response.memberEpoch;
    this.epochs.push(response.memberEpoch);
    if (response.assignment !== null) {
      for (const tp of response.assignment.topicPartitions) assert.equal(tp.topicId, this.topicId, 'only the subscribed topic');
      const partitions = response.assignment.topicPartitions.flatMap((tp) => tp.partitions).sort((a, b) => a - b);
      this.assignments.push(partitions);
      // Revoke what is gone, then take what is new: the client owns exactly the assignment.
      this.owned = partitions;
    }
    return response;
  }

  async leave(): Promise<ConsumerGroupHeartbeatResponse> {
    const body = { groupId, memberId: this.memberId, memberEpoch: -1 };
    return (await this.wire.request(ApiKey.ConsumerGroupHeartbeat, this.version, body)) as ConsumerGroupHeartbeatResponse;
  }
}

/** Revoke-then-assign, seen from outside: nothing `member` now owns is still reported by `others`. */
function assertNoDoubleOwnership(member: WireMember, others: readonly WireMember[]): void {
  for (const other of others) {
    const shared = member.owned.filter((p) => other.reported.includes(p));
    assert.deepEqual(shared, [], `${member.name} was given ${shared} while ${other.name} still reported owning them`);
  }
}


describe('KIP-848 ConsumerGroupHeartbeat over the wire', { timeout: 55_000 }, () => {
  let broker: BrokerProcess;
  let wire: WireClient;
  let topicId: string;
  let a: WireMember;
  let b: WireMember;

  before(async () => {
    broker = await startBroker({ overrides: { 'num.partitions': String(partitionCount), 'auto.create.topics.enable': 'true' } });
    wire = await WireClient.connect(broker.bootstrap);
    topicId = await createTopicAndGetId(wire);
  });
  after(async () => {
    wire?.close();
    assert.equal(await broker.stop(), 0, broker.stderrTail(4000));
  });

  test('FindCoordinator names this broker for the group', async () => {
    const response = await wire.request(ApiKey.FindCoordinator, 4, { keyType: 0, coordinatorKeys: [groupId] });
    assert.equal(response.coordinators.length, 1);
    const coordinator = response.coordinators[0];
    assert.equal(coordinator.errorCode, ErrorCode.NONE);
    assert.equal(coordinator.key, groupId);
    assert.equal(coordinator.nodeId, broker.nodeId);
    assert.equal(coordinator.port, broker.port);
  });

  test('the first member gets every partition', async () => {
    a = new WireMember('a', wire, 0, topicId);
    await a.heartbeat();
    assert.notEqual(a.memberId, '', 'the coordinator gave a member id');
    assert.ok(a.memberEpoch > 0);
    for (let k = 0; k < 5 && a.owned.length < partitionCount; k++) await a.heartbeat();
    assert.deepEqual(a.owned, [0, 1, 2, 3]);
  });

  test('a second member joins: revoke then assign, ending disjoint and complete', async () => {
    b = new WireMember('b', wire, 1, topicId);
    await b.heartbeat();
    assert.notEqual(b.memberId, a.memberId);
    assertNoDoubleOwnership(b, [a]);
    for (let round = 0; round < 20; round++) {
      await a.heartbeat();
      assertNoDoubleOwnership(a, [b]);
      await b.heartbeat();
      assertNoDoubleOwnership(b, [a]);
      if (isSettled([a, b])) break;
    }
    assert.ok(isSettled([a, b]), `not settled: a ${JSON.stringify(a.assignments)} b ${JSON.stringify(b.assignments)}`);
    assert.deepEqual([a.owned.length, b.owned.length], [2, 2]);
    // a gave partitions up before b got them: some assignment of a was a strict subset of all four.
    assert.ok(a.assignments.some((parts) => parts.length === 2), `a was revoked: ${JSON.stringify(a.assignments)}`);
    assert.equal(a.memberEpoch, b.memberEpoch, 'both reconciled to the group epoch');
    // Heartbeats once settled change nothing.
    const epoch = a.memberEpoch;
    await a.heartbeat();
    await b.heartbeat();
    assert.deepEqual([a.memberEpoch, b.memberEpoch], [epoch, epoch]);
    assert.deepEqual([...a.owned, ...b.owned].sort(), [0, 1, 2, 3]);
  });

  test('ConsumerGroupDescribe shows both members, their epochs and assignments', async () => {
    const response = await wire.request(ApiKey.ConsumerGroupDescribe, 0, { groupIds: [groupId], includeAuthorizedOperations: false });
    const group = response.groups[0];
    assert.equal(group.errorCode, ErrorCode.NONE);
    assert.equal(group.groupState, 'Stable');
    assert.equal(group.groupEpoch, a.memberEpoch);
    assert.equal(group.assignmentEpoch, a.memberEpoch);
    const members = new Map<string, { memberEpoch: number; assignment: { topicPartitions: { topicName: string; partitions: number[] }[] } }>(
      group.members.map((m: { memberId: string }) => [m.memberId, m]),
    );
    for (const m of [a, b]) {
      const described = members.get(m.memberId);
      assert.ok(described, `${m.name} is described`);
      assert.equal(described.memberEpoch, m.memberEpoch);
      assert.deepEqual(described.assignment.topicPartitions.map((tp) => ({ name: tp.topicName, partitions: [...tp.partitions].sort() })), [
        { name: topic, partitions: m.owned },
      ]);
    }
  });

  test('OffsetCommit v9 takes the member epoch; a stale one is refused', async () => {
    const commit = (member: WireMember, memberEpoch: number) =>
      wire.request(ApiKey.OffsetCommit, 9, {
        groupId,
        generationIdOrMemberEpoch: memberEpoch,
        memberId: member.memberId,
        groupInstanceId: null,
        topics: [
          { name: topic, partitions: [{ partitionIndex: a.owned[0]!, committedOffset: 7, committedLeaderEpoch: -1, committedMetadata: null }] },
        ],
      });
    const ok = await commit(a, a.memberEpoch);
    assert.equal(ok.topics[0].partitions[0].errorCode, ErrorCode.NONE);
    const stale = await commit(a, a.memberEpoch - 1);
    assert.equal(stale.topics[0].partitions[0].errorCode, ErrorCode.STALE_MEMBER_EPOCH);
  });

  test('a heartbeat with a wrong epoch is fenced; an unknown member id is refused', async () => {
    const fenced = await wire.request(ApiKey.ConsumerGroupHeartbeat, 0, {
      groupId,
      memberId: a.memberId,
      memberEpoch: a.memberEpoch + 5,
      topicPartitions: [{ topicId, partitions: a.owned }],
    });
    assert.equal(fenced.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
    const unknown = await wire.request(ApiKey.ConsumerGroupHeartbeat, 0, { groupId, memberId: 'no-such-member', memberEpoch: 3 });
    assert.equal(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('when a member leaves (epoch -1), the other is assigned everything', async () => {
    // A fenced member must rejoin with epoch 0 and its owned partitions dropped (KIP-848).
    a.memberEpoch = 0;
    a.owned = [];
    await a.heartbeat();
    const left = await b.leave();
    assert.equal(left.errorCode, ErrorCode.NONE);
    assert.equal(left.memberEpoch, -1);
    for (let k = 0; k < 10 && a.owned.length < partitionCount; k++) await a.heartbeat();
    assert.deepEqual(a.owned, [0, 1, 2, 3]);
    const response = await wire.request(ApiKey.ConsumerGroupDescribe, 0, { groupIds: [groupId], includeAuthorizedOperations: false });
    assert.deepEqual(response.groups[0].members.map((m: { memberId: string }) => m.memberId), [a.memberId]);
  });

  test('the broker logged no internal error', () => {
    assert.deepEqual(brokerErrors(broker), []);
  });
});

function isSettled(members: readonly WireMember[]): boolean {
  const owned = members.flatMap((m) => m.owned);
  const epochs = new Set(members.map((m) => m.memberEpoch));
  const isComplete = owned.length === partitionCount && new Set(owned).size === partitionCount;
  return isComplete && epochs.size === 1 && members.every((m) => m.owned.length > 0);
}

/** Metadata v12 with auto-creation until the topic has its partitions and a topic id (bounded). */
async function createTopicAndGetId(wire: WireClient): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await wire.request(ApiKey.Metadata, 12, {
      topics: [{ topicId: ZERO_UUID, name: topic }],
      allowAutoTopicCreation: true,
      includeTopicAuthorizedOperations: false,
    });
    const found = response.topics[0];
    if (found.errorCode === ErrorCode.NONE && found.topicId !== ZERO_UUID && found.partitions.length === partitionCount) return found.topicId;
    if (Date.now() > deadline) throw new Error(`topic not ready: ${JSON.stringify(found)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
