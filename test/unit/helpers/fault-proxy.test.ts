// Goal: the fault proxy that partitions integration clusters does what those tests rely on. It
// names each connection's node from its first frame, forwards bytes unchanged to a plain echo
// server, drops forwarded connections when their link is cut, holds new ones unanswered until
// the link heals and then delivers them, and leaves other links (and real clients) alone.

import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { FaultProxy, identifyPeer, LinkCuts } from '../../helpers/fault-proxy.js';

/** A Kafka request frame: int32 size, int16 apiKey, int16 apiVersion, int32 correlationId, client id, body. */
function kafkaFrame(clientId: string | null, body = Buffer.from('body')): Buffer {
  const id = clientId === null ? Buffer.alloc(0) : Buffer.from(clientId, 'utf8');
  const header = Buffer.alloc(14);
  header.writeInt16BE(18, 4);
  header.writeInt16BE(3, 6);
  header.writeInt32BE(7, 8);
  header.writeInt16BE(clientId === null ? -1 : id.length, 12);
  const frame = Buffer.concat([header, id, body]);
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

function raftHello(nodeId: number): Buffer {
  const frame = Buffer.alloc(10);
  frame.writeInt32BE(6, 0);
  frame.writeInt16BE(-1, 4);
  frame.writeInt32BE(nodeId, 6);
  return frame;
}

describe('identifyPeer', () => {
  const cases: { name: string; bytes: Buffer; peer: ReturnType<typeof identifyPeer> }[] = [
    { name: 'raft hello', bytes: raftHello(3), peer: 3 },
    { name: 'raft hello followed by a message', bytes: Buffer.concat([raftHello(2), Buffer.from([0, 0, 0, 1, 9])]), peer: 2 },
    { name: 'controller channel', bytes: kafkaFrame('tideline-broker-2'), peer: 2 },
    { name: 'replica fetcher', bytes: kafkaFrame('tideline-replica-fetcher-13'), peer: 13 },
    { name: 'librdkafka client', bytes: kafkaFrame('rdkafka'), peer: 'client' },
    { name: 'a look-alike client id', bytes: kafkaFrame('my-tideline-broker-2'), peer: 'client' },
    { name: 'null client id', bytes: kafkaFrame(null), peer: 'client' },
    { name: 'a frame too short for a header', bytes: Buffer.from([0, 0, 0, 2, 0, 18]), peer: 'client' },
    { name: 'half a size prefix', bytes: Buffer.from([0, 0]), peer: undefined },
    { name: 'half a hello', bytes: raftHello(1).subarray(0, 8), peer: undefined },
    { name: 'half a client id', bytes: kafkaFrame('tideline-broker-2').subarray(0, 20), peer: undefined },
  ];
  for (const c of cases) test(c.name, () => assert.equal(identifyPeer(c.bytes), c.peer));
});

describe('FaultProxy in front of an echo server', () => {
  let echo: Server;
  let echoConnections = 0;
  let proxy: FaultProxy;
  const links = new LinkCuts();

  before(async () => {
    echo = createServer((s) => {
      echoConnections++;
      s.on('error', () => s.destroy());
      s.pipe(s);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await FaultProxy.start({ nodeId: 1, target: { host: '127.0.0.1', port: (echo.address() as { port: number }).port }, links });
  });
  after(async () => {
    await proxy.close();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  /** Connects through the proxy and sends `first`; collects what comes back. */
  async function open(first: Buffer): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(first);
    return { socket, received: () => Buffer.concat(chunks), closed };
  }

  async function until(what: string, probe: () => boolean, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  test('forwards bytes both ways, unchanged, and counts the peer', async () => {
    const frame = kafkaFrame('tideline-broker-2');
    const c = await open(frame);
    await until('the echo', () => c.received().length >= frame.length);
    c.socket.write(Buffer.from('more'));
    await until('the second echo', () => c.received().length >= frame.length + 4);
    assert.deepEqual(c.received(), Buffer.concat([frame, Buffer.from('more')]));
    assert.deepEqual(proxy.traffic.get('tideline-broker-2'), { connections: 1, bytes: frame.length + 4 });
    c.socket.destroy();
  });

  test('a cut drops the forwarded connections on that link only; heal delivers held ones', async () => {
    const fromTwo = await open(kafkaFrame('tideline-replica-fetcher-2'));
    const fromThree = await open(raftHello(3));
    await until('both echoes', () => fromTwo.received().length > 0 && fromThree.received().length >= 10);

    proxy.cut(2, 1);
    await fromTwo.closed;
    assert.equal(fromThree.socket.destroyed, false, 'node 3 → 1 is not cut');

    // A new connection on the cut link is accepted but held: nothing reaches the node.
    const before = echoConnections;
    const held = await open(raftHello(2));
    const client = await open(kafkaFrame('rdkafka'));
    await until('the client echo', () => client.received().length > 0);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(held.received().length, 0);
    assert.equal(echoConnections, before + 1, 'only the client reached the node');

    links.heal();
    await until('the held connection delivered', () => held.received().length >= 10);
    assert.deepEqual(held.received(), raftHello(2));
    for (const c of [fromThree, held, client]) c.socket.destroy();
  });

  test('a cut that names real clients holds them too', async () => {
    proxy.cut('client', 1);
    const c = await open(kafkaFrame('kafkajs'));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(c.received().length, 0);
    proxy.heal();
    await until('the client echo', () => c.received().length > 0);
    c.socket.destroy();
  });

  test('close destroys every connection', async () => {
    const local = await FaultProxy.start({ nodeId: 1, target: { host: '127.0.0.1', port: (echo.address() as { port: number }).port } });
    const c = connect({ host: '127.0.0.1', port: local.port });
    c.on('error', () => {});
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    await new Promise<void>((resolve) => c.once('connect', () => resolve()));
    c.write(kafkaFrame('tideline-broker-4'));
    await local.close();
    await closed;
  });
});
