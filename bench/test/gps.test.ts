// Goal: the gps benchmark reads the demo's status lines as docs/demo.md prints them, and judges a
// rate sustained only when the producers delivered it, no group's lag passed five seconds of
// traffic after the warm-up, and the demo exited 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeRun, parseStatusLine, type StatusLine } from '../gps.js';

test('status lines parse; other lines do not', () => {
  const line = parseStatusLine('t=5s produced=20040/s location=19841/s lag=6560 p=0-11 analytics=19940/s lag=6560 p=0-5|6-11 db=19602/s lag=540 p=0-11 db_tx=98/s');
  assert.ok(line !== null);
  assert.equal(line.t, 5);
  assert.equal(line.produced, 20040);
  assert.deepEqual(Object.fromEntries(line.groups), { location: { rate: 19841, lag: 6560 }, analytics: { rate: 19940, lag: 6560 }, db: { rate: 19602, lag: 540 } });
  assert.equal(line.dbTx, 98);
  assert.equal(parseStatusLine('demo gps: t=4s assignment location: 1=0-11'), null);
});

function steady(produced: number, lag: number, rate = produced): StatusLine[] {
  return Array.from({ length: 20 }, (_, t) => ({
    t,
    produced: t < 4 ? 0 : produced,
    groups: new Map(['location', 'analytics', 'db'].map((g) => [g, { rate: t < 4 ? 0 : rate, lag: t < 4 ? 999_999 : lag }])),
    dbTx: 10,
  }));
}

test('sustained only when produced, lag bounded and exit 0; warm-up ignored', () => {
  const ok = judgeRun(steady(20_000, 5_000), 20_000, 15, 0);
  assert.equal(ok.isSustained, true, ok.reason);
  assert.deepEqual([ok.producedPerSec, ok.endToEndPerSec, ok.dbTxPerSec, ok.lagMax], [20_000, 20_000, 10, 5_000]);
  assert.equal(judgeRun(steady(15_000, 100), 20_000, 15, 0).isSustained, false);
  assert.equal(judgeRun(steady(20_000, 150_000), 20_000, 15, 0).isSustained, false);
  assert.equal(judgeRun(steady(20_000, 100), 20_000, 15, 1).isSustained, false);
  assert.equal(judgeRun([], 20_000, 15, 0).isSustained, false);
  assert.equal(judgeRun(steady(20_000, 100, 12_000), 20_000, 15, 0).endToEndPerSec, 12_000);
});
