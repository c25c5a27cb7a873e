// Goal: every Raft core message survives the voter link's frame codec unchanged (including the
// fields the Kafka schemas lack: preVote and the fetch correlation id), and malformed frames are
// rejected with ProtocolDecodeError rather than misread.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeRaftMessage, encodeRaftMessage } from '../../src/raft/driver/index.js';
import type { RaftMessage } from '../../src/raft/index.js';
import { ProtocolDecodeError } from '../../src/protocol/reader.js';

const env = { from: 2, to: 3 };
const leader = { leaderId: 2, leaderEpoch: 9 };
const snapshotId = { endOffset: 2 ** 40 + 5, epoch: 8 };

const messages: RaftMessage[] = [
  { type: 'VoteRequest', ...env, candidateEpoch: 9, candidateId: 2, lastOffsetEpoch: 8, lastOffset: 123_456_789_012, preVote: true },
  { type: 'VoteRequest', ...env, candidateEpoch: 9, candidateId: 2, lastOffsetEpoch: 0, lastOffset: 0, preVote: false },
  { type: 'VoteResponse', ...env, errorCode: 0, leaderId: -1, leaderEpoch: 9, voteGranted: true, preVote: true },
  { type: 'VoteResponse', ...env, errorCode: 0, leaderId: 1, leaderEpoch: 9, voteGranted: false, preVote: false },
  { type: 'BeginQuorumEpochRequest', ...env, leaderId: 2, leaderEpoch: 9 },
  { type: 'BeginQuorumEpochResponse', ...env, errorCode: 0, leaderId: 2, leaderEpoch: 9 },
  { type: 'EndQuorumEpochRequest', ...env, leaderId: 2, leaderEpoch: 9, preferredSuccessors: [3, 1] },
  { type: 'EndQuorumEpochResponse', ...env, errorCode: 0, leaderId: 2, leaderEpoch: 9 },
  { type: 'FetchRequest', ...env, correlationId: 77, replicaId: 2, currentLeaderEpoch: 9, fetchOffset: 10, lastFetchedEpoch: 8, logStartOffset: 0, highWatermark: 9 },
  {
    type: 'FetchResponse',
    ...env,
    correlationId: 77,
    errorCode: 0,
    highWatermark: 11,
    logStartOffset: 0,
    currentLeader: leader,
    divergingEpoch: null,
    snapshotId: null,
    records: [
      { offset: 10, epoch: 9, isControl: true, data: Buffer.alloc(0) },
      { offset: 11, epoch: 9, isControl: false, data: Buffer.from('payload') },
    ],
  },
  { type: 'FetchResponse', ...env, correlationId: 78, errorCode: 0, highWatermark: 5, logStartOffset: 3, currentLeader: leader, divergingEpoch: { epoch: 4, endOffset: 7 }, snapshotId, records: [] },
  { type: 'FetchSnapshotRequest', ...env, correlationId: 79, replicaId: 2, currentLeaderEpoch: 9, snapshotId, position: 4096 },
  { type: 'FetchSnapshotResponse', ...env, correlationId: 79, errorCode: 0, currentLeader: leader, snapshotId, size: 9000, position: 4096, unalignedRecords: Buffer.from('chunk') },
];

describe('raft frame codec', () => {
  for (const m of messages) {
    test(`${m.type} round-trips`, () => {
      assert.deepEqual(decodeRaftMessage(encodeRaftMessage(m)), m);
    });
  }

  test('truncated frames and trailing bytes are rejected', () => {
    for (const m of messages) {
      const frame = encodeRaftMessage(m);
      assert.throws(() => decodeRaftMessage(frame.subarray(0, frame.length - 1)), ProtocolDecodeError, m.type);
      assert.throws(() => decodeRaftMessage(Buffer.concat([frame, Buffer.from([0])])), ProtocolDecodeError, m.type);
    }
  });
});
