// Goal: the metadata image folds every record type as KRaft replays it (broker flags by epoch,
// leader and partition epochs, config overrides, reassignment lists), refuses records a correct controller never
// writes, and toRecords() is a snapshot: folding it, directly or through the on-disk codec,
// rebuilds an equal image for any reachable image (property test over random record histories).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MetadataImage } from '../../../src/metadata/image.js';
import { decodeMetadataRecord, encodeMetadataRecord } from '../../../src/metadata/metadata-codec.js';
import { ConfigResourceType, type MetadataRecord } from '../../../src/metadata/records.js';
import { CLUSTER_ID, applyAll, imageWith, partitionOf, refold, registerRecord, topicIdOf, uuid } from '../controller/fixtures.js';

test('broker records set and clear the registration flags of the named epoch', () => {
  const image = imageWith([{ id: 1, epoch: 4 }, { id: 2, fenced: true }]);
  const { inControlledShutdown: _omitted, ...legacy } = registerRecord(3) as Extract<MetadataRecord, { type: 'RegisterBroker' }>;
  image.apply(legacy);
  assert.equal(image.brokers.get(3)!.inControlledShutdown, false, 'a RegisterBroker without the flag reads as false');
  assert.deepEqual(image.liveBrokers().map((b) => b.brokerId), [1, 3]);

  image.apply({ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 4, inControlledShutdown: true });
  assert.equal(image.isActiveBroker(1), false);
  assert.deepEqual(image.liveBrokers().map((b) => b.brokerId), [1, 3], 'shutting down is still live (unfenced)');
  assert.deepEqual(image.activeBrokers().map((b) => b.brokerId), [3]);

  image.apply({ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 4, fenced: true });
  assert.deepEqual([image.brokers.get(1)!.fenced, image.brokers.get(1)!.inControlledShutdown], [true, true]);
  image.apply({ type: 'UnfenceBroker', brokerId: 2, brokerEpoch: 0 });
  image.apply({ type: 'FenceBroker', brokerId: 3, brokerEpoch: 0 });
  assert.deepEqual(image.activeBrokers().map((b) => b.brokerId), [2]);
  image.apply({ type: 'BrokerRegistrationChange', brokerId: 2, brokerEpoch: 0, fenced: true });
  image.apply({ type: 'BrokerRegistrationChange', brokerId: 2, brokerEpoch: 0, fenced: false });
  assert.equal(image.isActiveBroker(2), true);

  image.apply({ type: 'UnregisterBroker', brokerId: 3, brokerEpoch: 0 });
  assert.equal(image.brokers.has(3), false);
  image.apply(registerRecord({ id: 1, epoch: 5 }));
  assert.deepEqual(image.brokers.get(1)!.inControlledShutdown, false, 'a new registration clears controlled shutdown');
});

test('broker records for an unknown broker or another epoch are controller bugs', () => {
  const image = imageWith([{ id: 1, epoch: 2 }]);
  const bad: MetadataRecord[] = [
    { type: 'FenceBroker', brokerId: 9, brokerEpoch: 0 },
    { type: 'FenceBroker', brokerId: 1, brokerEpoch: 1 },
    { type: 'UnfenceBroker', brokerId: 1, brokerEpoch: 3 },
    { type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 0, fenced: true },
    { type: 'UnregisterBroker', brokerId: 1, brokerEpoch: 1 },
    { type: 'UnregisterBroker', brokerId: 2, brokerEpoch: 0 },
  ];
  for (const r of bad) assert.throws(() => image.apply(r), /AssertionError|broker/, JSON.stringify(r));
  assert.equal(image.brokers.get(1)!.fenced, false);
});

test('a leader change bumps the leader epoch; every change bumps the partition epoch', () => {
  const image = imageWith([1, 2, 3], { t: [{ replicas: [1, 2, 3] }] });
  const topicId = topicIdOf('t');
  const epochs = () => [partitionOf(image, 't', 0).leaderEpoch, partitionOf(image, 't', 0).partitionEpoch];
  image.apply({ type: 'PartitionChange', topicId, partitionId: 0, isr: [1, 2] });
  assert.deepEqual(epochs(), [0, 1]);
  image.apply({ type: 'PartitionChange', topicId, partitionId: 0, leader: 2 });
  assert.deepEqual(epochs(), [1, 2]);
  image.apply({ type: 'PartitionChange', topicId, partitionId: 0, leader: -2, isr: [2] });
  assert.deepEqual(epochs(), [1, 3]);
  image.apply({ type: 'PartitionChange', topicId, partitionId: 0, leader: -1 });
  assert.deepEqual([partitionOf(image, 't', 0).leader, ...epochs()], [-1, 2, 4]);
  assert.throws(() => image.apply({ type: 'PartitionChange', topicId, partitionId: 5, leader: 1 }), /unknown partition/);
});

test('reassignment lists: absent reads as empty, null leaves them, an empty list clears them', () => {
  const image = imageWith([1, 2, 3], { t: [{ replicas: [1, 2] }] });
  const topicId = topicIdOf('t');
  const lists = () => [partitionOf(image, 't', 0).replicas, partitionOf(image, 't', 0).addingReplicas, partitionOf(image, 't', 0).removingReplicas];
  assert.deepEqual(lists(), [[1, 2], [], []]);
  image.apply({ type: 'PartitionChange', topicId, partitionId: 0, replicas: [1, 3, 2], addingReplicas: [3], removingReplicas: [2] });
  assert.deepEqual(lists(), [[1, 3, 2], [3], [2]]);
  image.apply({ type: 'PartitionChange', topicId, partitionId: 0, isr: [1, 2, 3], addingReplicas: null });
  assert.deepEqual(lists(), [[1, 3, 2], [3], [2]]);
  image.apply({ type: 'PartitionChange', topicId, partitionId: 0, replicas: [1, 3], isr: [1, 3], addingReplicas: [], removingReplicas: [] });
  assert.deepEqual(lists(), [[1, 3], [], []]);
  image.apply({ type: 'PartitionChange', topicId, partitionId: 0, replicas: [2, 1, 3], addingReplicas: [2], removingReplicas: [3] });
  assert.deepEqual(refold(image), image);
  assert.deepEqual(throughCodec(image), image);
});

test('deleting the last config override leaves no entry for the topic', () => {
  const image = imageWith([1], { t: [{ replicas: [1] }] });
  const config = (value: string | null): MetadataRecord => ({ type: 'Config', resourceType: ConfigResourceType.TOPIC, resourceName: 't', name: 'retention.ms', value });
  image.apply(config('1000'));
  assert.equal(image.topicConfigs.get('t')!.get('retention.ms'), '1000');
  image.apply(config(null));
  assert.equal(image.topicConfigs.has('t'), false);
  image.apply(config(null));
  assert.equal(image.topicConfigs.has('t'), false);
});

test('toRecords of a small image folds back equal, also through the codec', () => {
  const image = imageWith([{ id: 1, rack: 'a' }, { id: 2, fenced: true, epoch: 7 }, { id: 3, inControlledShutdown: true }], {
    t: [{ replicas: [1, 2, 3], isr: [1, 3] }, { replicas: [3, 1], leader: -1, isr: [3] }],
  });
  applyAll(image, [
    { type: 'PartitionChange', topicId: topicIdOf('t'), partitionId: 0, leader: 3 },
    { type: 'Config', resourceType: ConfigResourceType.TOPIC, resourceName: 't', name: 'cleanup.policy', value: 'compact' },
    { type: 'ProducerIds', brokerId: 1, brokerEpoch: 0, nextProducerId: 5000 },
  ]);
  assert.deepEqual(refold(image), image);
  assert.deepEqual(throughCodec(image), image);
  assert.deepEqual(new MetadataImage(CLUSTER_ID).toRecords(), [], 'an empty image is an empty snapshot');
});

function throughCodec(image: MetadataImage): MetadataImage {
  const out = new MetadataImage(image.clusterId);
  for (const r of image.toRecords()) out.apply(decodeMetadataRecord(encodeMetadataRecord(r))!);
  return out;
}

// ---- property: any image reachable by a controller-like history round-trips -----------------

/** One step of a random history; the interpreter turns the numbers into a valid record. */
const stepArb = fc.record({
  kind: fc.oneof(fc.integer({ min: 0, max: 11 }), fc.constantFrom(5, 6, 6, 6, 7, 8)),
  a: fc.nat(1000),
  b: fc.nat(1000),
  c: fc.nat(1000),
  flag: fc.boolean(),
});
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

let topicSerial = 0;

function recordFor(image: MetadataImage, s: Step): MetadataRecord | null {
  const brokers = [...image.brokers.values()];
  const broker = brokers.length > 0 ? brokers[s.a % brokers.length]! : undefined;
  const partitions = [...image.topicsById.values()].flatMap((t) => t.partitions.map((p) => ({ topicId: t.topicId, p })));
  const target = partitions.length > 0 ? partitions[s.b % partitions.length]! : undefined;
  switch (s.kind) {
    case 0:
    case 1: {
      const id = s.a % 6;
      const epoch = (image.brokers.get(id)?.brokerEpoch ?? -1) + 1 + (s.c % 3);
      return registerRecord({ id, epoch, fenced: s.flag, rack: s.b % 3 === 0 ? null : `rack-${s.b % 3}`, incarnation: uuid(s.c), inControlledShutdown: s.c % 4 === 0 });
    }
    case 2:
      if (!broker) return null;
      return s.flag
        ? { type: 'FenceBroker', brokerId: broker.brokerId, brokerEpoch: broker.brokerEpoch }
        : { type: 'UnfenceBroker', brokerId: broker.brokerId, brokerEpoch: broker.brokerEpoch };
    case 3:
      if (!broker) return null;
      return { type: 'BrokerRegistrationChange', brokerId: broker.brokerId, brokerEpoch: broker.brokerEpoch, ...(s.flag ? { fenced: s.c % 2 === 0 } : { inControlledShutdown: true }) };
    case 4:
      return broker && s.c % 3 === 0 ? { type: 'UnregisterBroker', brokerId: broker.brokerId, brokerEpoch: broker.brokerEpoch } : null;
    case 5: {
      const name = `topic-${topicSerial++}`;
      return { type: 'Topic', name, topicId: uuid(100_000 + topicSerial) };
    }
    case 6: {
      const topics = [...image.topicsById.values()];
      if (topics.length === 0) return null;
      const topic = topics[s.a % topics.length]!;
      const replicas = [s.b % 6, (s.b + 1 + (s.c % 5)) % 6];
      const reassigning = s.a % 4 === 0 ? { addingReplicas: replicas.slice(1), removingReplicas: replicas.slice(0, 1) } : {};
      return { type: 'Partition', topicId: topic.topicId, partitionId: topic.partitions.length, replicas, isr: replicas.slice(0, 1 + (s.c % 2)), leader: s.flag ? replicas[0]! : -1, leaderEpoch: s.c % 7, partitionEpoch: s.a % 9, ...reassigning };
    }
    case 7:
    case 8: {
      if (!target) return null;
      const { replicas } = target.p;
      const record: MetadataRecord = { type: 'PartitionChange', topicId: target.topicId, partitionId: target.p.partitionId };
      if (s.flag) record.isr = replicas.slice(s.c % replicas.length);
      if (s.a % 3 !== 0) record.leader = s.a % 3 === 1 ? replicas[s.c % replicas.length]! : -1;
      if (s.c % 5 === 0) record.replicas = [...replicas].reverse();
      // A reassignment starting (some replica adding, another removing) or ending.
      if (s.b % 4 === 0) {
        record.addingReplicas = s.flag ? replicas.slice(0, 1) : [];
        record.removingReplicas = s.flag ? replicas.slice(1) : [];
      }
      return record;
    }
    case 9: {
      const names = [...image.topicsByName.keys()];
      if (names.length === 0) return null;
      const value = s.flag ? `${s.c}` : null;
      return { type: 'Config', resourceType: s.b % 5 === 0 ? ConfigResourceType.BROKER : ConfigResourceType.TOPIC, resourceName: names[s.a % names.length]!, name: `k${s.c % 3}`, value };
    }
    case 10: {
      const topics = [...image.topicsById.values()];
      return topics.length > 0 && s.c % 4 === 0 ? { type: 'RemoveTopic', topicId: topics[s.a % topics.length]!.topicId } : null;
    }
    default:
      return { type: 'ProducerIds', brokerId: s.a % 6, brokerEpoch: 0, nextProducerId: s.c * 1000 };
  }
}

test('property: fold(toRecords(image)) equals the image, directly and through the codec', () => {
  fc.assert(
    fc.property(fc.array(stepArb, { minLength: 5, maxLength: 120 }), (steps) => {
      const image = new MetadataImage(CLUSTER_ID);
      // Most histories start the way a cluster does: brokers, then topics with partitions.
      for (const s of steps.slice(0, 4)) image.apply(recordFor(image, { ...s, kind: 0 })!);
      for (const s of steps) {
        const r = recordFor(image, s);
        if (r) image.apply(r);
      }
      assert.deepEqual(refold(image), image);
      assert.deepEqual(throughCodec(image), image);
    }),
    { numRuns: 300 },
  );
});
