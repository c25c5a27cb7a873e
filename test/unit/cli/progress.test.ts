// Goal: the progress bar redraws one line on a terminal (throttled, always showing the last step,
// logged lines above it, nothing left behind when finished) and stays quiet elsewhere except for
// an occasional plain line during long work.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderProgress, startProgress } from '../../../src/cli/progress.js';

function fakeStream(isTTY: boolean): { isTTY: boolean; columns: number; written: string[]; write(text: string): void } {
  return { isTTY, columns: 80, written: [], write(text: string) { this.written.push(text); } };
}

test('renderProgress draws the fraction, the count and the detail, cut to the width', () => {
  const cases: [number, number, string, number, string][] = [
    [0, 4, '', 80, 'work [------------------------] 0/4'],
    [2, 4, 'half', 80, 'work [############------------] 2/4 half'],
    [9, 4, '', 80, 'work [########################] 9/4'],
    [1, 0, '', 80, 'work [------------------------] 1/0'],
    [2, 4, 'a long detail', 30, 'work [############-----------…'],
  ];
  for (const [done, total, detail, columns, expected] of cases) assert.equal(renderProgress('work', done, total, detail, columns), expected);
});

test('on a terminal: redraws with \\r at most every 100 ms, the last step always, logs above, clears on finish', () => {
  let nowMs = 0;
  const stream = fakeStream(true);
  const bar = startProgress('moving', 3, stream, () => nowMs);
  bar.update(1);
  nowMs = 50;
  bar.update(2); // throttled
  assert.equal(stream.written.length, 1);
  assert.match(stream.written[0]!, /^\rmoving \[#{8}-{16}\] 1\/3\x1b\[K$/);
  bar.log('a line');
  assert.deepEqual(stream.written.slice(1, 3), ['\r\x1b[K', 'a line\n']);
  assert.match(stream.written[3]!, /2\/3/);
  bar.update(3, 'done'); // the last step draws although only 50 ms passed
  assert.match(stream.written.at(-1)!, /3\/3 done/);
  bar.finish();
  assert.equal(stream.written.at(-1), '\r\x1b[K');
  const count = stream.written.length;
  bar.update(3, 'again');
  assert.equal(stream.written.length, count);
});

test('elsewhere: nothing for short work, a plain line every 10 s for long work', () => {
  let nowMs = 0;
  const stream = fakeStream(false);
  const bar = startProgress('waiting', 5, stream, () => nowMs);
  bar.update(1);
  nowMs = 9_000;
  bar.update(2);
  assert.deepEqual(stream.written, []);
  nowMs = 10_500;
  bar.update(3, 'partitions complete');
  nowMs = 12_000;
  bar.update(4);
  bar.log('kept');
  bar.finish();
  assert.deepEqual(stream.written, ['waiting: 3/5 partitions complete\n', 'kept\n']);
});
