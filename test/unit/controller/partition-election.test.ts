// Goal: leaders are the first eligible ISR member in replica order; a departing broker's
// leaderships move and it leaves ISRs except as the last member (then no leader, ISR kept);
// leaderless partitions get a leader when a member becomes eligible; preferred leader election
// moves leadership back to the first replica only when it may lead; records name only changes;
// unclean election, where the topic (override, else the broker default) allows it, elects the
// first eligible replica outside the ISR (never one being removed) and resets the ISR to it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  activeIn,
  chooseLeader,
  electLeader,
  electLeaderless,
  evacuateBroker,
  excluding,
  including,
  isUncleanElectionEnabled,
  leadsTransferable,
  partitionChange,
  preferredLeaderElection,
} from '../../../src/controller/partition-election.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ConfigResourceType } from '../../../src/metadata/records.js';
import { applyAll, imageWith, leadersAndIsrs, partitionOf, topicIdOf } from './fixtures.js';

test('chooseLeader: first replica in the ISR that is eligible', () => {
  const all = () => true;
  const cases: [number[], number[], (id: number) => boolean, number][] = [
    [[1, 2, 3], [1, 2, 3], all, 1],
    [[1, 2, 3], [3, 2], all, 2],
    [[1, 2, 3], [1, 2, 3], (id) => id !== 1, 2],
    [[3, 1, 2], [1, 2, 3], (id) => id !== 3, 1],
    [[1, 2], [1], (id) => id !== 1, -1],
    [[1, 2], [], all, -1],
  ];
  for (const [replicas, isr, isEligible, leader] of cases) assert.equal(chooseLeader(replicas, isr, isEligible), leader, `${replicas} ${isr}`);
});

test('partitionChange names only what changed', () => {
  const p = { partitionId: 4, replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 3, partitionEpoch: 7, addingReplicas: [], removingReplicas: [] };
  assert.equal(partitionChange('t', p, { leader: 1, isr: [1, 2] }), null);
  assert.deepEqual(partitionChange('t', p, { leader: 2, isr: [1, 2] }), { type: 'PartitionChange', topicId: 't', partitionId: 4, leader: 2 });
  assert.deepEqual(partitionChange('t', p, { leader: 1, isr: [1] }), { type: 'PartitionChange', topicId: 't', partitionId: 4, isr: [1] });
  assert.deepEqual(partitionChange('t', p, { leader: -1, isr: [2] }), { type: 'PartitionChange', topicId: 't', partitionId: 4, leader: -1, isr: [2] });
  assert.equal(partitionChange('t', p, { leader: 1, isr: [1, 2], replicas: [1, 2], addingReplicas: [], removingReplicas: [] }), null);
  assert.deepEqual(partitionChange('t', p, { leader: 1, isr: [1, 2], replicas: [3, 1, 2], addingReplicas: [3], removingReplicas: [2] }), {
    type: 'PartitionChange',
    topicId: 't',
    partitionId: 4,
    replicas: [3, 1, 2],
    addingReplicas: [3],
    removingReplicas: [2],
  });
});

test('eligibility: active brokers, with one excluded or included as if already changed', () => {
  const image = imageWith([1, { id: 2, fenced: true }, { id: 3, inControlledShutdown: true }, 4]);
  const active = activeIn(image);
  assert.deepEqual([1, 2, 3, 4, 5].filter(active), [1, 4]);
  assert.deepEqual([1, 2, 3, 4].filter(excluding(active, 4)), [1]);
  assert.deepEqual([1, 2, 3, 4].filter(including(active, 2)), [1, 2, 4]);
});

test('evacuateBroker moves leadership, shrinks ISRs, and keeps a last member without a leader', () => {
  const image = imageWith([1, 2, 3], {
    t: [
      { replicas: [1, 2, 3] }, // led by 1: moves to 2, ISR [2,3]
      { replicas: [2, 1, 3] }, // 1 follows: leaves the ISR, leader stays
      { replicas: [1, 2], isr: [1] }, // 1 alone: no leader, ISR kept
      { replicas: [2, 3] }, // untouched
      { replicas: [1, 3, 2], isr: [1, 2] }, // moves to 2, the only other ISR member
    ],
  });
  const records = evacuateBroker(image, 1, excluding(activeIn(image), 1), true);
  assert.equal(records.length, 4);
  applyAll(image, records);
  assert.deepEqual(leadersAndIsrs(image, 't'), [
    [2, [2, 3]],
    [2, [2, 3]],
    [-1, [1]],
    [2, [2, 3]],
    [2, [2]],
  ]);
  assert.deepEqual([0, 1, 2, 3].map((i) => partitionOf(image, 't', i).leaderEpoch), [1, 0, 1, 0], 'only leader changes bump the leader epoch');
});

test('evacuateBroker without leaving ISRs only moves leadership', () => {
  const image = imageWith([1, 2], { t: [{ replicas: [1, 2] }, { replicas: [2, 1] }] });
  applyAll(image, evacuateBroker(image, 1, excluding(activeIn(image), 1), false));
  assert.deepEqual(leadersAndIsrs(image, 't'), [
    [2, [1, 2]],
    [2, [2, 1]],
  ]);
});

test('leadsTransferable: only leaderships another eligible ISR member could take count', () => {
  const image = imageWith([1, 2, { id: 3, fenced: true }], { a: [{ replicas: [1, 3], isr: [1, 3] }], b: [{ replicas: [1, 2] }] });
  assert.equal(leadsTransferable(image, 1, activeIn(image)), true);
  applyAll(image, [{ type: 'RemoveTopic', topicId: topicIdOf('b') }]);
  assert.equal(leadsTransferable(image, 1, activeIn(image)), false, 'only a fenced broker could take over');
  assert.equal(leadsTransferable(image, 2, activeIn(image)), false, 'leads nothing');
});

test('electLeaderless elects the newly eligible broker where it is in the ISR of a leaderless partition', () => {
  const image = imageWith([{ id: 1, fenced: true }, 2], {
    t: [{ replicas: [1, 2], isr: [1], leader: -1 }, { replicas: [2, 1], isr: [2] }, { replicas: [1, 2], isr: [2], leader: -1 }],
  });
  const records = electLeaderless(image, 1, including(activeIn(image), 1));
  assert.deepEqual(records, [{ type: 'PartitionChange', topicId: topicIdOf('t'), partitionId: 0, leader: 1 }]);
});

test('preferredLeaderElection moves leadership back to the first replica when it may lead', () => {
  const image = imageWith([1, 2, { id: 3, fenced: true }], {
    t: [
      { replicas: [1, 2], leader: 2 }, // moved back to 1
      { replicas: [1, 2] }, // already there
      { replicas: [3, 2], isr: [3, 2], leader: 2 }, // 3 fenced
      { replicas: [1, 2], isr: [2] }, // 1 not in the ISR
    ],
  });
  const t = topicIdOf('t');
  const named = preferredLeaderElection(image, [
    { topicId: t, partitionId: 0 },
    { topicId: t, partitionId: 0 },
    { topicId: t, partitionId: 9 },
    { topicId: 'nope', partitionId: 0 },
  ]);
  assert.deepEqual(named.results.map((r) => r.errorCode), [ErrorCode.NONE, ErrorCode.ELECTION_NOT_NEEDED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  assert.equal(named.records.length, 1);
  const all = preferredLeaderElection(image);
  assert.deepEqual(all.results.map((r) => [r.partitionId, r.errorCode]), [
    [0, ErrorCode.NONE],
    [1, ErrorCode.ELECTION_NOT_NEEDED],
    [2, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
    [3, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
  ]);
  applyAll(image, all.records);
  assert.deepEqual([partitionOf(image, 't', 0).leader, partitionOf(image, 't', 0).leaderEpoch], [1, 1]);
});

const uncleanConfig = (topic: string, value: string | null) =>
  ({ type: 'Config', resourceType: ConfigResourceType.TOPIC, resourceName: topic, name: 'unclean.leader.election.enable', value }) as const;

test('isUncleanElectionEnabled: the topic override wins over the broker default', () => {
  const image = imageWith([1], { a: [{ replicas: [1] }], b: [{ replicas: [1] }], c: [{ replicas: [1] }] });
  applyAll(image, [uncleanConfig('a', 'true'), uncleanConfig('b', 'false')]);
  const cases: [string, boolean, boolean][] = [
    ['a', false, true],
    ['a', true, true],
    ['b', true, false],
    ['c', false, false],
    ['c', true, true],
  ];
  for (const [topic, uncleanDefault, expected] of cases) assert.equal(isUncleanElectionEnabled(image, topic, uncleanDefault), expected, `${topic} ${uncleanDefault}`);
});

test('electLeader: clean first; unclean only if allowed, never a removing replica, ISR reset', () => {
  const p = { replicas: [1, 2, 3, 4], removingReplicas: [2] };
  const not1 = (id: number) => id !== 1;
  assert.deepEqual(electLeader(p, [1, 3], not1, true), { leader: 3, isr: [1, 3] }, 'a clean choice exists');
  assert.deepEqual(electLeader(p, [1], not1, false), { leader: -1, isr: [1] });
  assert.deepEqual(electLeader(p, [1], not1, true), { leader: 3, isr: [3] }, '2 is being removed');
  assert.deepEqual(electLeader(p, [1], (id) => id === 2, true), { leader: -1, isr: [1] }, 'only a removing replica is eligible');
});

test('evacuateBroker elects outside the ISR only for topics that allow it', () => {
  const image = imageWith([1, 2, 3], { a: [{ replicas: [1, 2, 3], isr: [1] }], b: [{ replicas: [1, 3], isr: [1] }] });
  applyAll(image, [uncleanConfig('b', 'true')]);
  const isEligible = excluding(activeIn(image), 1);
  assert.deepEqual(evacuateBroker(image, 1, isEligible, true), [
    { type: 'PartitionChange', topicId: topicIdOf('a'), partitionId: 0, leader: -1 },
    { type: 'PartitionChange', topicId: topicIdOf('b'), partitionId: 0, leader: 3, isr: [3] },
  ]);
  const withDefault = evacuateBroker(image, 1, isEligible, true, { uncleanDefault: true });
  assert.deepEqual(withDefault[0], { type: 'PartitionChange', topicId: topicIdOf('a'), partitionId: 0, leader: 2, isr: [2] });
  applyAll(image, withDefault);
  assert.deepEqual([partitionOf(image, 'a', 0).leaderEpoch, partitionOf(image, 'b', 0).leaderEpoch], [1, 1]);
});

test('electLeaderless: a newly eligible replica outside the ISR leads only where unclean election is allowed', () => {
  const image = imageWith([{ id: 1, fenced: true }, { id: 2, fenced: true }], {
    a: [{ replicas: [1, 2], isr: [1], leader: -1 }],
    b: [{ replicas: [1, 2], isr: [1], leader: -1 }],
  });
  applyAll(image, [uncleanConfig('b', 'true')]);
  const records = electLeaderless(image, 2, including(activeIn(image), 2));
  assert.deepEqual(records, [{ type: 'PartitionChange', topicId: topicIdOf('b'), partitionId: 0, leader: 2, isr: [2] }]);
  assert.equal(electLeaderless(image, 2, including(activeIn(image), 2), { uncleanDefault: true }).length, 2);
});
