// Goal: `tideline produce` and `tideline consume` arguments parse into what the console
// producer and consumer would do, and mistakes are CLI_USAGE errors.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TidelineError, TidelineErrorCode } from '../../../src/common/errors.js';
import { parseConsumeArgs } from '../../../src/cli/consume-args.js';
import { parseProduceArgs } from '../../../src/cli/produce-args.js';
import { CompressionCodec } from '../../../src/protocol/records/index.js';

const usage = (pattern: RegExp) => (err: unknown): boolean =>
  err instanceof TidelineError && err.code === TidelineErrorCode.CLI_USAGE && pattern.test(err.message);

test('produce defaults and options', () => {
  assert.deepEqual(parseProduceArgs(['t']), {
    kind: 'produce', topic: 't', keySeparator: null, headers: [], partition: null, acks: -1,
    compression: CompressionCodec.NONE, batchSize: 500, bootstrap: '127.0.0.1:9092', timeoutMs: 30_000,
  });
  const full = parseProduceArgs(['t', '--key-separator', '::', '--header', 'a=1', '--header', 'a=2', '--partition', '2', '--acks', '1', '--compression', 'zstd']);
  assert.ok(full.kind === 'produce');
  assert.equal(full.keySeparator, '::');
  assert.deepEqual(full.headers, [{ key: 'a', value: '1' }, { key: 'a', value: '2' }]);
  assert.equal(full.partition, 2);
  assert.equal(full.acks, 1);
  assert.equal(full.compression, CompressionCodec.ZSTD);
  assert.equal((parseProduceArgs(['t', '--acks', 'all']) as { acks: number }).acks, -1);
  assert.equal((parseProduceArgs(['t', '--acks=0']) as { acks: number }).acks, 0);
  assert.deepEqual(parseProduceArgs([]), { kind: 'help' });
});

test('produce mistakes', () => {
  assert.throws(() => parseProduceArgs(['t', '--acks', '2']), usage(/--acks must be/));
  assert.throws(() => parseProduceArgs(['t', '--compression', 'brotli']), usage(/--compression must be one of none, gzip/));
  assert.throws(() => parseProduceArgs(['t', '--key-separator', '']), usage(/must not be empty/));
  assert.throws(() => parseProduceArgs(['t', '--partition', '-1']), usage(/at least 0/));
  assert.throws(() => parseProduceArgs(['--acks', '1']), usage(/needs a TOPIC/));
});

test('consume defaults and start positions', () => {
  assert.deepEqual(parseConsumeArgs(['t']), {
    kind: 'consume', topic: 't', partition: null, startAt: 'latest', maxMessages: null, idleTimeoutMs: null,
    format: 'text', groupId: null, isCommitting: true, bootstrap: '127.0.0.1:9092', timeoutMs: 30_000,
  });
  const c = parseConsumeArgs(['t', '--from-beginning', '--max-messages', '5', '--timeout-ms', '1000', '--format', 'json']);
  assert.ok(c.kind === 'consume');
  assert.equal(c.startAt, 'earliest');
  assert.equal(c.maxMessages, 5);
  assert.equal(c.idleTimeoutMs, 1000);
  assert.equal(c.format, 'json');
  const at = parseConsumeArgs(['t', '--partition', '1', '--offset', '7']);
  assert.ok(at.kind === 'consume');
  assert.deepEqual(at.startAt, { offset: 7 });
  assert.equal(at.partition, 1);
  const member = parseConsumeArgs(['t', '--group', 'g', '--no-commit', '--from-beginning']);
  assert.ok(member.kind === 'consume');
  assert.equal(member.groupId, 'g');
  assert.equal(member.isCommitting, false);
  assert.equal(member.startAt, 'earliest');
});

test('consume mistakes', () => {
  assert.throws(() => parseConsumeArgs(['t', '--offset', '3']), usage(/--offset needs --partition/));
  assert.throws(() => parseConsumeArgs(['t', '--partition', '0', '--offset', '3', '--from-beginning']), usage(/not both/));
  assert.throws(() => parseConsumeArgs(['t', '--format', 'xml']), usage(/text or json/));
  assert.throws(() => parseConsumeArgs(['t', '--max-messages', '0']), usage(/at least 1/));
  assert.throws(() => parseConsumeArgs(['t', '--group', 'g', '--partition', '0']), usage(/one or the other/));
  assert.throws(() => parseConsumeArgs(['t', '--no-commit']), usage(/only applies with --group/));
  assert.throws(() => parseConsumeArgs(['t', '--group=']), usage(/non-empty/));
});
