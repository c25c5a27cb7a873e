// Goal: classic consumer groups of 1 to 5 real librdkafka members (python confluent-kafka,
// subscribe(), range and roundrobin assignors) on a 4-partition topic settle on an assignment in
// which every partition has exactly one owner, with the sizes the assignor implies, and then each
// member reads exactly the records of the partitions it was given: all of them, once, in order.
// Each member is its own python process printing JSON lines (test/integration/python/group_consumer.py).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { brokerErrors } from '../helpers/broker-log.js';
import {
  Member,
  killRunning,
  waitUntil,
  waitForStableAssignment,
  assertReadExactly,
  totalRecords,
  produceRecords,
  createTopics,
} from '../helpers/group-members.js';
import { range } from '../helpers/verify.js';

const partitionCount = 4;
const recordCount = 200;

describe('python consumer groups of 1 to 5 members on 4 partitions', { timeout: 58_000 }, () => {
  let broker: BrokerProcess;
  let produced = 0;
  const topic = 'grp-assign';
  const produce = async (count: number): Promise<void> => {
    await produceRecords(broker.bootstrap, topic, produced, count, partitionCount);
    produced += count;
  };

  before(async () => {
    broker = await startBroker({
      overrides: { 'group.initial.rebalance.delay.ms': '300', 'auto.create.topics.enable': 'false' },
    });
    await createTopics(broker.bootstrap, [{ name: topic, partitions: partitionCount }]);
  });
  after(async () => {
    assert.equal(await broker.stop(), 0, broker.stderrTail(4000));
  });

  const cases = [
    { size: 1, assignor: 'range', sizes: [4] },
    { size: 2, assignor: 'roundrobin', sizes: [2, 2] },
    { size: 3, assignor: 'range', sizes: [1, 1, 2] },
    { size: 4, assignor: 'roundrobin', sizes: [1, 1, 1, 1] },
    { size: 5, assignor: 'range', sizes: [0, 1, 1, 1, 1] },
  ];
  for (const { size, assignor, sizes } of cases) {
    test(`${size} member(s), ${assignor}: assignment sizes ${JSON.stringify(sizes)}, every record read once`, async () => {
      // Each group starts from earliest, so it reads what earlier cases produced as well: the
      // first half of its records exists before it joins, the rest arrives once it is stable.
      const groupId = `grp-assign-${size}`;
      const members = range(0, size).map(
        (k) => new Member(`${groupId}-m${k}`, { bootstrap: broker.bootstrap, topics: [topic], groupId, assignor }),
      );
      try {
        await produce(recordCount / 2);
        await waitForStableAssignment(members, partitionCount, 25_000);
        const rebalancesBefore = members.map((m) => m.rebalanceCount());
        assert.deepEqual(members.map((m) => m.assignment()!.length).sort(), sizes);
        await produce(recordCount / 2);
        await waitUntil(() => totalRecords(members) >= produced, 15_000, () => members.map((m) => m.describe()).join('\n'));
        assertReadExactly(members, range(0, produced), (i) => i % partitionCount);
        assert.deepEqual(members.map((m) => m.rebalanceCount()), rebalancesBefore, 'no rebalance while reading');
        await Promise.all(members.map((m) => m.stop()));
      } finally {
        killRunning(members);
      }
    });
  }

  test('the broker logged no internal error', () => {
    assert.deepEqual(brokerErrors(broker), []);
  });
});
