// Goal: RaftDisk keeps exactly what the in-memory reference store (MemoryRaftStorage) keeps for
// the same sequence of Ready batches, across reopen, truncation and snapshots; and recovery on
// real files drops a torn or corrupt log tail and goes on appending after it.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { RaftDisk } from '../../src/raft/driver/index.js';
import { MemoryRaftStorage, type Entry, type QuorumState, type Ready, type Snapshot } from '../../src/raft/index.js';

const roots: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'raft-disk-'));
  roots.push(dir);
  return dir;
}

function entries(from: number, to: number, epoch: number): Entry[] {
  return Array.from({ length: to - from }, (_, i) => ({ offset: from + i, epoch, isControl: i === 0, data: Buffer.from(`e${from + i}@${epoch}`) }));
}

function ready(part: { snapshot?: Snapshot; logFromOffset?: number; entries?: Entry[]; quorumState?: QuorumState }): Ready {
  return {
    snapshot: part.snapshot ?? null,
    logFromOffset: part.logFromOffset ?? null,
    entries: part.entries ?? [],
    quorumState: part.quorumState ?? null,
    messages: [],
    applySnapshot: null,
    committed: [],
  };
}

/**
 * Applies each step to both stores and compares what a fresh open reads back after each step,
 * either reopening the disk between steps or keeping one instance (its in-memory positions).
 */
async function checkAgainstMemory(steps: Ready[], isReopenedEachStep: boolean): Promise<void> {
  const dir = await tempDir();
  const memory = new MemoryRaftStorage();
  let disk = (await RaftDisk.open(dir)).disk;
  for (const step of steps) {
    await disk.persist(step);
    memory.persist(step);
    if (isReopenedEachStep) {
      await disk.close();
      disk = (await RaftDisk.open(dir)).disk;
    }
    const { disk: reader, storage } = await RaftDisk.open(dir);
    await reader.close();
    assert.deepEqual(storage, memory.load());
  }
  await disk.close();
}

const steps: Ready[] = [
  ready({ quorumState: { leaderEpoch: 1, leaderId: -1, votedId: 2 } }),
  ready({ logFromOffset: 0, entries: entries(0, 10, 1), quorumState: { leaderEpoch: 1, leaderId: 2, votedId: 2 } }),
  ready({ logFromOffset: 6, entries: entries(6, 12, 2), quorumState: { leaderEpoch: 2, leaderId: 3, votedId: -1 } }),
  ready({ logFromOffset: 12, entries: entries(12, 15, 2) }),
  ready({ snapshot: { id: { endOffset: 8, epoch: 2 }, data: Buffer.from('state@8') } }),
  ready({ logFromOffset: 10, entries: entries(10, 13, 3) }),
  ready({ logFromOffset: 9, entries: entries(9, 10, 4) }),
  // An installed snapshot beyond the log's end leaves an empty log starting at its end.
  ready({ snapshot: { id: { endOffset: 20, epoch: 3 }, data: Buffer.from('state@20') } }),
  ready({ logFromOffset: 20, entries: entries(20, 23, 4) }),
  ready({ snapshot: { id: { endOffset: 21, epoch: 4 }, data: Buffer.from('state@21') }, logFromOffset: 22, entries: entries(22, 25, 5) }),
];

describe('RaftDisk', () => {
  after(async () => {
    for (const dir of roots) await rm(dir, { recursive: true, force: true });
  });

  test('matches the in-memory store through appends, truncation and snapshots', async () => {
    await checkAgainstMemory(steps, true);
  });

  test('matches the in-memory store when one instance does all the writes', async () => {
    await checkAgainstMemory(steps, false);
  });

  test('recovery drops a torn tail and a CRC-failing entry, then appends after them', async () => {
    const dir = await tempDir();
    const logPath = join(dir, 'log');
    {
      const { disk } = await RaftDisk.open(dir);
      await disk.persist(ready({ logFromOffset: 0, entries: entries(0, 10, 1) }));
      await disk.close();
    }
    // A crash mid-append: the last frame is cut short.
    await truncate(logPath, (await stat(logPath)).size - 3);
    {
      const { disk, storage } = await RaftDisk.open(dir);
      assert.deepEqual(storage.entries, entries(0, 9, 1));
      await disk.persist(ready({ logFromOffset: 9, entries: entries(9, 11, 2) }));
      await disk.close();
    }
    {
      const { disk, storage } = await RaftDisk.open(dir);
      assert.deepEqual(storage.entries, [...entries(0, 9, 1), ...entries(9, 11, 2)]);
      await disk.close();
    }
    // A flipped byte inside entry 5's data: entries 5.. are dropped, 0..4 survive.
    const bytes = await readFile(logPath);
    const at = bytes.indexOf(Buffer.from('e5@1'));
    assert.ok(at > 0);
    bytes[at] = bytes[at]! ^ 0xff;
    await writeFile(logPath, bytes);
    const { disk, storage } = await RaftDisk.open(dir);
    assert.deepEqual(storage.entries, entries(0, 5, 1));
    await disk.close();
    assert.ok((await stat(logPath)).size < bytes.length, 'the corrupt tail is cut from the file');
  });

  test('quorum state is KRaft-style JSON', async () => {
    const dir = await tempDir();
    const { disk } = await RaftDisk.open(dir);
    await disk.persist(ready({ quorumState: { leaderEpoch: 7, leaderId: 3, votedId: 1 } }));
    await disk.close();
    const json = JSON.parse(await readFile(join(dir, 'quorum-state'), 'utf8'));
    assert.deepEqual(json, { leaderId: 3, leaderEpoch: 7, votedId: 1, data_version: 1 });
  });
});
