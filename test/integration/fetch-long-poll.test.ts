// Goal: Kafka's long poll through a real consumer (kcat). A fetch parked at the log end is
// answered by the append that satisfies it, with that append's data, long before its
// fetch.wait.max.ms; a fetch whose fetch.min.bytes a small record does not reach is answered at
// its deadline with the record. The consumers' own time limits are shorter than the long wait,
// so a parked fetch that only its deadline could answer fails the first test.

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { kcat, parseKcatJsonLines } from '../helpers/kcat.js';

const topic = 'long-poll';

describe('fetch long poll', { timeout: 60_000 }, () => {
  let broker: BrokerProcess;
  const produce = (value: string) => kcat(['-P', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-X', 'acks=all'], { stdin: `${value}\n` });
  const consume = (fromOffset: number, count: number, settings: string[], timeoutMs: number) =>
    kcat(['-C', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-o', String(fromOffset), '-c', String(count), '-J', '-q', ...settings.flatMap((s) => ['-X', s])], { timeoutMs });

  before(async () => {
    broker = await startBroker({ overrides: { 'num.partitions': '1' } });
    await produce('first');
  });
  after(async () => {
    assert.equal(await broker.stop(), 0);
  });

  test('a fetch waiting at the log end is answered by each append, with its record', async () => {
    const consumer = consume(1, 3, ['fetch.wait.max.ms=30000'], 20_000);
    for (const value of ['a', 'b', 'c']) {
      await sleep(300);
      await produce(value);
    }
    const got = parseKcatJsonLines((await consumer).stdout);
    assert.deepEqual(got.map((m) => [m.offset, m.payload]), [[1, 'a'], [2, 'b'], [3, 'c']]);
  });

  test('a fetch that fetch.min.bytes keeps waiting is answered at fetch.wait.max.ms with what it has', async () => {
    const consumer = consume(4, 1, ['fetch.wait.max.ms=1500', 'fetch.min.bytes=1000000'], 20_000);
    await sleep(300);
    await produce('small');
    const got = parseKcatJsonLines((await consumer).stdout);
    assert.deepEqual(got.map((m) => [m.offset, m.payload]), [[4, 'small']]);
  });
});
