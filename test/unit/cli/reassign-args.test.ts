// Goal: `tideline reassign` arguments parse into the one mode kafka-reassign-partitions would
// run, with its options, and every mistake is a CLI_USAGE error (exit 2) that says what to write.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TidelineError, TidelineErrorCode } from '../../../src/common/errors.js';
import { brokerList, parseReassignArgs, topicList } from '../../../src/cli/reassign-args.js';

const usage = (pattern: RegExp) => (err: unknown): boolean =>
  err instanceof TidelineError && err.code === TidelineErrorCode.CLI_USAGE && pattern.test(err.message);
const defaults = { bootstrap: '127.0.0.1:9092', timeoutMs: 30_000 };

test('help', () => {
  for (const args of [[], ['help'], ['--help'], ['-h'], ['--execute', '--help']]) assert.deepEqual(parseReassignArgs(args), { kind: 'help' });
});

test('each mode with its options', () => {
  const cases: [string[], object][] = [
    [['--generate', '--topics', 'a,b', '--brokers', '1,2,4'], { kind: 'generate', topics: ['a', 'b'], brokers: [1, 2, 4], ...defaults }],
    [['--topics=a', '--brokers=3', '--generate', '--bootstrap-server', 'h:1'], { kind: 'generate', topics: ['a'], brokers: [3], bootstrap: 'h:1', timeoutMs: 30_000 }],
    [['--decommission', '3'], { kind: 'decommission', brokerId: 3, ...defaults }],
    [['--decommission=0', '--timeout', '5'], { kind: 'decommission', brokerId: 0, bootstrap: '127.0.0.1:9092', timeoutMs: 5 }],
    [['--execute', '--plan', 'p.json'], { kind: 'execute', planFile: 'p.json', isWaiting: false, ...defaults }],
    [['--execute', '--plan', '-', '--wait'], { kind: 'execute', planFile: '-', isWaiting: true, ...defaults }],
    [['--verify', '--plan', 'p.json'], { kind: 'verify', planFile: 'p.json', shouldElectPreferred: false, isWaiting: false, ...defaults }],
    [['--verify', '--plan', 'p.json', '--elect-preferred', '--wait'], { kind: 'verify', planFile: 'p.json', shouldElectPreferred: true, isWaiting: true, ...defaults }],
    [['--cancel', '--plan=p.json'], { kind: 'cancel', planFile: 'p.json', ...defaults }],
    [['--list'], { kind: 'list', ...defaults }],
  ];
  for (const [args, expected] of cases) assert.deepEqual(parseReassignArgs(args), expected, args.join(' '));
});

test('exactly one mode', () => {
  assert.throws(() => parseReassignArgs(['--plan', 'p.json']), usage(/needs a mode: one of --generate, --decommission, --execute/));
  assert.throws(() => parseReassignArgs(['--execute', '--verify', '--plan', 'p']), usage(/give one mode, not --execute and --verify/));
  assert.throws(() => parseReassignArgs(['--execute', '--execute', '--plan', 'p']), usage(/--execute given twice/));
  assert.throws(() => parseReassignArgs(['execute', '--plan', 'p']), usage(/takes no arguments, got "execute"; the mode is an option/));
});

test('options that a mode needs or does not take', () => {
  assert.throws(() => parseReassignArgs(['--generate', '--topics', 'a']), usage(/--generate needs --brokers/));
  assert.throws(() => parseReassignArgs(['--generate', '--brokers', '1']), usage(/--generate needs --topics/));
  assert.throws(() => parseReassignArgs(['--execute']), usage(/--execute needs --plan/));
  assert.throws(() => parseReassignArgs(['--verify', '--plan', '']), usage(/--verify needs --plan/));
  assert.throws(() => parseReassignArgs(['--decommission']), usage(/--decommission needs a value/));
  assert.throws(() => parseReassignArgs(['--execute', '--plan', 'p', '--elect-preferred']), usage(/--elect-preferred does not go with --execute/));
  assert.throws(() => parseReassignArgs(['--decommission', '3', '--topics', 'a']), usage(/--topics does not go with --decommission/));
  assert.throws(() => parseReassignArgs(['--list', '--plan', 'p']), usage(/--plan does not go with --list/));
  assert.throws(() => parseReassignArgs(['--execute', '--plan', 'a', '--plan', 'b']), usage(/--plan given 2 times/));
  assert.throws(() => parseReassignArgs(['--execute', '--plan', 'p', '--bootstrap-server', 'nohost']), usage(/not HOST:PORT/));
  assert.throws(() => parseReassignArgs(['--execute', '--file', 'p']), usage(/unknown option --file/));
});

test('topic and broker lists', () => {
  assert.deepEqual(topicList(' a , b'), ['a', 'b']);
  assert.throws(() => topicList('a,,b'), usage(/names separated by commas/));
  assert.throws(() => topicList('a,b,a'), usage(/names a twice/));
  assert.deepEqual(brokerList('4,1,2'), [4, 1, 2]);
  assert.throws(() => brokerList('1,x'), usage(/--brokers expects broker ids .* got "x"/));
  assert.throws(() => brokerList('1,-2'), usage(/got "-2"/));
  assert.throws(() => brokerList('1,2,1'), usage(/names broker 1 twice/));
  assert.throws(() => parseReassignArgs(['--decommission', 'three']), usage(/--decommission expects broker ids/));
});
