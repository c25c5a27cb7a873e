// Checks what an idempotent producer left on disk: reads the producer fields of every batch in a
// partition's active segment (RecordBatch v2 header, offsets from batch-header.ts) and asserts one
// producer id and epoch for the topic, with base sequences counting records from 0 per partition.
// Used by the client tests (kafkajs, @platformatic/kafka) that produce with idempotence on.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { activeSegmentPath, batchesIn } from './segments.js';
import {
  BASE_SEQUENCE_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORDS_COUNT_OFFSET,
  readInt64,
} from '../../src/protocol/records/batch-header.js';

/** Producer id, epoch and base sequence of each batch stored for a partition, read from its active segment. */
function storedProducerFields(dataDir: string, topic: string, partition: number) {
  const path = activeSegmentPath(dataDir, topic, partition);
  const bytes = readFileSync(path);
  return batchesIn(path).map(({ position }) => ({
    producerId: readInt64(bytes, position + PRODUCER_ID_OFFSET),
    producerEpoch: bytes.readInt16BE(position + PRODUCER_EPOCH_OFFSET),
    baseSequence: bytes.readInt32BE(position + BASE_SEQUENCE_OFFSET),
    recordsCount: bytes.readInt32BE(position + RECORDS_COUNT_OFFSET),
  }));
}

/** An idempotent producer's batches: one producer id and epoch, sequences counting records from 0. */
export function assertIdempotentBatches(dataDir: string, topic: string, partitionCount: number): void {
  const producerIds = new Set<string>();
  for (let partition = 0; partition < partitionCount; partition++) {
    let nextSequence = 0;
    for (const b of storedProducerFields(dataDir, topic, partition)) {
      assert.ok(b.producerId >= 0 && b.producerEpoch >= 0, `${topic}-${partition}: batch without a producer id: ${JSON.stringify(b)}`);
      producerIds.add(`${b.producerId}/${b.producerEpoch}`);
      assert.equal(b.baseSequence, nextSequence, `${topic}-${partition}: base sequence`);
      nextSequence += b.recordsCount;
    }
    assert.ok(nextSequence > 0, `${topic}-${partition} holds no batch`);
  }
  assert.equal(producerIds.size, 1, `producer ids/epochs: ${[...producerIds].join(', ')}`);
}
