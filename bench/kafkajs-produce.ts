// Child process for the Node-client comparison: a kafkajs producer sending `records` records of
// `recordBytes` in send() calls of `batch` messages, with up to `inFlight` sends outstanding (one
// at a time would measure round trips rather than throughput). Prints one line,
// `RESULT {"records":…,"elapsedMs":…}`, timed from the first send to the last acknowledgement.
// Run by bench/throughput.ts as `node dist/bench/kafkajs-produce.js --bootstrap … --topic …`.

import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, type Message } from 'kafkajs';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      bootstrap: { type: 'string' },
      topic: { type: 'string' },
      records: { type: 'string', default: '500000' },
      'record-bytes': { type: 'string', default: '100' },
      batch: { type: 'string', default: '1000' },
      'in-flight': { type: 'string', default: '4' },
      acks: { type: 'string', default: '1' },
    },
  });
  if (!values.bootstrap || !values.topic) throw new Error('--bootstrap and --topic are required');
  const records = Number(values.records);
  const batch = Number(values.batch);
  const inFlight = Number(values['in-flight']);
  const acks = Number(values.acks);
  const value = Buffer.alloc(Number(values['record-bytes']), 'x');
  const messages: Message[] = Array.from({ length: batch }, () => ({ value }));

  const kafka = new Kafka({ clientId: 'tideline-bench', brokers: [values.bootstrap], logLevel: logLevel.ERROR });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  // One small send first so topic creation and metadata are not inside the timed interval.
  await producer.send({ topic: values.topic, acks, messages: [{ value }] });
  let sent = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (sent < records) {
      const n = Math.min(batch, records - sent);
      sent += n;
      await producer.send({ topic: values.topic!, acks, messages: n === batch ? messages : messages.slice(0, n) });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsedMs = performance.now() - started;
  await producer.disconnect();
  process.stdout.write(`RESULT ${JSON.stringify({ records, elapsedMs })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`kafkajs producer failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
