// Goal: records cross between `tideline produce|consume` and kcat (librdkafka) exactly, both
// ways: kcat writes keyed records with headers into chosen partitions and `tideline consume`
// prints every key, value, header and offset in partition and offset order; `tideline produce`
// writes stdin lines (keys split off, headers, every compression codec, acks 0/1/-1) and kcat
// reads them back byte for byte.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { kcat, kcatConsumeJson } from '../helpers/kcat.js';
import { kcatHeaderPairs, kcatKeyedLines, keyOf, valueOf } from '../helpers/records.js';
import { tidelineBin } from '../helpers/repo-root.js';
import { runProcess, type RunResult } from '../helpers/run-process.js';

interface JsonRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
}

describe('tideline produce and consume', { timeout: 40_000 }, () => {
  let broker: BrokerProcess;

  const tideline = (args: string[], stdin?: string): Promise<RunResult> =>
    runProcess(process.execPath, [tidelineBin, ...args, '--bootstrap-server', broker.bootstrap], { timeoutMs: 20_000, allowFailure: true, ...(stdin === undefined ? {} : { stdin }) });

  async function ok(args: string[], stdin?: string): Promise<string> {
    const result = await tideline(args, stdin);
    assert.equal(result.code, 0, `tideline ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result.stdout;
  }

  const jsonLines = (stdout: string): JsonRecord[] => stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as JsonRecord);

  before(async () => {
    broker = await startBroker();
    await ok(['topics', 'create', 'from-kcat', '--partitions', '3']);
    await ok(['topics', 'create', 'from-tideline', '--partitions', '2']);
  });

  after(async () => {
    assert.equal(await broker.stop(), 0);
  });

  test('kcat produces, tideline consume reads keys, values, headers and offsets exactly', async () => {
    // Partition p gets records p*100 .. p*100+count-1, in several produce calls.
    const counts = [40, 25, 0];
    for (const [p, count] of counts.entries()) {
      if (count === 0) continue;
      for (const [start, n] of [[p * 100, 10], [p * 100 + 10, count - 10]] as const) {
        await kcat(['-P', '-b', broker.bootstrap, '-t', 'from-kcat', '-p', String(p), '-K:', '-H', 'origin=kcat', '-H', 'empty=', '-X', 'acks=all'], {
          stdin: kcatKeyedLines(start, n),
        });
      }
    }
    const total = counts.reduce((a, b) => a + b, 0);
    const records = jsonLines(await ok(['consume', 'from-kcat', '--from-beginning', '--max-messages', String(total), '--format', 'json']));
    assert.equal(records.length, total);
    for (const [p, count] of counts.entries()) {
      const mine = records.filter((r) => r.partition === p);
      assert.deepEqual(mine.map((r) => [r.offset, r.key, r.value]), Array.from({ length: count }, (_, i) => [i, keyOf(p * 100 + i), valueOf(p * 100 + i)]));
      for (const r of mine) assert.deepEqual(r.headers, [{ key: 'origin', value: 'kcat' }, { key: 'empty', value: '' }]);
    }
    // Within one partition the printed order is the offset order.
    const p0 = records.filter((r) => r.partition === 0).map((r) => r.offset);
    assert.deepEqual(p0, [...p0].sort((a, b) => a - b));

    const values = (await ok(['consume', 'from-kcat', '--partition', '1', '--offset', '20', '--timeout-ms', '1500'])).split('\n').filter((l) => l !== '');
    assert.deepEqual(values, [120, 121, 122, 123, 124].map(valueOf));
  });

  test('consume without --from-beginning sees only new records, and stops after --timeout-ms', async () => {
    const consuming = tideline(['consume', 'from-kcat', '--partition', '2', '--timeout-ms', '4000', '--format', 'json']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await kcat(['-P', '-b', broker.bootstrap, '-t', 'from-kcat', '-p', '2', '-K:', '-X', 'acks=all'], { stdin: 'late:arrival\n' });
    const result = await consuming;
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(jsonLines(result.stdout).map((r) => [r.partition, r.offset, r.key, r.value]), [[2, 0, 'late', 'arrival']]);
  });

  test('tideline produce writes what kcat reads exactly, with every codec and acks setting', async () => {
    const runs: { partition: number; codec: string; acks: string; lines: string[] }[] = [
      { partition: 0, codec: 'none', acks: '-1', lines: ['k0|v0', 'k1|v|1', '|empty-key', 'no separator'] },
      { partition: 0, codec: 'gzip', acks: '1', lines: ['g1|gzip-1', 'g2|gzip-2'] },
      { partition: 1, codec: 'snappy', acks: '-1', lines: ['s|snappy'] },
      { partition: 1, codec: 'lz4', acks: '1', lines: ['l|lz4'] },
      { partition: 1, codec: 'zstd', acks: '-1', lines: Array.from({ length: 1200 }, (_, i) => `z${i}|${'zstd'.repeat(i % 9)}`) },
      { partition: 0, codec: 'none', acks: '0', lines: ['a0|acks-zero'] },
    ];
    for (const run of runs) {
      await ok(['produce', 'from-tideline', '--partition', String(run.partition), '--key-separator', '|', '--header', 'run=' + run.codec, '--header', 'x=1=2',
        '--compression', run.codec, '--acks', run.acks], run.lines.join('\n') + '\n');
    }
    const expected = (partition: number) => runs.filter((r) => r.partition === partition).flatMap((r) => r.lines.map((line) => {
      const at = line.indexOf('|');
      return { key: at < 0 ? null : line.slice(0, at), value: at < 0 ? line : line.slice(at + 1), headers: [['run', r.codec], ['x', '1=2']] };
    }));
    // acks=0 has no acknowledgement to wait for; give the broker a moment to append it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const read = await kcatConsumeJson(broker.bootstrap, 'from-tideline');
    for (const partition of [0, 1]) {
      const mine = read.filter((m) => m.partition === partition).sort((a, b) => a.offset - b.offset);
      assert.deepEqual(mine.map((m) => m.offset), mine.map((_, i) => i));
      assert.deepEqual(mine.map((m) => ({ key: m.key, value: m.payload, headers: kcatHeaderPairs(m.headers) })), expected(partition));
    }
  });

  test('keyed records without --partition go where Kafka\'s murmur2 partitioner puts them', async () => {
    await ok(['topics', 'create', 'keyed', '--partitions', '4']);
    // Partitions of these keys under murmur2 % 4, computed with Kafka's Utils.murmur2 vectors in the unit test.
    const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
    await ok(['produce', 'keyed', '--key-separator', '='], keys.map((k) => `${k}=${k.toUpperCase()}`).join('\n') + '\n');
    const read = await kcatConsumeJson(broker.bootstrap, 'keyed');
    assert.equal(read.length, keys.length);
    const { partitionForKey } = await import('../../src/client/partitioner.js');
    for (const m of read) {
      assert.equal(m.payload, m.key!.toUpperCase());
      assert.equal(m.partition, partitionForKey(Buffer.from(m.key!), 4), m.key!);
    }
  });

  test('errors: an unknown topic exits 1, a bad option exits 2, each saying what to do', async () => {
    const missing = await tideline(['produce', 'nope'], 'x\n');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /topic 'nope' does not exist; create it with `tideline topics create nope`/);
    const noTopic = await tideline(['consume', 'nope', '--max-messages', '1']);
    assert.equal(noTopic.code, 1);
    assert.match(noTopic.stderr, /`tideline topics list` shows the topics/);
    // Port 1 on loopback has no listener.
    const unreachable = await runProcess(process.execPath, [tidelineBin, 'consume', 'from-kcat', '--group', 'g', '--bootstrap-server', '127.0.0.1:1'], { allowFailure: true });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach a broker at 127\.0\.0\.1:1 \(ECONNREFUSED\) — is it running\? Start one with `tideline start`/);
    const badPartition = await tideline(['consume', 'from-kcat', '--partition', '9', '--max-messages', '1']);
    assert.equal(badPartition.code, 1);
    const usage = await tideline(['consume', 'from-kcat', '--offset', '3']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--offset needs --partition/);
    assert.match(usage.stderr, /`tideline consume --help` shows the usage/);
  });
});
