// Checks for tests that write with an acks=all producer through faults: every record the
// producer saw acknowledged must be read back exactly once, at the partition and offset it was
// acknowledged with, with producer order kept inside each partition (unacknowledged records may
// be there too, but never twice); and in-sync replicas must hold byte-identical logs.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KcatMessage } from './kcat.js';
import { indexOfKey } from './records.js';

/**
 * One line of python/producer_stream.py or producer_paced.py: [index, partition, offset, ackMs];
 * offset is null when librdkafka acknowledged the record without one (see below).
 */
export type Ack = readonly [index: number, partition: number, offset: number | null, atMs: number];

export function assertAcknowledgedExactlyOnce(read: readonly KcatMessage[], acked: readonly Ack[]): void {
  const byPartition = new Map<number, { index: number; offset: number }[]>();
  for (const m of read) {
    const list = byPartition.get(m.partition) ?? [];
    list.push({ index: indexOfKey(m.key), offset: m.offset });
    byPartition.set(m.partition, list);
  }
  const seen = new Map<number, { partition: number; offset: number }>();
  for (const [partition, list] of byPartition) {
    list.sort((a, b) => a.offset - b.offset);
    for (let i = 0; i < list.length; i++) {
      const r = list[i]!;
      const first = seen.get(r.index);
      if (first !== undefined) {
        assert.fail(`record ${r.index} appears twice: at ${first.partition}/${first.offset} and ${partition}/${r.offset}; acknowledged as ${JSON.stringify(acked.find((a) => a[0] === r.index) ?? 'none')}`);
      }
      seen.set(r.index, { partition, offset: r.offset });
      if (i > 0) assert.ok(r.index > list[i - 1]!.index, `partition ${partition}: record ${r.index} at ${r.offset} comes after ${list[i - 1]!.index}`);
    }
  }
  for (const [index, partition, offset] of acked) {
    const where = seen.get(index);
    assert.ok(where, `acknowledged record ${index} (${partition}/${offset}) was lost`);
    // An idempotent librdkafka producer acknowledges a batch whose response it never got once a
    // later batch of the same partition succeeds (the sequence proves it was stored): the
    // delivery report then has no offset (None in Python), and only the partition can be checked.
    if (offset === null || offset < 0) assert.equal(where.partition, partition, `record ${index} moved`);
    else assert.deepEqual(where, { partition, offset }, `record ${index} moved`);
  }
}

/** The concatenated segment files of one replica of `topic-partition` in a node's data dir. */
export function replicaLogBytes(dataDir: string, topic: string, partition: number): Buffer {
  const path = join(dataDir, `${topic}-${partition}`);
  const files = readdirSync(path).filter((f) => f.endsWith('.log')).sort();
  return Buffer.concat(files.map((f) => readFileSync(join(path, f))));
}
