// Goal: the plans `tideline reassign` reads and proposes. Plan JSON in Kafka's format parses (or
// fails as a usage error naming the problem) and prints back the same; --generate spreads
// replicas and preferred leaders evenly over the given brokers at each partition's replication
// factor, rack-aware when brokers have racks; --decommission moves only the leaving broker's
// replicas, onto the least-loaded other brokers, never twice into one list, keeping the other
// replicas' order; --verify tells complete from in progress from not started.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrokerNode, OngoingReassignment, TopicMetadata } from '../../../src/client/index.js';
import { TidelineError, TidelineErrorCode } from '../../../src/common/errors.js';
import {
  balancedPlan,
  currentAssignment,
  decommissionPlan,
  formatPlan,
  parsePlan,
  planProblems,
  verifyPlan,
  type PlanPartition,
} from '../../../src/cli/reassign-plan.js';

const usage = (pattern: RegExp) => (err: unknown): boolean =>
  err instanceof TidelineError && err.code === TidelineErrorCode.CLI_USAGE && pattern.test(err.message);

function topic(name: string, replicas: number[][]): TopicMetadata {
  return {
    name,
    topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
    isInternal: false,
    errorCode: 0,
    partitions: replicas.map((r, partition) => ({ partition, leaderId: r[0]!, leaderEpoch: 0, replicaNodes: r, isrNodes: r, errorCode: 0 })),
  };
}

const plan = (t: string, lists: number[][]): PlanPartition[] => lists.map((replicas, partition) => ({ topic: t, partition, replicas }));
const noRacks = (ids: number[]) => ids.map((brokerId) => ({ brokerId, rack: null }));

/** Replicas per broker and preferred leaderships per broker. */
function loads(partitions: readonly PlanPartition[]): { replicas: Record<number, number>; preferred: Record<number, number> } {
  const replicas: Record<number, number> = {};
  const preferred: Record<number, number> = {};
  for (const p of partitions) {
    for (const id of p.replicas) replicas[id] = (replicas[id] ?? 0) + 1;
    preferred[p.replicas[0]!] = (preferred[p.replicas[0]!] ?? 0) + 1;
  }
  return { replicas, preferred };
}

test('plan JSON parses, with Kafka log_dirs of "any", and prints back sorted on one line', () => {
  const text = '{"version":1,"partitions":[{"topic":"b","partition":1,"replicas":[3,1]},{"topic":"a","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]}';
  const parsed = parsePlan(text, 'p.json');
  assert.deepEqual(parsed, [{ topic: 'b', partition: 1, replicas: [3, 1] }, { topic: 'a', partition: 0, replicas: [1, 2] }]);
  assert.equal(formatPlan(parsed), '{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[1,2]},{"topic":"b","partition":1,"replicas":[3,1]}]}');
  assert.deepEqual(parsePlan(formatPlan(parsed), 'x'), [parsed[1], parsed[0]]);
  assert.deepEqual(parsePlan('{"partitions":[{"topic":"a","partition":0,"replicas":[1]}]}', 'x'), [{ topic: 'a', partition: 0, replicas: [1] }], 'version may be left out');
});

test('plan JSON mistakes are usage errors that name the file and the entry', () => {
  const entry = (e: object) => JSON.stringify({ version: 1, partitions: [e] });
  const cases: [string, RegExp][] = [
    ['{"version":1', /the plan in p.json is not JSON/],
    ['[1]', /is not a JSON object/],
    ['{"version":2,"partitions":[]}', /has version 2, not 1/],
    ['{"version":1,"partitions":[]}', /has no "partitions" list with entries/],
    [entry({ partition: 0, replicas: [1] }), /entry 0 has no "topic" name/],
    [entry({ topic: 't', partition: -1, replicas: [1] }), /entry 0 has no "partition" number/],
    [entry({ topic: 't', partition: 0, replicas: [] }), /entry 0 has no "replicas" list/],
    [entry({ topic: 't', partition: 0, replicas: [1, 'x'] }), /entry 0 has no "replicas" list/],
    [entry({ topic: 't', partition: 0, replicas: [1, 2, 1] }), /entry 0 lists a broker twice in \[1,2,1\]/],
    [entry({ topic: 't', partition: 0, replicas: [1], log_dirs: ['/data'] }), /log dirs other than "any"/],
    ['{"partitions":[{"topic":"t","partition":0,"replicas":[1]},{"topic":"t","partition":0,"replicas":[2]}]}', /entry 1 names t-0 twice/],
  ];
  for (const [text, pattern] of cases) assert.throws(() => parsePlan(text, 'p.json'), usage(pattern), text);
});

test('the current assignment counts a partition being moved by its target', () => {
  const topics = [topic('t', [[1, 2], [3, 4, 1]])];
  const ongoing: OngoingReassignment[] = [{ topic: 't', partition: 1, replicas: [3, 4, 1], addingReplicas: [4], removingReplicas: [1] }];
  assert.deepEqual(currentAssignment(topics, ongoing), [{ topic: 't', partition: 0, replicas: [1, 2] }, { topic: 't', partition: 1, replicas: [3, 4] }]);
});

test('--generate spreads replicas and preferred leaders over the brokers given', () => {
  const current = plan('orders', [[1, 2], [2, 3], [3, 1], [1, 2], [2, 3], [3, 1]]);
  const { plan: proposed, problems } = balancedPlan(current, ['orders'], noRacks([4, 1, 2, 3]));
  assert.deepEqual(problems, []);
  // Kafka's round-robin from the first broker: leaders 1,2,3,4,1,2; followers shifted after n partitions.
  assert.deepEqual(proposed.map((p) => p.replicas), [[1, 2], [2, 3], [3, 4], [4, 1], [1, 3], [2, 4]]);
  assert.deepEqual(loads(proposed).replicas, { 1: 3, 2: 3, 3: 3, 4: 3 });
  for (const count of Object.values(loads(proposed).preferred)) assert.ok(count <= 2);
  // The same request proposes the same plan; a second topic starts at the next broker.
  assert.deepEqual(balancedPlan(current, ['orders'], noRacks([1, 2, 3, 4])).plan, proposed);
  const two = balancedPlan([...current, ...plan('audit', [[1, 2, 3]])], ['orders', 'audit'], noRacks([1, 2, 3, 4])).plan;
  assert.deepEqual(two.find((p) => p.topic === 'audit')!.replicas, [2, 4, 1]);
});

test('--generate keeps each partition\'s replication factor and refuses too few brokers', () => {
  const current = plan('mixed', [[1, 2, 3], [1], [2, 3]]);
  const { plan: proposed } = balancedPlan(current, ['mixed'], noRacks([1, 2, 3, 4]));
  assert.deepEqual(proposed.map((p) => p.replicas.length), [3, 1, 2]);
  for (const p of proposed) assert.equal(new Set(p.replicas).size, p.replicas.length);
  assert.deepEqual(balancedPlan(current, ['mixed'], noRacks([1, 2])).problems, ['topic mixed has replication factor 3, more than the 2 broker(s) given']);
});

test('--generate is rack-aware when every broker has a rack', () => {
  const brokers = [{ brokerId: 1, rack: 'a' }, { brokerId: 2, rack: 'a' }, { brokerId: 3, rack: 'b' }, { brokerId: 4, rack: 'b' }];
  const rackOf = new Map(brokers.map((b) => [b.brokerId, b.rack]));
  const { plan: proposed } = balancedPlan(plan('t', Array.from({ length: 8 }, () => [1, 2])), ['t'], brokers);
  for (const p of proposed) assert.notEqual(rackOf.get(p.replicas[0]!), rackOf.get(p.replicas[1]!), `${p.partition}: [${p.replicas}] on one rack`);
  assert.deepEqual(loads(proposed).replicas, { 1: 4, 2: 4, 3: 4, 4: 4 });
});

test('--decommission moves only the leaving broker\'s replicas, onto the least-loaded others', () => {
  const current = plan('orders', [[1, 2], [2, 3], [3, 4], [4, 1], [1, 3], [2, 4]]);
  const { plan: moves, unplaced } = decommissionPlan(current, 3, noRacks([1, 2, 3, 4]));
  assert.deepEqual(unplaced, []);
  // Ties go to the fewest preferred leaderships for a first slot, then to the lowest id.
  assert.deepEqual(moves, [
    { topic: 'orders', partition: 1, replicas: [2, 1] },
    { topic: 'orders', partition: 2, replicas: [2, 4] },
    { topic: 'orders', partition: 4, replicas: [1, 4] },
  ]);
  const after = current.map((p) => moves.find((m) => m.partition === p.partition) ?? p);
  assert.ok(after.every((p) => !p.replicas.includes(3) && new Set(p.replicas).size === p.replicas.length));
  assert.deepEqual(loads(after).replicas, { 1: 4, 2: 4, 4: 4 });
  // A broker that has left already (not live) is emptied the same way; one with nothing has no moves.
  assert.deepEqual(decommissionPlan(current, 3, noRacks([1, 2, 4])).plan, moves);
  assert.deepEqual(decommissionPlan(current, 9, noRacks([1, 2, 3, 4])).plan, []);
});

test('--decommission keeps the other replicas in order, prefers an unused rack, reports what cannot move', () => {
  const current = plan('t', [[2, 1, 3]]);
  assert.deepEqual(decommissionPlan(current, 1, noRacks([1, 2, 3, 4])).plan, [{ topic: 't', partition: 0, replicas: [2, 4, 3] }]);
  assert.deepEqual(decommissionPlan(current, 1, noRacks([1, 2, 3])), { plan: [], unplaced: current });
  const racks = [{ brokerId: 1, rack: 'a' }, { brokerId: 2, rack: 'b' }, { brokerId: 3, rack: 'b' }, { brokerId: 4, rack: 'c' }];
  // Broker 3 has fewer replicas than 4, but 4's rack c is the one partition 0 does not use yet.
  const racked = [...plan('t', [[1, 2]]), { topic: 'u', partition: 0, replicas: [4, 2] }];
  assert.deepEqual(decommissionPlan(racked, 1, racks).plan, [{ topic: 't', partition: 0, replicas: [4, 2] }]);
});

test('a plan the cluster cannot take: missing partitions, brokers that are not live', () => {
  const brokers: BrokerNode[] = [1, 2, 4].map((nodeId) => ({ nodeId, host: 'h', port: 1, rack: null }));
  const topics = [topic('t', [[1, 2], [2, 4]])];
  assert.deepEqual(planProblems(plan('t', [[1, 2], [4, 2]]), topics, brokers), []);
  assert.deepEqual(planProblems([...plan('t', [[1, 3], [9, 2]]), { topic: 't', partition: 5, replicas: [1] }, { topic: 'x', partition: 0, replicas: [1] }], topics, brokers), [
    'partition t-5 does not exist',
    'partition x-0 does not exist',
    'broker(s) 3,9 are not live (live brokers: 1,2,4)',
  ]);
});

test('--verify: complete when no longer moving and exactly on the plan\'s replicas, in order', () => {
  const topics = [topic('t', [[2, 1], [1, 2], [3, 4, 1], [1, 2]])];
  const ongoing: OngoingReassignment[] = [{ topic: 't', partition: 2, replicas: [3, 4, 1], addingReplicas: [4], removingReplicas: [1] }];
  const wanted = [...plan('t', [[2, 1], [2, 1], [3, 4], [1, 2]]), { topic: 't', partition: 7, replicas: [1] }];
  const statuses = verifyPlan(wanted, topics, ongoing).map((s) => [s.partition, s.state, s.currentReplicas]);
  assert.deepEqual(statuses, [
    [0, 'complete', [2, 1]],
    [1, 'not started', [1, 2]],
    [2, 'in progress', [3, 4, 1]],
    [3, 'complete', [1, 2]],
    [7, 'missing', []],
  ]);
});
