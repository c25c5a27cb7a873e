// Goal: brokers the CLI starts get a short young generation and a GC helper pool sized to their
// share of the machine's cores, and flags the user set in NODE_OPTIONS are never overridden.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SEMI_SPACE_FLAG, brokerNodeFlags } from '../../../src/cli/broker-node-flags.js';

test('the GC helper pool is the cores divided among the nodes, at least one', () => {
  assert.deepEqual(brokerNodeFlags(3, '', 2), [SEMI_SPACE_FLAG, '--v8-pool-size=1']);
  assert.deepEqual(brokerNodeFlags(3, '', 8), [SEMI_SPACE_FLAG, '--v8-pool-size=2']);
  assert.deepEqual(brokerNodeFlags(1, '', 4), [SEMI_SPACE_FLAG, '--v8-pool-size=4']);
  assert.deepEqual(brokerNodeFlags(9, '', 2), [SEMI_SPACE_FLAG, '--v8-pool-size=1']);
});

test('a flag already in NODE_OPTIONS is left to it', () => {
  assert.deepEqual(brokerNodeFlags(3, '--max-semi-space-size=16', 2), ['--v8-pool-size=1']);
  assert.deepEqual(brokerNodeFlags(3, '--enable-source-maps  --v8-pool-size=4', 2), [SEMI_SPACE_FLAG]);
  assert.deepEqual(brokerNodeFlags(3, '--v8-pool-size=4 --max-semi-space-size=8', 2), []);
  assert.deepEqual(brokerNodeFlags(3, '--v8-pool-sizes=4', 2), [SEMI_SPACE_FLAG, '--v8-pool-size=1'], 'a longer option name is not the flag');
  assert.deepEqual(brokerNodeFlags(3, '--max_semi_space_size=16 --v8_pool_size=2', 2), [], 'Node accepts underscores too');
});
