// Goal: the Redis XRANGE reply scanner counts entries, value bytes and the last id correctly
// however the reply is split into socket chunks, and reports empty replies and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RespScanner, type RangeReply } from '../resp-scanner.js';

const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
const entry = (id: string, value: string): string => `*2\r\n${bulk(id)}*2\r\n${bulk('v')}${bulk(value)}`;
const reply = (entries: [string, string][]): string => `*${entries.length}\r\n${entries.map(([id, v]) => entry(id, v)).join('')}`;

function scan(chunks: Buffer[]): { replies: RangeReply[]; errors: string[] } {
  const scanner = new RespScanner();
  const replies: RangeReply[] = [];
  const errors: string[] = [];
  for (const c of chunks) scanner.push(c, (r) => replies.push(r), (e) => errors.push(e));
  return { replies, errors };
}

test('one reply in one chunk', () => {
  const text = reply([['1-0', 'x'.repeat(100)], ['1-1', 'yy'], ['2-0', '']]);
  const { replies } = scan([Buffer.from(text)]);
  assert.deepEqual(replies, [{ entries: 3, valueBytes: 102, lastId: '2-0' }]);
});

test('every split point of a reply, and two replies back to back, give the same result', () => {
  const text = Buffer.from(reply([['1796604367358-0', 'a'.repeat(30)], ['1796604367358-1', 'b'.repeat(31)]]) + reply([['1796604367359-0', 'c']]));
  for (let cut = 1; cut < text.length; cut++) {
    const { replies } = scan([text.subarray(0, cut), text.subarray(cut)]);
    assert.deepEqual(replies, [{ entries: 2, valueBytes: 61, lastId: '1796604367358-1' }, { entries: 1, valueBytes: 1, lastId: '1796604367359-0' }], `cut at ${cut}`);
  }
  // Byte by byte, the worst case for headers split across chunks.
  const { replies } = scan([...text].map((b) => Buffer.from([b])));
  assert.equal(replies.length, 2);
  assert.equal(replies[1]!.lastId, '1796604367359-0');
});

test('an empty range and an error', () => {
  const { replies, errors } = scan([Buffer.from('*0\r\n-ERR wrong number of arguments\r\n*0\r\n')]);
  assert.deepEqual(replies, [{ entries: 0, valueBytes: 0, lastId: null }, { entries: 0, valueBytes: 0, lastId: null }]);
  assert.deepEqual(errors, ['ERR wrong number of arguments']);
});
