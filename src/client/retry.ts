// Bounded retries for requests that fan out to several brokers. A round answers each key (a
// group id, a partition, a broker) with a value or an Error; keys that failed with a retriable
// Kafka error (NOT_COORDINATOR, LEADER_NOT_AVAILABLE, a lost connection, …) go into the next
// round after a back-off, where the caller looks up coordinators or leaders afresh. The first
// non-retriable error, or the last error once the rounds run out, is thrown.

import { isRetriable, kafkaErrorFor, markFinal } from './errors.js';

export interface RetryPolicy {
  /** Rounds after the first. */
  retries: number;
  backoffMs: number;
  backoffMaxMs: number;
  sleep(ms: number): Promise<void>;
}

export type RoundResult<R> = Map<string, R | Error>;

export async function retryRounds<R>(
  keys: readonly string[],
  policy: RetryPolicy,
  round: (keys: string[], attempt: number) => Promise<RoundResult<R>>,
): Promise<Map<string, R>> {
  const done = new Map<string, R>();
  let pending = [...new Set(keys)];
  for (let attempt = 0; pending.length > 0; attempt++) {
    const answers = await runRound(pending, attempt, round);
    const retriable: Error[] = [];
    const next: string[] = [];
    for (const key of pending) {
      const answer = answers.get(key) ?? kafkaErrorFor(-1, key, 'the broker sent no answer for it');
      if (!(answer instanceof Error)) done.set(key, answer);
      else if (!isRetriable(answer)) throw answer;
      else {
        retriable.push(answer);
        next.push(key);
      }
    }
    // Marked final so an enclosing retry loop (describe around find-coordinator) does not start over.
    if (next.length > 0 && attempt >= policy.retries) throw markFinal(retriable[0]!);
    if (next.length > 0) await policy.sleep(Math.min(policy.backoffMs * 2 ** attempt, policy.backoffMaxMs));
    pending = next;
  }
  return done;
}

async function runRound<R>(keys: string[], attempt: number, round: (keys: string[], attempt: number) => Promise<RoundResult<R>>): Promise<RoundResult<R>> {
  try {
    return await round(keys, attempt);
  } catch (err) {
    // A round that fails as a whole (say the bootstrap connection dropped) fails each of its keys.
    const error = err instanceof Error ? err : new Error(String(err));
    return new Map(keys.map((k) => [k, error]));
  }
}

/** Groups items by a numeric key (a broker id), keeping their order. */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [item]);
    else list.push(item);
  }
  return groups;
}
