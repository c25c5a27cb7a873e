// Goal: a Metadata request is handled only after every earlier request on its connection has
// been answered (Kafka handles a connection's requests one at a time), while Produce and Fetch
// stay pipelined; responses always leave in request order.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { silentLogger } from '../../../src/common/logger.js';
import { Connection, type Dispatcher, type Reply, type RequestContext } from '../../../src/net/connection.js';

function request(apiKey: number, correlationId: number): Buffer {
  const b = Buffer.alloc(4 + 10);
  b.writeInt32BE(10, 0);
  b.writeInt16BE(apiKey, 4);
  b.writeInt16BE(0, 6);
  b.writeInt32BE(correlationId, 8);
  b.writeInt16BE(-1, 12); // null client id
  return b;
}

const reply: Reply = { headerVersion: 0, writeBody: () => {} };

test('Metadata waits for an earlier slow Produce; Fetch does not', async (t) => {
  const events: string[] = [];
  let releaseProduce!: () => void;
  const dispatcher: Dispatcher = {
    requestHeaderVersion: () => 1,
    dispatch(ctx: RequestContext) {
      events.push(`dispatch ${ctx.correlationId}`);
      if (ctx.apiKey === 0) return new Promise<Reply>((resolve) => (releaseProduce = () => resolve(reply)));
      return reply;
    },
  };
  const server = createServer((sock: Socket) => {
    new Connection(sock, 1, 'PLAINTEXT', dispatcher, { requestBytesMax: 1 << 20, inflightRequestsMax: 100, writeBufferBytesMax: 1 << 20 }, silentLogger, () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const client = connect(port, '127.0.0.1');
  t.after(() => client.destroy());
  await once(client, 'connect');

  const answered: number[] = [];
  client.on('data', (d: Buffer) => {
    for (let i = 0; i + 8 <= d.length; i += 8) answered.push(d.readInt32BE(i + 4));
  });
  // Produce (slow), Fetch, Metadata, Fetch, all in one write.
  client.write(Buffer.concat([request(0, 1), request(1, 2), request(3, 3), request(1, 4)]));
  for (let i = 0; i < 100 && events.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(events, ['dispatch 1', 'dispatch 2', 'dispatch 4'], 'Metadata is held back while the Produce runs');
  assert.deepEqual(answered, []);

  releaseProduce();
  for (let i = 0; i < 100 && answered.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(events, ['dispatch 1', 'dispatch 2', 'dispatch 4', 'dispatch 3']);
  assert.deepEqual(answered, [1, 2, 3, 4], 'responses leave in request order');
});
