// Shared pieces of the RaftNode integration tests: the three-voter tick configuration, a free
// loopback port for each voter, and a bounded wait for a condition.

import assert from 'node:assert/strict';
import { createServer } from 'node:net';
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
    fetchEntriesMax: 64,
    snapshotChunkBytesMax,
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert(address !== null && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
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
