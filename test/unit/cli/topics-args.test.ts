// Goal: `tideline topics` arguments parse into the command kafka-topics would run, and every
// mistake is a CLI_USAGE error that says what to write instead.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TidelineError, TidelineErrorCode } from '../../../src/common/errors.js';
import { parseTopicsArgs } from '../../../src/cli/topics-args.js';

const usage = (pattern: RegExp) => (err: unknown): boolean =>
  err instanceof TidelineError && err.code === TidelineErrorCode.CLI_USAGE && pattern.test(err.message);
const defaults = { bootstrap: '127.0.0.1:9092', timeoutMs: 30_000 };

test('list and help', () => {
  assert.deepEqual(parseTopicsArgs(['list']), { kind: 'list', isInternalIncluded: false, isJson: false, ...defaults });
  assert.deepEqual(parseTopicsArgs(['list', '--include-internal', '--json', '--bootstrap-server=h:1']), {
    kind: 'list', isInternalIncluded: true, isJson: true, bootstrap: 'h:1', timeoutMs: 30_000,
  });
  assert.deepEqual(parseTopicsArgs([]), { kind: 'help' });
  assert.deepEqual(parseTopicsArgs(['create', '--help']), { kind: 'help' });
  assert.throws(() => parseTopicsArgs(['list', 'x']), usage(/takes no arguments/));
});

test('create with counts and repeated --config', () => {
  assert.deepEqual(parseTopicsArgs(['create', 'orders']), { kind: 'create', topic: 'orders', configs: {}, ...defaults });
  const full = parseTopicsArgs(['create', 'orders', '--partitions', '3', '--replication-factor', '1', '--config', 'retention.ms=1000', '--config', 'a=b=c']);
  assert.deepEqual(full, { kind: 'create', topic: 'orders', partitions: 3, replicationFactor: 1, configs: { 'retention.ms': '1000', a: 'b=c' }, ...defaults });
  assert.throws(() => parseTopicsArgs(['create', 'o', '--partitions', '0']), usage(/at least 1/));
  assert.throws(() => parseTopicsArgs(['create', 'o', '--partitions', 'x']), usage(/integer/));
  assert.throws(() => parseTopicsArgs(['create', 'o', '--config', 'novalue']), usage(/KEY=VALUE/));
  assert.throws(() => parseTopicsArgs(['create', 'o', '--config', 'a=1', '--config', 'a=2']), usage(/given twice/));
  assert.throws(() => parseTopicsArgs(['create']), usage(/needs a TOPIC/));
  assert.throws(() => parseTopicsArgs(['create', 'a', 'b']), usage(/takes one TOPIC/));
});

test('describe, delete, add-partitions', () => {
  assert.deepEqual(parseTopicsArgs(['describe', 't', '--json']), { kind: 'describe', topic: 't', isJson: true, ...defaults });
  assert.deepEqual(parseTopicsArgs(['delete', 't', '--timeout', '5']), { kind: 'delete', topic: 't', bootstrap: '127.0.0.1:9092', timeoutMs: 5 });
  assert.deepEqual(parseTopicsArgs(['add-partitions', 't', '--partitions', '4']), { kind: 'add-partitions', topic: 't', partitions: 4, ...defaults });
  assert.throws(() => parseTopicsArgs(['add-partitions', 't']), usage(/needs --partitions/));
  assert.throws(() => parseTopicsArgs(['delete', 't', '--json']), usage(/unknown option --json/));
});

test('alter-config sets and deletes', () => {
  assert.deepEqual(parseTopicsArgs(['alter-config', 't', '--set', 'a=1', '--delete', 'b', '--delete', 'c']), {
    kind: 'alter-config', topic: 't', sets: { a: '1' }, deletes: ['b', 'c'], ...defaults,
  });
  assert.throws(() => parseTopicsArgs(['alter-config', 't']), usage(/needs --set/));
  assert.throws(() => parseTopicsArgs(['alter-config', 't', '--set', 'a=1', '--delete', 'a']), usage(/both set and deleted/));
});

test('bad commands and options', () => {
  assert.throws(() => parseTopicsArgs(['rename']), usage(/unknown command "rename"/));
  assert.throws(() => parseTopicsArgs(['list', '-x']), usage(/options start with --/));
  assert.throws(() => parseTopicsArgs(['list', '--bootstrap-server', 'nohost']), usage(/not HOST:PORT/));
  assert.throws(() => parseTopicsArgs(['list', '--timeout']), usage(/needs a value/));
});
