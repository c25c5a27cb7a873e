// Goal: broker sessions expire exactly after the session timeout (inclusive bound, as KRaft),
// a broker never heard from has no session, and a newly active controller's resetAll starts
// every registered broker afresh while forgetting the rest.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BrokerLiveness } from '../../../src/controller/broker-liveness.js';

test('a session lasts the timeout after the last contact, inclusive', () => {
  const liveness = new BrokerLiveness(100);
  liveness.touch(1, 1000);
  assert.equal(liveness.isAlive(1, 1100), true);
  assert.equal(liveness.isAlive(1, 1101), false);
  liveness.touch(1, 1050);
  assert.equal(liveness.isAlive(1, 1150), true);
  assert.equal(liveness.isAlive(2, 1000), false, 'never heard from');
});

test('expired lists the candidates without a live session, in the order given', () => {
  const liveness = new BrokerLiveness(50);
  liveness.touch(1, 0);
  liveness.touch(2, 40);
  liveness.touch(3, 10);
  assert.deepEqual(liveness.expired(80, [3, 2, 1, 4]), [3, 1, 4]);
  assert.deepEqual(liveness.expired(30, [1, 2]), []);
  liveness.forget(2);
  assert.deepEqual(liveness.expired(41, [2]), [2]);
});

test('resetAll starts fresh sessions for the given brokers and drops the others', () => {
  const liveness = new BrokerLiveness(50);
  liveness.touch(9, 0);
  liveness.resetAll([1, 2], 1000);
  assert.deepEqual(liveness.expired(1050, [1, 2, 9]), [9]);
  assert.deepEqual(liveness.expired(1051, [1, 2]), [1, 2]);
});
