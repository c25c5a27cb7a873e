// Goal: the small parsers the cluster, footprint and peers benchmarks rely on read their inputs
// as the tools print them (redis-benchmark --csv, /proc/<pid>/status, RESULT lines, options).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { positiveNumber, wholeNumbers } from '../options.js';
import { parseRedisBenchmarkCsv, parseResultLine } from '../peer-output.js';
import { statusFieldKb } from '../rss.js';

test('redis-benchmark --csv: the rps column, not a later one', () => {
  const out = [
    '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"',
    `"XADD bk * v ${'x'.repeat(100)}","290275.75","16.593","3.960","17.375","21.903","23.135","24.095"`,
    '',
  ].join('\n');
  assert.equal(parseRedisBenchmarkCsv(out), 290275.75);
  assert.equal(parseRedisBenchmarkCsv('"test","rps"\n'), null);
  assert.equal(parseRedisBenchmarkCsv(''), null);
});

test('RESULT line of a Node driver', () => {
  assert.deepEqual(parseResultLine('noise\nRESULT {"records":5,"elapsedMs":2.5,"bytes":500}\n'), { records: 5, elapsedMs: 2.5, bytes: 500 });
  assert.equal(parseResultLine('no result here\n'), null);
});

test('/proc/<pid>/status fields in kB', () => {
  const status = 'Name:\tnode\nVmPeak:\t11819416 kB\nVmHWM:\t  150000 kB\nVmRSS:\t  118332 kB\nThreads:\t11\n';
  assert.equal(statusFieldKb(status, 'VmRSS'), 118332);
  assert.equal(statusFieldKb(status, 'VmHWM'), 150000);
  assert.equal(statusFieldKb(status, 'VmSwap'), null);
});

test('numeric options', () => {
  assert.equal(positiveNumber('2_000_000', 'records'), 2_000_000);
  assert.equal(positiveNumber('1,000', 'records'), 1000);
  assert.throws(() => positiveNumber('0', 'records'), /--records expects a positive number/);
  assert.throws(() => positiveNumber('lots', 'runs'), /--runs/);
  assert.deepEqual(wholeNumbers('0,5', 'linger-ms'), [0, 5]);
  assert.throws(() => wholeNumbers('0,,5', 'linger-ms'), /--linger-ms/);
  assert.throws(() => wholeNumbers('1.5', 'linger-ms'), /--linger-ms/);
});
