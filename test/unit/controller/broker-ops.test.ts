// Goal: broker registration, heartbeats, fencing, controlled shutdown and unregistration decide
// as KRaft does, per error code and per record: new incarnations start fenced with a higher
// epoch, unfencing waits for the broker to catch up, a departing broker's leaderships move to
// the first eligible ISR member, and controlled shutdown ends fenced once nothing can move; every
// path that elects passes the broker's unclean election default through.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brokerHeartbeat, fenceBroker, registerBroker, unregisterBroker, type BrokerRegistrationInput } from '../../../src/controller/broker-ops.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { MetadataImage } from '../../../src/metadata/image.js';
import { CLUSTER_ID, applyAll, imageWith, leadersAndIsrs, topicIdOf, uuid } from './fixtures.js';

const registration = (brokerId: number, incarnation: number, extra: Partial<BrokerRegistrationInput> = {}): BrokerRegistrationInput => ({
  brokerId,
  clusterId: CLUSTER_ID,
  incarnationId: uuid(incarnation),
  listeners: [{ name: 'PLAINTEXT', host: 'h', port: 9092, securityProtocol: 0 }],
  rack: 'r1',
  previousBrokerEpoch: -1,
  ...extra,
});
const alive = { isAlive: () => true };
const dead = { isAlive: () => false };

test('registerBroker: a new broker starts fenced at epoch 0, or above the epoch it remembers', () => {
  const image = imageWith([]);
  const first = registerBroker(image, registration(1, 1), dead);
  assert.equal(first.errorCode, ErrorCode.NONE);
  assert.equal(first.brokerEpoch, 0);
  assert.deepEqual(first.records, [
    { type: 'RegisterBroker', brokerId: 1, incarnationId: uuid(1), brokerEpoch: 0, endPoints: registration(1, 1).listeners, rack: 'r1', fenced: true, inControlledShutdown: false },
  ]);
  assert.equal(registerBroker(image, registration(2, 2, { previousBrokerEpoch: 7 }), dead).brokerEpoch, 8);
  const wrong = registerBroker(image, registration(1, 1, { clusterId: 'other' }), dead);
  assert.deepEqual([wrong.errorCode, wrong.brokerEpoch, wrong.records], [ErrorCode.INCONSISTENT_CLUSTER_ID, -1, []]);
});

test('registerBroker: retries, live duplicates and restarts', () => {
  const image = imageWith([{ id: 1, epoch: 4, incarnation: uuid(1) }, 2, 3], { t: [{ replicas: [1, 2, 3] }, { replicas: [2, 1] }] });
  const retry = registerBroker(image, registration(1, 1), alive);
  assert.deepEqual([retry.errorCode, retry.brokerEpoch, retry.records], [ErrorCode.NONE, 4, []]);
  assert.equal(registerBroker(image, registration(1, 9), alive).errorCode, ErrorCode.DUPLICATE_BROKER_REGISTRATION);

  // The old incarnation's session is gone but it was never fenced: it restarted uncleanly.
  const restart = registerBroker(image, registration(1, 9), dead);
  assert.equal(restart.brokerEpoch, 5);
  assert.equal(restart.records[0]!.type, 'RegisterBroker');
  applyAll(image, restart.records);
  assert.equal(image.brokers.get(1)!.fenced, true);
  assert.deepEqual(leadersAndIsrs(image, 't'), [
    [2, [2, 3]],
    [2, [2]],
  ]);

  // A fenced registration holds no session: another incarnation may take over at once.
  const again = registerBroker(image, registration(1, 10), alive);
  assert.deepEqual([again.errorCode, again.brokerEpoch, again.records.length], [ErrorCode.NONE, 6, 1]);
});

const hb = (image: MetadataImage, brokerId: number, extra: Partial<Parameters<typeof brokerHeartbeat>[1]> = {}, registrationOffset = 10) =>
  brokerHeartbeat(image, { brokerId, brokerEpoch: image.brokers.get(brokerId)?.brokerEpoch ?? 0, currentMetadataOffset: 10, wantFence: false, wantShutDown: false, ...extra }, { registrationOffset });

test('brokerHeartbeat: unknown brokers and stale epochs are refused', () => {
  const image = imageWith([{ id: 1, epoch: 3 }]);
  assert.equal(hb(image, 2).errorCode, ErrorCode.BROKER_ID_NOT_REGISTERED);
  const stale = hb(image, 1, { brokerEpoch: 2 });
  assert.deepEqual([stale.errorCode, stale.isFenced, stale.shouldShutDown, stale.records], [ErrorCode.STALE_BROKER_EPOCH, true, false, []]);
});

test('brokerHeartbeat: a fenced broker is unfenced once caught up to its registration, and leads where it alone may', () => {
  const image = imageWith([{ id: 1, fenced: true }, 2], { t: [{ replicas: [1, 2], isr: [1], leader: -1 }, { replicas: [1, 2] , isr: [2] }] });
  const behind = hb(image, 1, { currentMetadataOffset: 9 });
  assert.deepEqual([behind.isCaughtUp, behind.isFenced, behind.records], [false, true, []]);
  assert.deepEqual(hb(image, 1, { wantFence: true }).records, [], 'wanting to stay fenced');
  const caughtUp = hb(image, 1);
  assert.deepEqual([caughtUp.errorCode, caughtUp.isCaughtUp, caughtUp.isFenced, caughtUp.shouldShutDown], [ErrorCode.NONE, true, false, false]);
  assert.deepEqual(caughtUp.records, [
    { type: 'UnfenceBroker', brokerId: 1, brokerEpoch: 0 },
    { type: 'PartitionChange', topicId: topicIdOf('t'), partitionId: 0, leader: 1 },
  ]);
  applyAll(image, caughtUp.records);
  const steady = hb(image, 1);
  assert.deepEqual([steady.isFenced, steady.records], [false, []]);
});

test('brokerHeartbeat: wantFence fences an unfenced broker and moves its leaderships', () => {
  const image = imageWith([1, 2], { t: [{ replicas: [1, 2] }] });
  const out = hb(image, 1, { wantFence: true });
  assert.equal(out.isFenced, true);
  assert.deepEqual(out.records[0], { type: 'FenceBroker', brokerId: 1, brokerEpoch: 0 });
  applyAll(image, out.records);
  assert.deepEqual(leadersAndIsrs(image, 't'), [[2, [2]]]);
});

test('controlled shutdown: leaderships move first, then the broker is fenced and may go', () => {
  const image = imageWith([1, 2, 3], { t: [{ replicas: [1, 2, 3] }, { replicas: [1, 3], isr: [1] }, { replicas: [2, 1] }] });
  const first = hb(image, 1, { wantShutDown: true });
  assert.deepEqual([first.isFenced, first.shouldShutDown], [false, false]);
  assert.deepEqual(first.records[0], { type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 0, inControlledShutdown: true });
  applyAll(image, first.records);
  assert.deepEqual(leadersAndIsrs(image, 't'), [
    [2, [2, 3]],
    [-1, [1]],
    [2, [2]],
  ]);
  // Shutdown cannot be cancelled: a later heartbeat without the flag continues it.
  const second = hb(image, 1);
  assert.deepEqual([second.isFenced, second.shouldShutDown], [true, true]);
  assert.deepEqual(second.records, [{ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 0, fenced: true }]);
  applyAll(image, second.records);
  const third = hb(image, 1, { wantShutDown: true });
  assert.deepEqual([third.isFenced, third.shouldShutDown, third.records], [true, true, []]);
  assert.deepEqual(hb(image, 1).records, [], 'never unfenced again');
});

test('controlled shutdown of a broker that leads nothing transferable ends at once', () => {
  const image = imageWith([1, 2], { t: [{ replicas: [1, 2], isr: [1] }, { replicas: [2, 1] }] });
  const out = hb(image, 1, { wantShutDown: true });
  assert.deepEqual([out.isFenced, out.shouldShutDown], [true, true]);
  assert.deepEqual(out.records[0], { type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 0, fenced: true, inControlledShutdown: true });
  applyAll(image, out.records);
  assert.deepEqual(leadersAndIsrs(image, 't'), [
    [-1, [1]],
    [2, [2]],
  ]);
  const fenced = imageWith([{ id: 1, fenced: true }]);
  assert.deepEqual(hb(fenced, 1, { wantShutDown: true }), { errorCode: ErrorCode.NONE, isCaughtUp: true, isFenced: true, shouldShutDown: true, records: [] });
});

test('fenceBroker: FenceBroker first, then ISR and leadership changes; nothing for unknown or fenced brokers', () => {
  const image = imageWith([1, 2, { id: 3, fenced: true }], { t: [{ replicas: [1, 2] }, { replicas: [3, 1], isr: [3], leader: -1 }] });
  assert.deepEqual(fenceBroker(image, 9), []);
  assert.deepEqual(fenceBroker(image, 3), []);
  const records = fenceBroker(image, 1);
  assert.deepEqual(records, [
    { type: 'FenceBroker', brokerId: 1, brokerEpoch: 0 },
    { type: 'PartitionChange', topicId: topicIdOf('t'), partitionId: 0, leader: 2, isr: [2] },
  ]);
});

test('unregisterBroker: unknown ids are refused; a known one leaves ISRs and the registry', () => {
  const image = imageWith([1, 2], { t: [{ replicas: [1, 2] }, { replicas: [1], isr: [1] }] });
  assert.equal(unregisterBroker(image, 7).errorCode, ErrorCode.BROKER_ID_NOT_REGISTERED);
  const out = unregisterBroker(image, 1);
  assert.equal(out.errorCode, ErrorCode.NONE);
  assert.deepEqual(out.records[0], { type: 'UnregisterBroker', brokerId: 1, brokerEpoch: 0 });
  applyAll(image, out.records);
  assert.equal(image.brokers.has(1), false);
  assert.deepEqual(leadersAndIsrs(image, 't'), [
    [2, [2]],
    [-1, [1]],
  ]);
});

test('every electing path honours the unclean election default it is given', () => {
  // Partition 0's last ISR member is broker 1; broker 2 is an out-of-sync replica.
  const image = () => imageWith([1, 2], { t: [{ replicas: [1, 2], isr: [1] }] });
  const uncleanMove = { type: 'PartitionChange', topicId: topicIdOf('t'), partitionId: 0, leader: 2, isr: [2] };
  const lastChange = (records: readonly unknown[]) => records[records.length - 1];
  const unclean = { uncleanDefault: true };
  assert.deepEqual(lastChange(fenceBroker(image(), 1, unclean)), uncleanMove);
  assert.deepEqual(lastChange(unregisterBroker(image(), 1, unclean).records), uncleanMove);
  assert.deepEqual(lastChange(registerBroker(image(), registration(1, 5), { ...dead, ...unclean }).records), uncleanMove);
  const hbUnclean = (extra: Partial<Parameters<typeof brokerHeartbeat>[1]>) =>
    brokerHeartbeat(image(), { brokerId: 1, brokerEpoch: 0, currentMetadataOffset: 10, wantFence: false, wantShutDown: false, ...extra }, { registrationOffset: 10, ...unclean });
  assert.deepEqual(lastChange(hbUnclean({ wantFence: true }).records), uncleanMove);
  assert.deepEqual(lastChange(hbUnclean({ wantShutDown: true }).records), uncleanMove);
  assert.deepEqual(lastChange(fenceBroker(image(), 1)), { type: 'PartitionChange', topicId: topicIdOf('t'), partitionId: 0, leader: -1 }, 'clean by default');

  const offline = imageWith([{ id: 1, fenced: true }, { id: 2, fenced: true }], { t: [{ replicas: [1, 2], isr: [1], leader: -1 }] });
  const unfence = brokerHeartbeat(offline, { brokerId: 2, brokerEpoch: 0, currentMetadataOffset: 10, wantFence: false, wantShutDown: false }, { registrationOffset: 10, ...unclean });
  assert.deepEqual(unfence.records, [{ type: 'UnfenceBroker', brokerId: 2, brokerEpoch: 0 }, uncleanMove]);
});
