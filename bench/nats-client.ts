// Child process for the peers benchmark's NATS JetStream runs, on the `nats` npm client's core
// connection (pure JavaScript; Debian's nats-server ships no `nats bench`). The client's
// promise-per-message `js.publish()` managed only about 8k messages/s here, with the client and
// the server both busy, so the JetStream protocol is driven directly, the way a lean publisher
// would: each message is a core publish with a reply subject on which JetStream sends its ack.
//   produce: creates the stream (file storage, the server's default sync policy), publishes
//            `records` messages of `recordBytes` with at most `window` awaiting their ack, and
//            checks that no ack was an error and that the stream holds them all;
//   consume: reads the stream from the start with a pull consumer (AckPolicy.None), two pull
//            requests of `batch` messages outstanding, until `records` messages arrived.
// Prints `RESULT {"records":…,"elapsedMs":…}`: produce timed from the first publish to the last
// ack, consume from the first message received to the last (as rdkafka_performance times its
// consumer). Run as `node dist/bench/nats-client.js produce|consume --server … --stream …`.

import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AckPolicy, connect, createInbox, DeliverPolicy, StorageType } from 'nats';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      server: { type: 'string' },
      stream: { type: 'string', default: 'bench' },
      records: { type: 'string', default: '1000000' },
      'record-bytes': { type: 'string', default: '100' },
      window: { type: 'string', default: '1024' },
      batch: { type: 'string', default: '10000' },
    },
  });
  const mode = positionals[0];
  if (!values.server || (mode !== 'produce' && mode !== 'consume')) throw new Error('usage: nats-client produce|consume --server HOST:PORT [--stream S] [--records N]');
  const records = Number(values.records);
  const stream = values.stream;
  const nc = await connect({ servers: values.server });
  try {
    const result = mode === 'produce'
      ? await produce(nc, stream, records, Number(values['record-bytes']), Number(values.window))
      : await consume(nc, stream, records, Number(values.batch));
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await nc.close();
  }
}

type Connection = Awaited<ReturnType<typeof connect>>;

/** `{"error":…}` rather than `{"stream":…,"seq":…}`: JetStream refused the message. */
const isErrorAck = (data: Uint8Array): boolean => data[2] === 0x65;

async function produce(nc: Connection, stream: string, records: number, recordBytes: number, window: number) {
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: stream, subjects: [stream], storage: StorageType.File });
  const payload = new Uint8Array(recordBytes).fill(0x78);
  const inbox = createInbox();
  let acked = 0;
  let failed = 0;
  let wake: (() => void) | null = null;
  nc.subscribe(inbox, {
    callback: (err, m) => {
      if (err || isErrorAck(m.data)) failed++;
      acked++;
      wake?.();
    },
  });
  await nc.flush();
  const started = performance.now();
  let sent = 0;
  while (acked < records) {
    while (sent < records && sent - acked < window) {
      nc.publish(stream, payload, { reply: inbox });
      sent++;
    }
    await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
  }
  const elapsedMs = performance.now() - started;
  if (failed > 0) throw new Error(`${failed} of ${records} publishes were refused`);
  const info = await jsm.streams.info(stream);
  if (info.state.messages !== records) throw new Error(`stream holds ${info.state.messages} messages, expected ${records}`);
  return { records, elapsedMs };
}

async function consume(nc: Connection, stream: string, records: number, batch: number) {
  const jsm = await nc.jetstreamManager();
  const name = `bench-reader-${Date.now().toString(36)}`;
  await jsm.consumers.add(stream, { durable_name: name, ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All });
  const inbox = createInbox();
  const pull = (): void => nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${name}`, new TextEncoder().encode(JSON.stringify({ batch, expires: 5e9 })), { reply: inbox });
  let count = 0;
  let bytes = 0;
  let started = 0;
  const elapsedMs = await new Promise<number>((resolve) => {
    nc.subscribe(inbox, {
      callback: (_err, m) => {
        // Status messages (404 no messages, 408 request expired) carry no data.
        if (m.data.length === 0) return;
        if (count === 0) started = performance.now();
        count++;
        bytes += m.data.length;
        // Two pulls outstanding: the next batch is requested when one is delivered.
        if (count % batch === 0 && count < records) pull();
        if (count === records) resolve(performance.now() - started);
      },
    });
    pull();
    pull();
  });
  await jsm.consumers.delete(stream, name);
  return { records: count, bytes, elapsedMs };
}

main().catch((err: unknown) => {
  process.stderr.write(`nats-client: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
