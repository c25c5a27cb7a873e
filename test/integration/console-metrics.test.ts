// Goal: /metrics on the console port is valid Prometheus text whose counters move with real
// traffic: records produced and consumed with kcat raise the per-topic bytes and messages, the
// Produce and Fetch request counts and latency histograms, the log size and end offset; the
// Raft, controller, purgatory, ISR and process metrics are present; a consumer group's lag is
// exported per partition.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { kcat, kcatProduceKeyed } from '../helpers/kcat.js';
import { parsePrometheusText, type PromExposition } from '../helpers/prometheus-text.js';

let broker: BrokerProcess;

before(async () => {
  broker = await startBroker({ overrides: { 'console.listeners': 'http://127.0.0.1:0' } });
});

after(async () => {
  await broker?.stop();
});

async function scrape(): Promise<PromExposition> {
  const res = await fetch(`${broker.consoleUrl}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

test('/metrics parses and its counters move when records are produced and consumed', async () => {
  const topic = 'metered';
  await kcatProduceKeyed(broker.bootstrap, topic, 'a:1\n');
  const before = await scrape();
  const messagesBefore = before.value('tideline_topic_messages_in_total', { topic }) ?? 0;
  const bytesBefore = before.value('tideline_topic_bytes_in_total', { topic }) ?? 0;
  const producesBefore = before.value('tideline_requests_total', { api: 'Produce' }) ?? 0;

  const lines = Array.from({ length: 100 }, (_, i) => `k${i}:value-${i}`).join('\n') + '\n';
  await kcatProduceKeyed(broker.bootstrap, topic, lines);
  const consumed = await kcat(['-C', '-b', broker.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
  assert.equal(consumed.stdout.trim().split('\n').length, 101);
  await kcat(['-C', '-b', broker.bootstrap, '-G', 'metered-group', topic, '-e', '-q', '-X', 'auto.offset.reset=earliest', '-c', '50'], { timeoutMs: 60_000 });

  const after = await scrape();
  assert.equal(after.value('tideline_topic_messages_in_total', { topic }), messagesBefore + 100);
  assert.ok(after.value('tideline_topic_bytes_in_total', { topic })! > bytesBefore + 100 * 'value-0'.length);
  assert.ok(after.value('tideline_topic_messages_out_total', { topic })! >= 101);
  assert.ok(after.value('tideline_topic_bytes_out_total', { topic })! > 0);
  assert.ok(after.value('tideline_requests_total', { api: 'Produce' })! > producesBefore);
  assert.equal(after.types.get('tideline_request_duration_seconds'), 'histogram');
  assert.equal(after.value('tideline_request_duration_seconds_count', { api: 'Produce' }), after.value('tideline_requests_total', { api: 'Produce' }));
  assert.equal(after.value('tideline_request_duration_seconds_bucket', { api: 'Fetch', le: '+Inf' }), after.value('tideline_requests_total', { api: 'Fetch' }));
  assert.equal(after.value('tideline_log_end_offset', { topic, partition: '0' }), 101);
  assert.ok(after.value('tideline_log_size_bytes', { topic, partition: '0' })! > 0);

  assert.equal(after.value('tideline_active_controller'), 1);
  assert.equal(after.value('tideline_raft_state', { state: 'leader' }), 1);
  assert.equal(after.value('tideline_offline_partitions'), 0);
  assert.equal(after.value('tideline_under_replicated_partitions'), 0);
  for (const name of ['tideline_purgatory_size', 'tideline_isr_shrinks_total', 'tideline_isr_expands_total', 'process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) {
    assert.ok(after.samples.some((s) => s.name === name), `${name} is exported`);
  }
  // kcat's group stopped after 50 of 101 records; it committed what it read on close.
  const lag = after.value('tideline_consumer_group_lag', { group: 'metered-group', topic, partition: '0' });
  assert.ok(lag !== undefined && lag > 0 && lag <= 101 - 50, `group lag ${lag}`);
});
