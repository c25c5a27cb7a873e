// Shared pieces of the RaftNode integration tests: the three-voter tick configuration (a node id
// outside RAFT_TEST_VOTERS makes an observer), a free loopback port for each voter, a bounded
// wait for a condition, and a listener that shares its port between Raft and Kafka frames.

import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { freePorts } from '../../src/cli/cluster-run.js';
import { isRaftHello } from '../../src/raft/driver/index.js';
import type { RaftConfig } from '../../src/raft/index.js';

export const RAFT_TEST_VOTERS = [1, 2, 3];
export const RAFT_WAIT_MS_MAX = 10_000;

export function raftTestConfig(nodeId: number, snapshotChunkBytesMax: number): RaftConfig {
  return {
    nodeId,
    voters: RAFT_TEST_VOTERS,
    electionTimeoutTicks: 6,
    electionJitterTicks: 6,
    fetchTimeoutTicks: 10,
    requestTimeoutTicks: 3,
    fetchWaitTicks: 2,
    fetchEntriesMax: 64,
    snapshotChunkBytesMax,
  };
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/** Polls `probe` every 20 ms until it returns a value, failing after RAFT_WAIT_MS_MAX. */
export async function waitFor<T>(what: string, probe: () => T | undefined | null | false): Promise<T> {
  const deadline = Date.now() + RAFT_WAIT_MS_MAX;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A listener shared by Raft and Kafka traffic, as a KRaft controller listener is: it reads the
 * first frame of each connection; a Raft hello goes to `onRaft` with every byte read so far, any
 * other frame body to `onKafka`, which then owns the socket.
 */
export async function startSharedListener(
  onRaft: (socket: Socket, alreadyRead: Buffer) => void,
  onKafka: (socket: Socket, firstFrameBody: Buffer) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('error', () => socket.destroy());
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 4 || buffered.length < 4 + buffered.readInt32BE(0)) return;
      // Hand over in this same callback, so no later chunk is emitted with nobody listening.
      socket.off('data', onData);
      const body = buffered.subarray(4, 4 + buffered.readInt32BE(0));
      if (isRaftHello(body)) onRaft(socket, buffered);
      else onKafka(socket, body);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert(address !== null && typeof address === 'object');
  return { server, port: address.port };
}

/** Resolves with the body of the next whole frame on `socket` (for raw test clients). */
export function readFrame(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 4 || buffered.length < 4 + buffered.readInt32BE(0)) return;
      socket.off('data', onData);
      resolve(buffered.subarray(4, 4 + buffered.readInt32BE(0)));
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** A whole frame: int32 size, then `body`. */
export function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}
