// Child process for the peers benchmark: reads a Redis stream from the start with
// `XRANGE key (lastId + COUNT batch` over one raw socket, one request at a time (each needs the
// previous reply's last id, like a consumer's fetch loop), until `records` entries arrived.
// redis-benchmark cannot do this (it repeats one fixed command), and a general client library
// would build every reply as objects; the scanner in resp-scanner.ts only counts and keeps the
// last id. Prints `RESULT {"records":…,"bytes":…,"elapsedMs":…}`, timed from the first reply.

import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { RespScanner, type RangeReply } from './resp-scanner.js';

const command = (...args: string[]): string => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      key: { type: 'string', default: 'bench' },
      records: { type: 'string', default: '1000000' },
      batch: { type: 'string', default: '10000' },
    },
  });
  if (!values.port) throw new Error('usage: redis-consume --port N [--key K] [--records N] [--batch N]');
  const records = Number(values.records);
  const batch = values.batch;
  const socket = connect({ host: '127.0.0.1', port: Number(values.port), noDelay: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const scanner = new RespScanner();
  let count = 0;
  let bytes = 0;
  let started = 0;
  const result = await new Promise<{ records: number; bytes: number; elapsedMs: number }>((resolve, reject) => {
    const onReply = (r: RangeReply): void => {
      if (started === 0) started = performance.now();
      count += r.entries;
      bytes += r.valueBytes;
      if (count >= records || r.lastId === null) {
        resolve({ records: count, bytes, elapsedMs: performance.now() - started });
        return;
      }
      socket.write(command('XRANGE', values.key, `(${r.lastId}`, '+', 'COUNT', batch));
    };
    socket.on('data', (chunk: Buffer) => scanner.push(chunk, onReply, (message) => reject(new Error(`redis: ${message}`))));
    socket.on('error', reject);
    socket.write(command('XRANGE', values.key, '-', '+', 'COUNT', batch));
  });
  socket.end();
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`redis-consume: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
