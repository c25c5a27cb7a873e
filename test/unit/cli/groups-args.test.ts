// Goal: `tideline groups` arguments parse into the command Kafka's consumer-groups tool would
// run, and every mistake is a CLI_USAGE error whose message says what to write instead.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TidelineError, TidelineErrorCode } from '../../../src/common/errors.js';
import { DEFAULT_BOOTSTRAP, parseDatetime, parseGroupsArgs, parseTopicTarget } from '../../../src/cli/groups-args.js';

const usage = (pattern: RegExp) => (err: unknown): boolean =>
  err instanceof TidelineError && err.code === TidelineErrorCode.CLI_USAGE && pattern.test(err.message);

test('list, with defaults and with --state filters', () => {
  assert.deepEqual(parseGroupsArgs(['list']), { kind: 'list', isStateShown: false, states: [], bootstrap: DEFAULT_BOOTSTRAP, timeoutMs: 30_000, isJson: false });
  const withState = parseGroupsArgs(['list', '--state', '--bootstrap-server', 'h:1']);
  assert.deepEqual(withState, { kind: 'list', isStateShown: true, states: [], bootstrap: 'h:1', timeoutMs: 30_000, isJson: false });
  const filtered = parseGroupsArgs(['list', '--state', 'stable,EMPTY', '--json']);
  assert.ok(filtered.kind === 'list');
  assert.deepEqual(filtered.states, ['Stable', 'Empty']);
  assert.equal(filtered.isJson, true);
  assert.throws(() => parseGroupsArgs(['list', '--state=Sleeping']), usage(/not a group state; use Empty, Stable/));
});

test('describe views', () => {
  const cases: [string[], string, boolean][] = [
    [['describe', 'g'], 'offsets', false],
    [['describe', 'g', '--members'], 'members', false],
    [['describe', '--members', '--verbose', 'g'], 'members', true],
    [['describe', '--group', 'g', '--state'], 'state', false],
  ];
  for (const [args, view, isVerbose] of cases) {
    const c = parseGroupsArgs(args);
    assert.ok(c.kind === 'describe', args.join(' '));
    assert.deepEqual([c.groupId, c.view, c.isVerbose], ['g', view, isVerbose], args.join(' '));
  }
  assert.throws(() => parseGroupsArgs(['describe']), usage(/describe needs a GROUP/));
  assert.throws(() => parseGroupsArgs(['describe', 'a', 'b']), usage(/takes one GROUP/));
  assert.throws(() => parseGroupsArgs(['describe', 'g', '--members', '--state']), usage(/one of --members, --state or --offsets/));
  assert.throws(() => parseGroupsArgs(['describe', 'g', '--verbose']), usage(/--verbose goes with --members/));
});

test('reset-offsets strategies, targets and the dry-run default', () => {
  const strategies: [string[], object][] = [
    [['--to-earliest'], { kind: 'to-earliest' }],
    [['--to-latest'], { kind: 'to-latest' }],
    [['--to-offset', '42'], { kind: 'to-offset', offset: 42 }],
    [['--shift-by', '-5'], { kind: 'shift-by', delta: -5 }],
    [['--shift-by=+3'], { kind: 'shift-by', delta: 3 }],
    [['--to-datetime', '2024-05-01T12:00:00.000Z'], { kind: 'to-datetime', timestampMs: Date.UTC(2024, 4, 1, 12) }],
  ];
  for (const [args, strategy] of strategies) {
    const c = parseGroupsArgs(['reset-offsets', 'g', '--topic', 't', ...args]);
    assert.ok(c.kind === 'reset-offsets');
    assert.deepEqual(c.strategy, strategy, args.join(' '));
    assert.equal(c.isExecute, false);
  }
  const c = parseGroupsArgs(['reset-offsets', 'g', '--topic', 't:2,0', '--topic', 'u', '--to-latest', '--execute']);
  assert.ok(c.kind === 'reset-offsets');
  assert.deepEqual(c.targets, [{ topic: 't', partitions: [0, 2] }, { topic: 'u', partitions: null }]);
  assert.equal(c.isExecute, true);
  const all = parseGroupsArgs(['reset-offsets', 'g', '--all-topics', '--to-earliest', '--dry-run']);
  assert.ok(all.kind === 'reset-offsets');
  assert.equal(all.targets, 'all-topics');
  assert.equal(all.isDryRunExplicit, true);
});

test('reset-offsets mistakes are usage errors that name the fix', () => {
  const bad: [string[], RegExp][] = [
    [['reset-offsets', 'g', '--to-earliest'], /needs --topic TOPIC\[:PARTITION,\.\.\.\] or --all-topics/],
    [['reset-offsets', 'g', '--topic', 't'], /needs one of --to-earliest/],
    [['reset-offsets', 'g', '--topic', 't', '--to-earliest', '--to-latest'], /give only one of/],
    [['reset-offsets', 'g', '--topic', 't', '--to-offset', 'ten'], /--to-offset expects an integer, got "ten"/],
    [['reset-offsets', 'g', '--topic', 't', '--to-offset', '-1'], /--to-offset must be 0 or more/],
    [['reset-offsets', 'g', '--topic', 't', '--shift-by'], /--shift-by needs a value/],
    [['reset-offsets', 'g', '--topic', 't:x', '--to-earliest'], /"x" is not a partition number/],
    [['reset-offsets', 'g', '--topic', 't', '--to-datetime', 'yesterday'], /--to-datetime expects YYYY-MM-DDTHH:mm:SS/],
    [['reset-offsets', 'g', '--topic', 't', '--to-earliest', '--execute', '--dry-run'], /--dry-run or --execute, not both/],
    [['reset-offsets', 'g', '--topic', 't', '--all-topics', '--to-earliest'], /--topic or --all-topics, not both/],
  ];
  for (const [args, pattern] of bad) assert.throws(() => parseGroupsArgs(args), usage(pattern), args.join(' '));
});

test('common mistakes: unknown command or option, bad bootstrap, repeated option', () => {
  assert.throws(() => parseGroupsArgs(['delete', 'g']), usage(/unknown command "delete"; use list, describe or reset-offsets/));
  assert.throws(() => parseGroupsArgs(['list', '--verbose']), usage(/unknown option --verbose for list/));
  assert.throws(() => parseGroupsArgs(['list', '-x']), usage(/unknown option "-x"/));
  assert.throws(() => parseGroupsArgs(['list', '--bootstrap-server', 'localhost']), usage(/is not HOST:PORT/));
  assert.throws(() => parseGroupsArgs(['list', '--json=yes']), usage(/--json takes no value/));
  assert.throws(() => parseGroupsArgs(['list', '--timeout', '1', '--timeout', '2']), usage(/--timeout given 2 times/));
  assert.deepEqual(parseGroupsArgs(['describe', 'g', '--help']), { kind: 'help' });
  assert.deepEqual(parseGroupsArgs([]), { kind: 'help' });
});

test('topic targets and date-times', () => {
  assert.deepEqual(parseTopicTarget('t'), { topic: 't', partitions: null });
  assert.deepEqual(parseTopicTarget('t:3,1,3'), { topic: 't', partitions: [1, 3] });
  assert.throws(() => parseTopicTarget(':1'), usage(/names no topic/));
  assert.equal(parseDatetime('2024-05-01T14:00:00+02:00'), Date.UTC(2024, 4, 1, 12));
  assert.equal(parseDatetime('2024-05-01T14:00:00+0200'), Date.UTC(2024, 4, 1, 12));
  assert.equal(parseDatetime('2024-05-01T12:00Z'), Date.UTC(2024, 4, 1, 12));
  assert.equal(parseDatetime('2024-05-01T12:00:00'), new Date(2024, 4, 1, 12).getTime(), 'no zone: local time');
});
