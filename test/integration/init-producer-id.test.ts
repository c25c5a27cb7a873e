// Goal: InitProducerId without a transactional id always hands out a new producer id at epoch 0,
// as Kafka's coordinator does, even when the request carries a producer id and epoch (v3+):
// clients that send 0/0 there must not end up sharing producer id 0 and its sequence numbers.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiKey } from '../../src/protocol/generated/api-keys.js';
import { startBroker } from '../helpers/broker.js';
import { WireClient } from '../helpers/kafka-wire.js';

test('InitProducerId without a transactional id: a distinct producer id per request, epoch 0', { timeout: 30_000 }, async () => {
  const broker = await startBroker();
  const wire = await WireClient.connect(broker.bootstrap);
  try {
    const ids = new Set<number>();
    for (const [version, producerId, producerEpoch] of [[0, -1, -1], [4, 0, 0], [4, 0, 0], [5, -1, -1], [5, 7, 3]] as const) {
      const body = version >= 3 ? { transactionalId: null, transactionTimeoutMs: 60_000, producerId, producerEpoch } : { transactionalId: null, transactionTimeoutMs: 60_000 };
      const res = await wire.request(ApiKey.InitProducerId, version, body);
      assert.equal(res.errorCode, 0);
      assert.equal(res.producerEpoch, 0, `v${version} ${producerId}/${producerEpoch}`);
      assert.ok(!ids.has(res.producerId), `producer id ${res.producerId} handed out twice`);
      ids.add(res.producerId);
    }
  } finally {
    wire.close();
    await broker.stop();
  }
});
