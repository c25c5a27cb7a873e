// Goal: the Kafka error-code table is complete and self-consistent (unique codes and names, no gaps
// from -1 to the newest code), its well-known values match Kafka's protocol, and KafkaError
// carries a code a handler can answer with.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, KafkaError, allErrors, errorInfo, isKnownErrorCode } from '../../../src/protocol/errors.js';

describe('error table', () => {
  it('has unique codes and names', () => {
    const codes = allErrors.map((e) => e.code);
    const names = allErrors.map((e) => e.name);
    assert.equal(new Set(codes).size, codes.length);
    assert.equal(new Set(names).size, names.length);
  });

  it('covers every code from -1 through the newest with no gap', () => {
    const codes = allErrors.map((e) => e.code);
    const newest = Math.max(...codes);
    assert.ok(newest >= 133, `newest code ${newest}`);
    for (let code = -1; code <= newest; code++) assert.ok(isKnownErrorCode(code), `code ${code} missing`);
  });

  it('ErrorCode agrees with the table', () => {
    for (const info of allErrors) assert.equal(ErrorCode[info.name], info.code);
    assert.equal(Object.keys(ErrorCode).length, allErrors.length);
  });

  const wellKnown: Array<[keyof typeof ErrorCode, number, boolean]> = [
    ['UNKNOWN_SERVER_ERROR', -1, false],
    ['NONE', 0, false],
    ['OFFSET_OUT_OF_RANGE', 1, false],
    ['CORRUPT_MESSAGE', 2, true],
    ['UNKNOWN_TOPIC_OR_PARTITION', 3, true],
    ['NOT_LEADER_OR_FOLLOWER', 6, true],
    ['MESSAGE_TOO_LARGE', 10, false],
    ['NOT_COORDINATOR', 16, true],
    ['UNSUPPORTED_VERSION', 35, false],
    ['UNSUPPORTED_FOR_MESSAGE_FORMAT', 43, false],
    ['OUT_OF_ORDER_SEQUENCE_NUMBER', 45, false],
    ['KAFKA_STORAGE_ERROR', 56, true],
    ['UNSUPPORTED_COMPRESSION_TYPE', 76, false],
    ['INVALID_RECORD', 87, false],
    ['PRODUCER_FENCED', 90, false],
    ['UNKNOWN_TOPIC_ID', 100, true],
    ['STALE_MEMBER_EPOCH', 113, false],
    ['SHARE_SESSION_LIMIT_REACHED', 133, true],
  ];
  for (const [name, code, retriable] of wellKnown) {
    it(`${name} is ${code}, retriable=${retriable}`, () => {
      assert.equal(ErrorCode[name], code);
      const info = errorInfo(code);
      assert.equal(info.name, name);
      assert.equal(info.retriable, retriable);
    });
  }

  it('gives every error but NONE a message', () => {
    for (const info of allErrors) {
      if (info.code === ErrorCode.NONE) continue;
      assert.ok(info.message.length > 10, `${info.name} needs a message`);
    }
  });

  it('reads an unknown code as UNKNOWN_SERVER_ERROR, as Kafka does', () => {
    assert.equal(errorInfo(30000).name, 'UNKNOWN_SERVER_ERROR');
    assert.equal(isKnownErrorCode(30000), false);
  });
});

describe('KafkaError', () => {
  it('carries the code, its name and a default message', () => {
    const err = new KafkaError(ErrorCode.CORRUPT_MESSAGE);
    assert.ok(err instanceof Error);
    assert.equal(err.code, 2);
    assert.equal(err.errorName, 'CORRUPT_MESSAGE');
    assert.equal(err.retriable, true);
    assert.equal(err.message, errorInfo(2).message);
    assert.equal(err.name, 'KafkaError');
  });

  it('keeps a specific message and a cause', () => {
    const cause = new RangeError('inner');
    const err = new KafkaError(ErrorCode.INVALID_RECORD, 'two batches', { cause });
    assert.equal(err.message, 'two batches');
    assert.equal(err.cause, cause);
  });
});
