// Goal: each notable event writes exactly one info line, with consistent fields, to the broker's
// pino log: the broker unfenced at start-up, a topic created (by the controller) and each of its
// partitions' leadership taken (by the broker), a consumer group rebalanced (one line per
// generation), a topic deleted, and after a SIGKILL the segments recovered on restart. No line
// repeats a field name (child loggers must not bind one twice).

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { KafkaAdmin } from '../../src/client/index.js';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { brokerLogLines, logEvents, type LogEntry } from '../helpers/broker-log.js';
import { kcatProduceKeyed } from '../helpers/kcat.js';
import { kcatKeyedLines } from '../helpers/records.js';
import { tidelineBin } from '../helpers/repo-root.js';
import { runProcess } from '../helpers/run-process.js';

const WAIT_MS = 15_000;

/** Polls the log until `find` returns at least `count` lines (bounded), then returns them. */
async function waitForEvents(broker: BrokerProcess, count: number, find: () => LogEntry[], what: string): Promise<LogEntry[]> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const found = find();
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`expected ${count} "${what}" line(s), found ${found.length}:\n${broker.stderrTail(6000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function assertNoRepeatedFields(broker: BrokerProcess): void {
  for (const { raw } of brokerLogLines(broker)) {
    const names = [...raw.matchAll(/[{,]"([A-Za-z]+)":/g)].map((m) => m[1]!);
    const repeated = names.filter((n, i) => names.indexOf(n) !== i);
    // Nested objects (err, configs) may reuse a name; top-level repeats come from child bindings.
    const topLevel = JSON.parse(raw) as Record<string, unknown>;
    assert.deepEqual(repeated.filter((n) => n in topLevel && typeof topLevel[n] !== 'object'), [], raw);
  }
}

describe('one log line per notable event', { timeout: 90_000 }, () => {
  const brokers: BrokerProcess[] = [];
  let admin: KafkaAdmin | undefined;

  after(async () => {
    await admin?.close();
    for (const b of brokers) await b.stop().catch(() => b.kill('SIGKILL'));
  });

  test('topic created and deleted, leadership taken, group rebalanced, segments recovered', async () => {
    const broker = await startBroker({ overrides: { 'group.initial.rebalance.delay.ms': '0' } });
    brokers.push(broker);
    const brokerId = broker.nodeId;
    await waitForEvents(broker, 1, () => logEvents(broker, 'broker unfenced', { brokerId }), 'broker unfenced');
    admin = new KafkaAdmin({ requestTimeoutMs: 10_000 });
    await admin.connect(broker.bootstrap);

    await admin.createTopics([{ name: 'events', numPartitions: 3, replicationFactor: 1 }]);
    const created = await waitForEvents(broker, 1, () => logEvents(broker, 'topic created', { topic: 'events' }), 'topic created');
    assert.equal(created.length, 1);
    assert.equal(created[0]!['partitions'], 3);
    assert.equal(created[0]!['replicationFactor'], 1);
    assert.equal(typeof created[0]!['topicId'], 'string');
    for (const partition of [0, 1, 2]) {
      const led = await waitForEvents(broker, 1, () => logEvents(broker, 'became partition leader', { topic: 'events', partition }), `leader of events-${partition}`);
      assert.equal(led.length, 1);
      assert.deepEqual([led[0]!['leaderEpoch'], led[0]!['leaderId'], led[0]!['brokerId']], [0, brokerId, brokerId]);
    }

    await kcatProduceKeyed(broker.bootstrap, 'events', kcatKeyedLines(0, 30));
    const consumed = await runProcess(process.execPath, [tidelineBin, 'consume', 'events', '--group', 'watchers', '--from-beginning', '--max-messages', '30', '--bootstrap-server', broker.bootstrap], { allowFailure: true });
    assert.equal(consumed.code, 0, consumed.stderr);
    const rebalances = await waitForEvents(broker, 1, () => logEvents(broker, 'group rebalanced', { groupId: 'watchers', groupType: 'classic' }), 'group rebalanced');
    const generations = rebalances.map((e) => e['generationId']);
    assert.deepEqual(generations, [...new Set(generations)], 'one line per generation');
    assert.ok(rebalances.some((e) => e['members'] === 1 && typeof e['leader'] === 'string'), JSON.stringify(rebalances));

    await admin.deleteTopics(['events']);
    const deleted = await waitForEvents(broker, 1, () => logEvents(broker, 'topic deleted', { topic: 'events' }), 'topic deleted');
    assert.equal(deleted.length, 1);

    await admin.createTopics([{ name: 'durable', numPartitions: 1, replicationFactor: 1 }]);
    await kcatProduceKeyed(broker.bootstrap, 'durable', kcatKeyedLines(0, 50));
    assertNoRepeatedFields(broker);
    await admin.close();
    admin = undefined;
    broker.kill('SIGKILL');
    await broker.exited;

    const restarted = await startBroker({ dataDir: broker.dataDir });
    brokers.push(restarted);
    const recovered = await waitForEvents(restarted, 1, () => logEvents(restarted, 'segment recovered', { topic: 'durable', partition: 0 }), 'segment recovered');
    assert.equal(recovered.length, 1);
    assert.deepEqual([recovered[0]!['baseOffset'], recovered[0]!['nextOffset'], recovered[0]!['truncatedBytes']], [0, 50, 0]);
    const led = await waitForEvents(restarted, 1, () => logEvents(restarted, 'became partition leader', { topic: 'durable', partition: 0 }), 'leader of durable-0');
    assert.equal(led.length, 1);
    assertNoRepeatedFields(restarted);
  });
});
