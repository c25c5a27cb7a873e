// Goal: framing splits a byte stream into frames whatever the chunking, and refuses oversized
// and negative sizes before buffering them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameReader } from '../../../src/net/frame-reader.js';

const frame = (body: string) => {
  const b = Buffer.from(body);
  const out = Buffer.alloc(4 + b.length);
  out.writeInt32BE(b.length, 0);
  b.copy(out, 4);
  return out;
};

test('frames survive any chunking', () => {
  const stream = Buffer.concat([frame('alpha'), frame(''), frame('a longer frame body'), frame('z')]);
  for (let chunk = 1; chunk <= stream.length; chunk++) {
    const fr = new FrameReader(1000);
    const got: string[] = [];
    for (let i = 0; i < stream.length; i += chunk) {
      fr.push(stream.subarray(i, i + chunk));
      for (let n = fr.next(); n.kind === 'frame'; n = fr.next()) got.push(n.frame.toString());
    }
    assert.deepEqual(got, ['alpha', '', 'a longer frame body', 'z'], `chunk ${chunk}`);
    assert.equal(fr.bufferedBytes, 0);
  }
});

test('oversized and negative sizes are refused from the size alone', () => {
  const fr = new FrameReader(10);
  const big = Buffer.alloc(4);
  big.writeInt32BE(11);
  fr.push(big);
  assert.deepEqual(fr.next(), { kind: 'too-large', size: 11 });
  const neg = new FrameReader(10);
  const n = Buffer.alloc(4);
  n.writeInt32BE(-5);
  neg.push(n);
  assert.deepEqual(neg.next(), { kind: 'invalid-size', size: -5 });
});
