// Goal: the bench reads rdkafka_performance's summary lines (librdkafka 2.0 wording), taking the
// final line when the tool printed interval lines before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConsumeSummary, parseProduceSummary } from '../rdkafka-perf.js';

test('producer summary: last line wins', () => {
  const out = [
    '% Sending 2000000 messages of size 100 bytes',
    '% 1907304 messages produced (190730400 bytes), 1725272 delivered (offset 443474, 0 failed) in 1000ms: 1724125 msgs/s and 172.41 MB/s, 0 produce failures, 182032 in queue, no compression',
    '% 2000000 messages produced (200000000 bytes), 2000000 delivered (offset 551858, 0 failed) in 1175ms: 1701124 msgs/s and 170.11 MB/s, 0 produce failures, 0 in queue, no compression',
  ].join('\n');
  assert.deepEqual(parseProduceSummary(out), { produced: 2000000, delivered: 2000000, failed: 0, elapsedMs: 1175 });
  assert.equal(parseProduceSummary('% Sending 10 messages'), null);
});

test('consumer summary', () => {
  const out = '% 2000000 messages (200000000 bytes) consumed in 693ms: 2884483 msgs/s (288.45 MB/s)\n% Average application fetch latency: 0us\n';
  assert.deepEqual(parseConsumeSummary(out), { consumed: 2000000, bytes: 200000000, elapsedMs: 693 });
});
