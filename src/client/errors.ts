// How the client reports failures. Kafka outcomes become `KafkaError`s from src/protocol/errors.ts
// whose message starts with what was asked and Kafka's error name, e.g.
// `DescribeGroups(orders): COORDINATOR_NOT_AVAILABLE: The coordinator is not available.`, so a
// CLI can print the message as is. Transport failures use Kafka's own client-side codes, as the
// Java client does: a lost connection is NETWORK_EXCEPTION and an unanswered request is
// REQUEST_TIMED_OUT, both retriable; the socket error rides along as `cause`.

import { ErrorCode, KafkaError, errorInfo, isKnownErrorCode, type ErrorCodeValue } from '../protocol/errors.js';

/** A KafkaError for a non-zero error code in a response; unknown codes read as UNKNOWN_SERVER_ERROR. */
export function kafkaErrorFor(code: number, context: string, brokerMessage?: string | null): KafkaError {
  const known = isKnownErrorCode(code);
  const info = errorInfo(code);
  const detail = brokerMessage !== undefined && brokerMessage !== null && brokerMessage !== '' ? brokerMessage : info.message;
  const name = known ? info.name : `${info.name} (code ${code})`;
  return new KafkaError(info.code as ErrorCodeValue, `${context}: ${name}: ${detail}`);
}

/** Throws `kafkaErrorFor(code, …)` unless `code` is NONE. */
export function throwIfError(code: number, context: string, brokerMessage?: string | null): void {
  if (code !== ErrorCode.NONE) throw kafkaErrorFor(code, context, brokerMessage);
}

export function networkError(message: string, cause?: unknown): KafkaError {
  return new KafkaError(ErrorCode.NETWORK_EXCEPTION, `NETWORK_EXCEPTION: ${message}`, { cause });
}

export function timeoutError(message: string): KafkaError {
  return new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `REQUEST_TIMED_OUT: ${message}`);
}

const finalErrors = new WeakSet<Error>();

/**
 * Marks an error as not worth retrying although its code is retriable: Kafka calls
 * UNKNOWN_TOPIC_OR_PARTITION retriable (metadata may lag), but a topic the metadata itself
 * reports missing will not appear by asking again, as Kafka's admin client also decides.
 */
export function markFinal<E extends Error>(err: E): E {
  finalErrors.add(err);
  return err;
}

/** Whether retrying the same request (perhaps after finding the coordinator or leader again) may succeed. */
export function isRetriable(err: unknown): boolean {
  return err instanceof KafkaError && err.retriable && !finalErrors.has(err);
}
