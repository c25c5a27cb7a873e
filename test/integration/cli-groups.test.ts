// Goal: `tideline groups` run as a child process against a real broker shows what a real
// consumer group (kcat's balanced consumer, librdkafka) committed, with exact log end offsets
// and lag; refuses to reset an active group; and resets an empty group's offsets so that the
// next consumer of the group starts from them.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { trackChild } from '../helpers/cleanup.js';
import { kcat, kcatPath } from '../helpers/kcat.js';
import { tidelineBin } from '../helpers/repo-root.js';
import { runProcess, type RunResult } from '../helpers/run-process.js';

const topic = 'orders';
const group = 'it-group';

interface JsonRow {
  topic: string | null;
  partition: number | null;
  currentOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  consumerId: string | null;
  clientId: string | null;
}

describe('tideline groups', { timeout: 120_000 }, () => {
  let broker: BrokerProcess;

  const groups = (args: string[]): Promise<RunResult> =>
    runProcess(process.execPath, [tidelineBin, 'groups', ...args, '--bootstrap-server', broker.bootstrap], { timeoutMs: 30_000, allowFailure: true });

  async function groupsOk(args: string[]): Promise<string> {
    const result = await groups(args);
    assert.equal(result.code, 0, `tideline groups ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result.stdout;
  }

  async function describeRows(groupId: string): Promise<JsonRow[]> {
    const out = JSON.parse(await groupsOk(['describe', groupId, '--json'])) as { partitions: JsonRow[] };
    return out.partitions;
  }

  const produce = (partition: number, values: string[]): Promise<RunResult> =>
    kcat(['-P', '-b', broker.bootstrap, '-t', topic, '-p', String(partition), '-X', 'acks=all', '-m', '10'], { stdin: values.join('\n') + '\n' });

  /** A balanced consumer that reads to the end of every partition, commits on close and exits. */
  async function consumeToEnd(groupId: string, offsetReset: 'earliest' | 'latest'): Promise<string[]> {
    const args = ['-b', broker.bootstrap, '-G', groupId, '-X', `auto.offset.reset=${offsetReset}`, '-e', '-q', '-f', '%p:%o\n', topic];
    const { stdout } = await kcat(args, { timeoutMs: 45_000 });
    return stdout.split('\n').filter((l) => l !== '').sort();
  }

  before(async () => {
    broker = await startBroker({ overrides: { 'num.partitions': '2' } });
    await produce(0, ['a', 'b', 'c', 'd', 'e', 'f']);
    await produce(1, ['g', 'h', 'i', 'j']);
    const read = await consumeToEnd(group, 'earliest');
    assert.equal(read.length, 10, `kcat read ${read.join(' ')}`);
    // After the commit, the log grows: partition 0 by 3 records, partition 1 by 1.
    await produce(0, ['k', 'l', 'm']);
    await produce(1, ['n']);
  });

  after(async () => {
    assert.equal(await broker.stop(), 0);
  });

  test('list shows the group, and its state with --state', async () => {
    assert.ok((await groupsOk(['list'])).split('\n').includes(group));
    const lines = (await groupsOk(['list', '--state'])).trim().split('\n').map((l) => l.split(/\s+/));
    assert.deepEqual(lines[0], ['GROUP', 'STATE']);
    assert.ok(lines.some((l) => l[0] === group && l[1] === 'Empty'), JSON.stringify(lines));
  });

  test('describe shows committed offsets, log end offsets and lag exactly', async () => {
    const result = await groups(['describe', group]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /has no active members/);
    const lines = result.stdout.trim().split('\n').map((l) => l.split(/\s+/));
    assert.deepEqual(lines, [
      ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
      [group, topic, '0', '6', '9', '3', '-', '-', '-'],
      [group, topic, '1', '4', '5', '1', '-', '-', '-'],
    ]);
  });

  test('an active member shows with its assignment, and reset-offsets refuses the group', async () => {
    const liveGroup = 'it-live';
    const consumer = spawn(kcatPath, ['-b', broker.bootstrap, '-G', liveGroup, '-X', 'client.id=it-live-client', '-q', topic], { stdio: 'ignore' });
    trackChild(consumer);
    const exited = new Promise((resolve) => consumer.once('exit', resolve));
    try {
      let rows: JsonRow[] = [];
      for (let i = 0; i < 60 && rows.filter((r) => r.consumerId !== null && r.partition !== null).length < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const result = await groups(['describe', liveGroup, '--json']);
        if (result.code === 0) rows = (JSON.parse(result.stdout) as { partitions: JsonRow[] }).partitions;
      }
      assert.deepEqual(rows.map((r) => [r.topic, r.partition, r.clientId]), [[topic, 0, 'it-live-client'], [topic, 1, 'it-live-client']]);
      assert.match(rows[0]!.consumerId!, /^it-live-client-/);
      const members = (await groupsOk(['describe', liveGroup, '--members', '--verbose'])).trim().split('\n').map((l) => l.split(/\s+/));
      assert.deepEqual(members[1]!.slice(3), ['it-live-client', '2', `${topic}(0,1)`]);
      const state = JSON.parse(await groupsOk(['describe', liveGroup, '--state', '--json'])) as { state: string; memberCount: number };
      assert.deepEqual([state.state, state.memberCount], ['Stable', 1]);

      const refused = await groups(['reset-offsets', liveGroup, '--topic', topic, '--to-earliest', '--execute']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /can only be reset while it has no members, but it is Stable with 1 member/);
    } finally {
      consumer.kill('SIGTERM');
      await exited;
    }
  });

  test('reset-offsets plans by default and changes nothing', async () => {
    const result = await groups(['reset-offsets', group, '--topic', topic, '--to-earliest']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Dry run: no offsets were changed; add --execute/);
    assert.deepEqual(result.stdout.trim().split('\n').map((l) => l.split(/\s+/)), [
      ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'],
      [group, topic, '0', '0'],
      [group, topic, '1', '0'],
    ]);
    assert.deepEqual((await describeRows(group)).map((r) => r.currentOffset), [6, 4]);
  });

  test('reset-offsets arithmetic: shift-by and to-offset clamp to the log', async () => {
    const plan = async (args: string[]): Promise<number[]> => {
      const out = JSON.parse(await groupsOk(['reset-offsets', group, '--json', ...args])) as { partitions: { newOffset: number }[] };
      return out.partitions.map((p) => p.newOffset);
    };
    assert.deepEqual(await plan(['--topic', topic, '--shift-by', '-2']), [4, 2]);
    assert.deepEqual(await plan(['--topic', topic, '--shift-by', '100']), [9, 5]);
    assert.deepEqual(await plan(['--topic', `${topic}:1`, '--to-offset', '3']), [3]);
    assert.deepEqual(await plan(['--topic', topic, '--to-offset', '7']), [7, 5]);
    assert.deepEqual(await plan(['--topic', topic, '--to-latest']), [9, 5]);
    assert.deepEqual(await plan(['--topic', topic, '--to-datetime', '2000-01-01T00:00:00Z']), [0, 0]);
    assert.deepEqual(await plan(['--topic', topic, '--to-datetime', '2999-01-01T00:00:00Z']), [9, 5]);
  });

  test('reset to earliest with --execute commits, and the next consumer starts there', async () => {
    await groupsOk(['reset-offsets', group, '--topic', topic, '--to-earliest', '--execute']);
    assert.deepEqual((await describeRows(group)).map((r) => [r.partition, r.currentOffset, r.logEndOffset, r.lag]), [[0, 0, 9, 9], [1, 0, 5, 5]]);
    // auto.offset.reset=latest: anything read before the log end came from the committed offsets.
    const read = await consumeToEnd(group, 'latest');
    const expected = [...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((o) => `0:${o}`), ...[0, 1, 2, 3, 4].map((o) => `1:${o}`)].sort();
    assert.deepEqual(read, expected);
    assert.deepEqual((await describeRows(group)).map((r) => [r.partition, r.currentOffset, r.lag]), [[0, 9, 0], [1, 5, 0]]);
  });

  test('exit codes: 2 for usage, 1 for a group that does not exist or an unreachable broker', async () => {
    const usage = await groups(['reset-offsets', group, '--topic', topic]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /needs one of --to-earliest/);
    const missingTopic = await groups(['reset-offsets', group, '--topic', 'no-such-topic', '--to-earliest']);
    assert.equal(missingTopic.code, 2);
    assert.match(missingTopic.stderr, /topic "no-such-topic" does not exist/);
    const missingGroup = await groups(['describe', 'no-such-group']);
    assert.equal(missingGroup.code, 1);
    assert.match(missingGroup.stderr, /consumer group 'no-such-group' does not exist/);
    const unreachable = await runProcess(process.execPath, [tidelineBin, 'groups', 'list', '--bootstrap-server', '127.0.0.1:1'], { allowFailure: true });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach a broker at 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
  });
});
