// Goal: `tideline demo gps` options parse strictly, and the status view renders partitions compactly.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TidelineErrorCode } from '../../../src/common/errors.js';
import { defaultDemoOptions, parseDemoArgs } from '../../../src/demo/config.js';
import { formatPartitions } from '../../../src/demo/status.js';

test('defaults and overrides', () => {
  assert.deepEqual(parseDemoArgs([]), defaultDemoOptions);
  assert.equal(defaultDemoOptions.partners, 100_000);
  assert.equal(defaultDemoOptions.partitions, 12);
  const o = parseDemoArgs(['--duration', '2.5', '--partners', '10', '--rate', '100', '--partitions', '4', '--bootstrap', 'h:9092', '--data-dir', '/tmp/x']);
  assert.deepEqual([o.durationSec, o.partners, o.ratePerSec, o.partitions, o.bootstrap, o.dataDir], [2.5, 10, 100, 4, 'h:9092', '/tmp/x']);
});

test('bad input is a usage error', () => {
  for (const args of [['--partners'], ['--partners', 'x'], ['--partners', '1.5'], ['--rate', '0'], ['--nope', '1'], ['--duration', '-1']]) {
    assert.throws(() => parseDemoArgs(args), (err: { code?: string }) => err.code === TidelineErrorCode.CLI_USAGE, args.join(' '));
  }
});

test('partition lists become ranges', () => {
  assert.equal(formatPartitions([]), '-');
  assert.equal(formatPartitions([3]), '3');
  assert.equal(formatPartitions([0, 1, 2, 3, 5, 7, 8]), '0-3,5,7-8');
});
