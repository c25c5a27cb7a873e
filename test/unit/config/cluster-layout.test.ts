// Goal: the KRaft settings parse as Kafka reads them (roles, voters, controller listener names)
// and each misconfiguration fails with a ConfigError naming the setting.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BrokerConfig } from '../../../src/config/broker-config.js';
import { clusterLayout, parseVoters } from '../../../src/config/cluster-layout.js';
import { ConfigError } from '../../../src/common/errors.js';

const layoutOf = (settings: Record<string, string>) => clusterLayout(new BrokerConfig(new Map(Object.entries(settings))));
const voters = '1@127.0.0.1:9093,2@127.0.0.1:9095,3@[::1]:9097';

test('no voters: the single-node default is a one-voter quorum with no controller listener', () => {
  const l = layoutOf({ 'node.id': '7' });
  assert.deepEqual([...l.voters], [[7, null]]);
  assert.equal(l.isNetworked, false);
  assert.equal(l.controllerListener, null);
  assert.ok(l.isBroker && l.isController);
});

test('voters parse to ids and addresses, IPv6 brackets removed', () => {
  assert.deepEqual([...parseVoters(voters)], [
    [1, { host: '127.0.0.1', port: 9093 }],
    [2, { host: '127.0.0.1', port: 9095 }],
    [3, { host: '::1', port: 9097 }],
  ]);
  assert.throws(() => parseVoters('1@host'), ConfigError);
  assert.throws(() => parseVoters('1@a:1,1@b:2'), /appears twice/);
});

test('a combined voter finds its controller listener and keeps the others for clients', () => {
  const l = layoutOf({
    'node.id': '2',
    listeners: 'PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9095',
    'controller.listener.names': 'CONTROLLER',
    'controller.quorum.voters': voters,
  });
  assert.deepEqual(l.controllerListener, { name: 'CONTROLLER', host: '127.0.0.1', port: 9095 });
  assert.deepEqual(l.brokerListeners.map((b) => b.name), ['PLAINTEXT']);
  assert.equal(l.voters.size, 3);
});

test('a broker-only node needs voters and must not listen on the controller listener', () => {
  const base = { 'node.id': '4', 'process.roles': 'broker', 'controller.listener.names': 'CONTROLLER' };
  assert.throws(() => layoutOf(base), /controller.quorum.voters is required/);
  const ok = layoutOf({ ...base, 'controller.quorum.voters': voters, listeners: 'PLAINTEXT://127.0.0.1:0' });
  assert.equal(ok.isController, false);
  assert.equal(ok.controllerListener, null);
  assert.throws(() => layoutOf({ ...base, 'controller.quorum.voters': voters, listeners: 'PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:1' }), /must not listen/);
});

test('a controller missing from the voters or without its listener is refused', () => {
  const base = { listeners: 'PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:9095', 'controller.quorum.voters': voters };
  assert.throws(() => layoutOf({ ...base, 'node.id': '9', 'controller.listener.names': 'CONTROLLER' }), /does not name this controller/);
  assert.throws(() => layoutOf({ ...base, 'node.id': '2' }), /controller.listener.names is required/);
  assert.throws(() => layoutOf({ ...base, 'node.id': '2', 'controller.listener.names': 'OTHER' }), /has no OTHER listener/);
});
