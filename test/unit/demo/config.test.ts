// Goal: `tideline demo gps` options parse strictly (cluster size, broker kill, members per
// service), and the status view renders partitions and member assignments compactly.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TidelineErrorCode } from '../../../src/common/errors.js';
import { defaultDemoOptions, parseConsumers, parseDemoArgs, producerCount } from '../../../src/demo/config.js';
import { formatAssignment, formatPartitions, formatStatus } from '../../../src/demo/status.js';

const isUsageError = (err: { code?: string }) => err.code === TidelineErrorCode.CLI_USAGE;

test('defaults and overrides', () => {
  assert.deepEqual(parseDemoArgs([]), defaultDemoOptions);
  assert.equal(defaultDemoOptions.partners, 100_000);
  assert.equal(defaultDemoOptions.partitions, 12);
  assert.equal(defaultDemoOptions.nodes, 3);
  assert.equal(defaultDemoOptions.killBrokerAtSec, null);
  const o = parseDemoArgs(['--duration', '2.5', '--partners', '10', '--rate', '100', '--partitions', '4', '--bootstrap', 'h:9092', '--data-dir', '/tmp/x', '--nodes', '1']);
  assert.deepEqual([o.durationSec, o.partners, o.ratePerSec, o.partitions, o.bootstrap, o.dataDir, o.nodes], [2.5, 10, 100, 4, 'h:9092', '/tmp/x', 1]);
});

test('--kill-broker kills at half the duration unless --kill-broker-at says when', () => {
  assert.equal(parseDemoArgs(['--duration', '20', '--kill-broker']).killBrokerAtSec, 10);
  assert.equal(parseDemoArgs(['--kill-broker', '--duration', '20']).killBrokerAtSec, 10);
  assert.equal(parseDemoArgs(['--kill-broker-at', '3.5']).killBrokerAtSec, 3.5);
  assert.equal(parseDemoArgs(['--kill-broker-at', '3', '--kill-broker']).killBrokerAtSec, 3);
  assert.equal(parseDemoArgs(['--kill-broker']).restartBrokerAfterSec, 5);
  assert.equal(parseDemoArgs(['--kill-broker', '--restart-broker-after', 'never']).restartBrokerAfterSec, null);
  assert.equal(parseDemoArgs(['--kill-broker', '--restart-broker-after', '2']).restartBrokerAfterSec, 2);
  // Only the demo's own cluster of three or more nodes can lose a broker and go on.
  assert.throws(() => parseDemoArgs(['--kill-broker', '--nodes', '1']), isUsageError);
  assert.throws(() => parseDemoArgs(['--kill-broker', '--nodes', '2']), isUsageError);
  assert.throws(() => parseDemoArgs(['--kill-broker', '--bootstrap', 'h:1']), isUsageError);
});

test('--consumers sets members per service by label or name', () => {
  const base = defaultDemoOptions.consumers;
  assert.deepEqual(parseConsumers('location=5', base), { 'location-service': 5, analytics: 1, 'db-writer': 1 });
  assert.deepEqual(parseConsumers('location=2,analytics=3,db=4', base), { 'location-service': 2, analytics: 3, 'db-writer': 4 });
  assert.deepEqual(parseConsumers('db-writer=2', base), { 'location-service': 1, analytics: 1, 'db-writer': 2 });
  assert.deepEqual(parseDemoArgs(['--consumers', 'analytics=2']).consumers, { 'location-service': 1, analytics: 2, 'db-writer': 1 });
  for (const bad of ['location', 'location=0', 'location=x', 'map=2', 'location=1.5', '']) {
    assert.throws(() => parseConsumers(bad, base), isUsageError, bad);
  }
});

test('--producers, or one per 25,000/s of the rate, never more than partners; --database-url takes postgres URLs', () => {
  assert.equal(producerCount(parseDemoArgs([])), 1);
  assert.equal(producerCount(parseDemoArgs(['--rate', '25000'])), 1);
  assert.equal(producerCount(parseDemoArgs(['--rate', '60000'])), 3);
  assert.equal(producerCount(parseDemoArgs(['--rate', '60000', '--partners', '2'])), 2);
  assert.equal(producerCount(parseDemoArgs(['--producers', '4'])), 4);
  assert.equal(parseDemoArgs([]).databaseUrl, null);
  assert.equal(parseDemoArgs(['--database-url', 'postgres://u@h:5432/d']).databaseUrl, 'postgres://u@h:5432/d');
  assert.equal(parseDemoArgs(['--database-url', 'postgresql://u@h/d']).databaseUrl, 'postgresql://u@h/d');
});

test('bad input is a usage error', () => {
  const cases = [['--producers', '0'], ['--producers', '17'], ['--producers', '3', '--partners', '2'], ['--database-url', 'sqlite:///x'], ['--partners'], ['--partners', 'x'], ['--partners', '1.5'], ['--rate', '0'], ['--nope', '1'], ['--duration', '-1'], ['--nodes', '0'], ['--nodes', '10'], ['--restart-broker-after', 'soon']];
  for (const args of cases) assert.throws(() => parseDemoArgs(args), isUsageError, args.join(' '));
});

test('partition lists become ranges', () => {
  assert.equal(formatPartitions([]), '-');
  assert.equal(formatPartitions([3]), '3');
  assert.equal(formatPartitions([0, 1, 2, 3, 5, 7, 8]), '0-3,5,7-8');
});

test('the assignment line names each member and shows the idle one', () => {
  assert.equal(formatAssignment('location-service', [[0], [3], [1], [], [2]]), 'assignment location: 1=0 2=3 3=1 4=idle 5=2');
  assert.equal(formatAssignment('db-writer', [[0, 1, 2, 3, 4, 5], undefined]), 'assignment db: 1=0-5 2=?');
});

test('the status line shows each member\'s partitions, separated by |', () => {
  const groups = new Map([['location-service', 'g-l'], ['analytics', 'g-a'], ['db-writer', 'g-d']] as const);
  const progress = (produced: number) => ({ produced, groups: new Map([['g-l', { consumed: produced, lag: 0 }], ['g-a', { consumed: produced - 10, lag: 10 }], ['g-d', { consumed: produced, lag: 0 }]]) });
  const line = formatStatus(2, { atMs: 0, progress: progress(0), dbTransactions: 0 }, { atMs: 1000, progress: progress(100), dbTransactions: 3 }, groups, (s) =>
    s === 'location-service' ? [[0, 1], [2, 3], []] : s === 'analytics' ? [undefined] : [[0, 1, 2, 3]],
  );
  assert.equal(line, 't=2s produced=100/s location=100/s lag=0 p=0-1|2-3|- analytics=100/s lag=10 db=100/s lag=0 p=0-3 db_tx=3/s');
});
