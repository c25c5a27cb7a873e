// Goal: `tideline topics` and `tideline cluster describe`, run as child processes against a real
// broker, create, describe, alter and delete topics as kcat (librdkafka) then sees them: the
// partition count in `kcat -L`, log offsets after kcat writes, config overrides set and removed,
// and exit codes 1 for Kafka errors and 2 for usage errors.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { kcat } from '../helpers/kcat.js';
import { tidelineBin } from '../helpers/repo-root.js';
import { runProcess, type RunResult } from '../helpers/run-process.js';

interface Description {
  topic: string;
  topicId: string;
  partitionCount: number;
  replicationFactor: number;
  configs: Record<string, string | null>;
  partitions: { partition: number; leader: number; replicas: number[]; isr: number[]; logStartOffset: number; logEndOffset: number }[];
}

describe('tideline topics', { timeout: 40_000 }, () => {
  let broker: BrokerProcess;

  const tideline = (args: string[]): Promise<RunResult> =>
    runProcess(process.execPath, [tidelineBin, ...args, '--bootstrap-server', broker.bootstrap], { timeoutMs: 20_000, allowFailure: true });

  async function ok(args: string[]): Promise<string> {
    const result = await tideline(args);
    assert.equal(result.code, 0, `tideline ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result.stdout;
  }

  const describeTopic = async (topic: string): Promise<Description> => JSON.parse(await ok(['topics', 'describe', topic, '--json'])) as Description;

  /** Partition counts by topic, as `kcat -L -J` reports them. */
  async function kcatTopics(): Promise<Map<string, number>> {
    const { stdout } = await kcat(['-L', '-J', '-b', broker.bootstrap]);
    const metadata = JSON.parse(stdout) as { topics: { topic: string; partitions: unknown[] }[] };
    return new Map(metadata.topics.map((t) => [t.topic, t.partitions.length]));
  }

  before(async () => {
    broker = await startBroker();
  });

  after(async () => {
    assert.equal(await broker.stop(), 0);
  });

  test('create, list and describe a topic that kcat then sees and writes to', async () => {
    assert.match(await ok(['topics', 'create', 'orders', '--partitions', '3', '--replication-factor', '1', '--config', 'retention.ms=86400000']), /Created topic orders/);
    assert.equal((await kcatTopics()).get('orders'), 3);
    assert.ok((await ok(['topics', 'list'])).split('\n').includes('orders'));
    await kcat(['-P', '-b', broker.bootstrap, '-t', 'orders', '-p', '1', '-X', 'acks=all'], { stdin: 'a\nb\nc\n' });
    const d = await describeTopic('orders');
    assert.equal(d.partitionCount, 3);
    assert.equal(d.replicationFactor, 1);
    assert.match(d.topicId, /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(d.configs, { 'retention.ms': '86400000' });
    assert.deepEqual(d.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr, p.logStartOffset, p.logEndOffset]), [
      [0, broker.nodeId, [broker.nodeId], [broker.nodeId], 0, 0],
      [1, broker.nodeId, [broker.nodeId], [broker.nodeId], 0, 3],
      [2, broker.nodeId, [broker.nodeId], [broker.nodeId], 0, 0],
    ]);
    const text = await ok(['topics', 'describe', 'orders']);
    assert.match(text, /^Topic: orders\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: retention\.ms=86400000\n/);
    assert.match(text, /\n1 +1 +1 +1 +0 +3\n/);
  });

  test('alter-config sets and deletes overrides; add-partitions grows the topic', async () => {
    await ok(['topics', 'create', 'prices']);
    await ok(['topics', 'alter-config', 'prices', '--set', 'cleanup.policy=compact', '--set', 'retention.ms=1000']);
    assert.deepEqual((await describeTopic('prices')).configs, { 'cleanup.policy': 'compact', 'retention.ms': '1000' });
    await ok(['topics', 'alter-config', 'prices', '--delete', 'retention.ms']);
    assert.deepEqual((await describeTopic('prices')).configs, { 'cleanup.policy': 'compact' });
    const before = (await describeTopic('prices')).partitionCount;
    await ok(['topics', 'add-partitions', 'prices', '--partitions', String(before + 2)]);
    assert.equal((await describeTopic('prices')).partitionCount, before + 2);
    assert.equal((await kcatTopics()).get('prices'), before + 2);
  });

  test('delete removes the topic from kcat -L and from describe', async () => {
    await ok(['topics', 'create', 'doomed', '--partitions', '2']);
    assert.equal((await kcatTopics()).get('doomed'), 2);
    assert.match(await ok(['topics', 'delete', 'doomed']), /Deleted topic doomed/);
    assert.equal((await kcatTopics()).has('doomed'), false);
    const gone = await tideline(['topics', 'describe', 'doomed']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /topic 'doomed' does not exist/);
  });

  test('Kafka errors exit 1, usage errors exit 2', async () => {
    await ok(['topics', 'create', 'twice']);
    const again = await tideline(['topics', 'create', 'twice']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /TOPIC_ALREADY_EXISTS/);
    const missing = await tideline(['topics', 'delete', 'never-was']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /UNKNOWN_TOPIC_OR_PARTITION/);
    const badConfig = await tideline(['topics', 'alter-config', 'twice', '--set', 'no.such.config=1']);
    assert.equal(badConfig.code, 1, badConfig.stderr);
    const usage = await tideline(['topics', 'create', 'x', '--partitions', 'many']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--partitions expects an integer/);
    const down = await runProcess(process.execPath, [tidelineBin, 'topics', 'list', '--bootstrap-server', '127.0.0.1:1'], { allowFailure: true });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach a broker at 127\.0\.0\.1:1 \(ECONNREFUSED\) — is it running\? Start one with `tideline start`/);
  });

  test('cluster describe names the cluster, the controller and the broker endpoint', async () => {
    const json = JSON.parse(await ok(['cluster', 'describe', '--json'])) as { clusterId: string; controllerId: number; brokers: { nodeId: number; host: string; port: number }[] };
    assert.ok(json.clusterId.length > 0);
    assert.deepEqual(json.brokers.map((b) => [b.nodeId, b.host, b.port]), [[broker.nodeId, '127.0.0.1', broker.port]]);
    const { stdout } = await kcat(['-L', '-b', broker.bootstrap]);
    assert.match(stdout, new RegExp(`broker ${json.controllerId} at 127\\.0\\.0\\.1:${broker.port} \\(controller\\)`));
    const text = await ok(['cluster', 'describe']);
    assert.match(text, new RegExp(`^Cluster ID: ${json.clusterId}\nController: ${json.controllerId}\n`));
  });
});
