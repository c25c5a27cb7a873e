// Goal: the bench's median and nearest-rank percentiles give the textbook answers, including the
// edge cases a short latency run hits (tiny sample counts, p99.9 of fewer than 1,000 samples).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, percentileSorted, summarizeLatency } from '../stats.js';

test('median of odd, even and empty inputs', () => {
  const cases: [number[], number][] = [
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[7], 7],
  ];
  for (const [input, expected] of cases) assert.equal(median(input), expected);
  assert.ok(Number.isNaN(median([])));
});

test('nearest-rank percentiles', () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  const cases: [number, number][] = [
    [50, 50],
    [99, 99],
    [99.9, 100],
    [100, 100],
    [0, 1],
  ];
  for (const [p, expected] of cases) assert.equal(percentileSorted(sorted, p), expected, `p${p}`);
  assert.equal(percentileSorted([5], 99.9), 5);
});

test('summarizeLatency sorts a copy and reports max and mean', () => {
  const samples = [5, 1, 4, 2, 3];
  const s = summarizeLatency(samples);
  assert.deepEqual(samples, [5, 1, 4, 2, 3]);
  assert.equal(s.samples, 5);
  assert.equal(s.p50, 3);
  assert.equal(s.max, 5);
  assert.equal(s.mean, 3);
});
