// Goal: OffsetCommit / TxnOffsetCommit admission for a classic group matches Kafka's
// ClassicGroup.validateOffsetCommit in every group state, for members, strangers, fenced static
// members, stale generations and "simple" commits (generation -1, no member id).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorInfo } from '../../../src/protocol/errors.js';
import { Harness, type Step } from './classic-harness.js';

/** Stable generation 1 with dynamic a-1 and static s1-2 (instance s1). */
const stable: Step[] = [
  { t: 0, do: 'join a v=3', out: [] },
  { t: 10, do: 'join s instance=s1', out: [] },
  { t: 3000, do: 'expire', out: [] },
  { t: 6000, do: 'expire', out: ['join(a) NONE id=a-1 gen=1 range leader=a-1 members=[a-1,s1-2]', 'join(s) NONE id=s1-2 gen=1 range leader=a-1 members=[]'] },
  { t: 6010, do: 'sync a a=0 s=1', out: ['sync(a) NONE 0', 'persist'], state: 'Stable gen=1' },
];

const setups: Record<string, (h: Harness) => void> = {
  'Empty (new)': () => {},
  'Empty (all left)': (h) => {
    h.replay([...stable, { t: 7000, do: 'leave a s', out: ['leave(a-1) NONE', 'leave(s1-2) NONE', 'persist'], state: 'Empty gen=2' }]);
  },
  Stable: (h) => h.replay(stable),
  PreparingRebalance: (h) => h.replay([...stable, { t: 7000, do: 'join s meta=new', out: [], state: 'PreparingRebalance gen=1' }]),
  CompletingRebalance: (h) =>
    h.replay([
      ...stable,
      { t: 7000, do: 'join a', out: [] },
      { t: 7010, do: 'join s', out: ['join(a) NONE id=a-1 gen=2 range leader=a-1 members=[a-1,s1-2]', 'join(s) NONE id=s1-2 gen=2 range leader=a-1 members=[]'], state: 'CompletingRebalance gen=2' },
    ]),
  Dead: (h) => {
    h.replay(stable);
    h.group.markDead();
  },
};

// [setup, memberId, groupInstanceId, generationId, plain commit, transactional commit]
const matrix: [string, string, string | null, number, string, string][] = [
  ['Empty (new)', '', null, -1, 'NONE', 'NONE'],
  ['Empty (new)', 'someone', null, -1, 'NONE', 'NONE'],
  ['Empty (new)', 'someone', null, 0, 'UNKNOWN_MEMBER_ID', 'UNKNOWN_MEMBER_ID'],
  ['Empty (all left)', '', null, -1, 'NONE', 'NONE'],
  ['Empty (all left)', 'a-1', null, 1, 'UNKNOWN_MEMBER_ID', 'UNKNOWN_MEMBER_ID'],
  ['Stable', 'a-1', null, 1, 'NONE', 'NONE'],
  ['Stable', 's1-2', 's1', 1, 'NONE', 'NONE'],
  ['Stable', 'a-1', null, 0, 'ILLEGAL_GENERATION', 'ILLEGAL_GENERATION'],
  ['Stable', 'a-1', null, -1, 'ILLEGAL_GENERATION', 'ILLEGAL_GENERATION'],
  ['Stable', 'stranger', null, 1, 'UNKNOWN_MEMBER_ID', 'UNKNOWN_MEMBER_ID'],
  ['Stable', 's1-old', 's1', 1, 'FENCED_INSTANCE_ID', 'FENCED_INSTANCE_ID'],
  ['Stable', 'a-1', 'unknown-instance', 1, 'UNKNOWN_MEMBER_ID', 'UNKNOWN_MEMBER_ID'],
  // A simple commit to a group with members: refused, except transactionally (old
  // TxnOffsetCommit versions carry no member id or generation).
  ['Stable', '', null, -1, 'UNKNOWN_MEMBER_ID', 'NONE'],
  // Commits during PreparingRebalance are still accepted for the current generation.
  ['PreparingRebalance', 'a-1', null, 1, 'NONE', 'NONE'],
  ['PreparingRebalance', 'a-1', null, 2, 'ILLEGAL_GENERATION', 'ILLEGAL_GENERATION'],
  ['CompletingRebalance', 'a-1', null, 2, 'REBALANCE_IN_PROGRESS', 'NONE'],
  ['CompletingRebalance', 'a-1', null, 1, 'ILLEGAL_GENERATION', 'ILLEGAL_GENERATION'],
  ['Dead', 'a-1', null, 1, 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_NOT_AVAILABLE'],
  ['Dead', '', null, -1, 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_NOT_AVAILABLE'],
];

for (const [setup, memberId, instanceId, generationId, plain, transactional] of matrix) {
  test(`${setup}: commit by ${memberId || '""'}${instanceId ? `/${instanceId}` : ''} gen ${generationId} -> ${plain} / txn ${transactional}`, () => {
    const h = new Harness();
    setups[setup]!(h);
    assert.equal(errorInfo(h.group.validateOffsetCommit(memberId, instanceId, generationId)).name, plain);
    assert.equal(errorInfo(h.group.validateOffsetCommit(memberId, instanceId, generationId, true)).name, transactional);
  });
}

test('OffsetFetch member checks: none for a classic group unless it is Dead', () => {
  const h = new Harness();
  h.replay(stable);
  assert.equal(h.group.validateOffsetFetch('anyone', 5), 0);
  assert.equal(h.group.validateOffsetFetch(null, -1), 0);
  h.group.markDead();
  assert.equal(errorInfo(h.group.validateOffsetFetch(null, -1)).name, 'GROUP_ID_NOT_FOUND');
});
