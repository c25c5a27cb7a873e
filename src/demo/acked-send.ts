// Sending with acks=all until every record is acknowledged, across broker failures.
//
// @platformatic/kafka sends a request per partition leader and retries it against that same
// broker; when the leader was killed, the send fails for that broker's partitions while the
// others succeed. The producer is idempotent, so each partition has a sequence number that only
// advances when its records were acknowledged: sending exactly the unacknowledged partitions'
// records again, in the same order, reuses their sequence numbers, and a broker that had already
// written them (a new leader that replicated them before the old one died) answers with the
// original offsets instead of writing them twice. So a record is never lost and never doubled.
// Every record carries its partition explicitly, so the retry knows which records were whose.

import type { Producer } from '@platformatic/kafka';
import { createRootLogger } from '../common/log.js';

export interface PartitionedRecord {
  topic: string;
  partition: number;
  key: string;
  value: string;
}

const RETRY_WAIT_MS = 200;
const log = createRootLogger('warn', { component: 'demo-send' });

/**
 * Resolves once every record is acknowledged, with the number of failed attempts before that;
 * throws after `timeoutMs` of failed attempts.
 */
export async function sendUntilAcked(
  producer: Producer<string, string, string, string>,
  records: readonly PartitionedRecord[],
  timeoutMs: number,
): Promise<number> {
  let remaining = records;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await producer.send({ messages: [...remaining] });
      return attempt - 1;
    } catch (err) {
      const acked = new Set((producedOf(err)?.offsets ?? []).map((o) => `${o.topic}:${o.partition}`));
      remaining = remaining.filter((r) => !acked.has(`${r.topic}:${r.partition}`));
      if (Date.now() >= deadline) throw err;
      if (attempt === 1) log.warn({ err, unacknowledged: remaining.length }, 'send failed; sending the unacknowledged partitions again');
      // The failed leader may be gone: ask for fresh metadata before the next attempt.
      producer.clearMetadata();
      await new Promise((resolve) => setTimeout(resolve, RETRY_WAIT_MS));
    }
  }
}

function producedOf(err: unknown): { offsets?: { topic: string; partition: number }[] } | undefined {
  return typeof err === 'object' && err !== null && 'produced' in err ? (err as { produced?: { offsets?: { topic: string; partition: number }[] } }).produced : undefined;
}
