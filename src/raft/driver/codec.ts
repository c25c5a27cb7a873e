// Encodes the Raft core's messages for the voter-to-voter TCP link, and decodes them. Each frame
// body (the 4-byte Kafka size prefix is added by the transport) is a private envelope followed
// by the message body:
//
//   int16 apiKey, int16 apiVersion, int8 flags (bit 0: response, bit 1: preVote),
//   int32 correlationId, int32 from, int32 to, body
//
// The envelope plays the role of Kafka's request/response header: responses travel one-way like
// requests here, so they must name their api key too, and `from`/`to` replace the client id.
// `correlationId` carries the core's Fetch/FetchSnapshot correlation id (0 for the others).
// Vote, BeginQuorumEpoch and EndQuorumEpoch bodies are the generated v0 codecs with a single
// topic/partition (KRaft's __cluster_metadata-0). preVote is KIP-996's field, which VoteRequest
// v0-1 lacks, so it rides in the envelope flags. Fetch and FetchSnapshot bodies are private: the
// core's entries are not Kafka record batches yet, so these carry exactly the core's fields (see
// writeFetch*). Decoding a malformed frame throws ProtocolDecodeError; the transport drops the
// connection.

import { ProtocolDecodeError, Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import * as BqeReq from '../../protocol/generated/begin-quorum-epoch-request.js';
import * as BqeRes from '../../protocol/generated/begin-quorum-epoch-response.js';
import * as EqeReq from '../../protocol/generated/end-quorum-epoch-request.js';
import * as EqeRes from '../../protocol/generated/end-quorum-epoch-response.js';
import { FETCH_REQUEST_API_KEY } from '../../protocol/generated/fetch-request.js';
import { FETCH_SNAPSHOT_REQUEST_API_KEY } from '../../protocol/generated/fetch-snapshot-request.js';
import * as VoteReq from '../../protocol/generated/vote-request.js';
import * as VoteRes from '../../protocol/generated/vote-response.js';
import type * as T from '../types.js';

const TOPIC = '__cluster_metadata';
/**
 * 1: FetchRequest carries the follower's high watermark, and leaders hold fetches they have
 * nothing for. Nodes speaking another version drop each other's frames, so a quorum runs one
 * version: version 0 followers would poll a holding leader, and version 1 followers would spin
 * against a leader that answers at once.
 */
const BODY_VERSION = 1;
const FLAG_RESPONSE = 1;
const FLAG_PRE_VOTE = 2;

type Part<M> = Omit<M, 'type' | 'from' | 'to'>;

export function encodeRaftMessage(m: T.RaftMessage): Buffer {
  const w = new Writer();
  const isResponse = m.type.endsWith('Response');
  const preVote = (m.type === 'VoteRequest' || m.type === 'VoteResponse') && m.preVote;
  const correlationId = 'correlationId' in m ? m.correlationId : 0;
  w.writeInt16(apiKeyOf(m.type));
  w.writeInt16(BODY_VERSION);
  w.writeInt8((isResponse ? FLAG_RESPONSE : 0) | (preVote ? FLAG_PRE_VOTE : 0));
  w.writeInt32(correlationId);
  w.writeInt32(m.from);
  w.writeInt32(m.to);
  writeBody(w, m);
  return w.toBuffer();
}

export function decodeRaftMessage(buf: Buffer): T.RaftMessage {
  const r = new Reader(buf);
  const apiKey = r.readInt16();
  const version = r.readInt16();
  if (version !== BODY_VERSION) throw new ProtocolDecodeError(`raft frame version ${version} is not supported`);
  const flags = r.readInt8();
  const correlationId = r.readInt32();
  const env = { from: r.readInt32(), to: r.readInt32() };
  const isResponse = (flags & FLAG_RESPONSE) !== 0;
  const preVote = (flags & FLAG_PRE_VOTE) !== 0;
  const m = readBody(r, apiKey, isResponse, preVote, correlationId, env);
  if (r.remaining() !== 0) throw new ProtocolDecodeError(`raft frame has ${r.remaining()} trailing bytes`);
  return m;
}

function apiKeyOf(type: T.RaftMessage['type']): number {
  switch (type) {
    case 'VoteRequest':
    case 'VoteResponse':
      return VoteReq.VOTE_REQUEST_API_KEY;
    case 'BeginQuorumEpochRequest':
    case 'BeginQuorumEpochResponse':
      return BqeReq.BEGIN_QUORUM_EPOCH_REQUEST_API_KEY;
    case 'EndQuorumEpochRequest':
    case 'EndQuorumEpochResponse':
      return EqeReq.END_QUORUM_EPOCH_REQUEST_API_KEY;
    case 'FetchRequest':
    case 'FetchResponse':
      return FETCH_REQUEST_API_KEY;
    case 'FetchSnapshotRequest':
    case 'FetchSnapshotResponse':
      return FETCH_SNAPSHOT_REQUEST_API_KEY;
  }
}

function writeBody(w: Writer, m: T.RaftMessage): void {
  const topic = <P>(p: P) => [{ topicName: TOPIC, partitions: [{ partitionIndex: 0, ...p }] }];
  switch (m.type) {
    case 'VoteRequest':
      return VoteReq.writeVoteRequest(w, 0, { topics: topic({ candidateEpoch: m.candidateEpoch, candidateId: m.candidateId, lastOffsetEpoch: m.lastOffsetEpoch, lastOffset: m.lastOffset }) });
    case 'VoteResponse':
      return VoteRes.writeVoteResponse(w, 0, { topics: topic({ errorCode: m.errorCode, leaderId: m.leaderId, leaderEpoch: m.leaderEpoch, voteGranted: m.voteGranted }) });
    case 'BeginQuorumEpochRequest':
      return BqeReq.writeBeginQuorumEpochRequest(w, 0, { topics: topic({ leaderId: m.leaderId, leaderEpoch: m.leaderEpoch }) });
    case 'BeginQuorumEpochResponse':
      return BqeRes.writeBeginQuorumEpochResponse(w, 0, { topics: topic({ errorCode: m.errorCode, leaderId: m.leaderId, leaderEpoch: m.leaderEpoch }) });
    case 'EndQuorumEpochRequest':
      return EqeReq.writeEndQuorumEpochRequest(w, 0, { topics: topic({ leaderId: m.leaderId, leaderEpoch: m.leaderEpoch, preferredSuccessors: m.preferredSuccessors }) });
    case 'EndQuorumEpochResponse':
      return EqeRes.writeEndQuorumEpochResponse(w, 0, { topics: topic({ errorCode: m.errorCode, leaderId: m.leaderId, leaderEpoch: m.leaderEpoch }) });
    case 'FetchRequest':
      return writeFetchRequest(w, m);
    case 'FetchResponse':
      return writeFetchResponse(w, m);
    case 'FetchSnapshotRequest':
      return writeFetchSnapshotRequest(w, m);
    case 'FetchSnapshotResponse':
      return writeFetchSnapshotResponse(w, m);
  }
}

/** The one partition of a generated body; a KRaft voter link carries exactly one. */
function only<P>(topics: readonly { partitions: readonly P[] }[]): P {
  const p = topics[0]?.partitions[0];
  if (topics.length !== 1 || topics[0]!.partitions.length !== 1 || p === undefined) {
    throw new ProtocolDecodeError('raft frame must carry exactly one partition');
  }
  return p;
}

type Env = { from: number; to: number };

function readBody(r: Reader, apiKey: number, isResponse: boolean, preVote: boolean, correlationId: number, env: Env): T.RaftMessage {
  switch (apiKey) {
    case VoteReq.VOTE_REQUEST_API_KEY: {
      if (isResponse) {
        const p = only(VoteRes.readVoteResponse(r, 0).topics);
        return { type: 'VoteResponse', ...env, errorCode: p.errorCode, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, voteGranted: p.voteGranted, preVote };
      }
      const p = only(VoteReq.readVoteRequest(r, 0).topics);
      return { type: 'VoteRequest', ...env, candidateEpoch: p.candidateEpoch, candidateId: p.candidateId, lastOffsetEpoch: p.lastOffsetEpoch, lastOffset: p.lastOffset, preVote };
    }
    case BqeReq.BEGIN_QUORUM_EPOCH_REQUEST_API_KEY: {
      if (isResponse) {
        const p = only(BqeRes.readBeginQuorumEpochResponse(r, 0).topics);
        return { type: 'BeginQuorumEpochResponse', ...env, errorCode: p.errorCode, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch };
      }
      const p = only(BqeReq.readBeginQuorumEpochRequest(r, 0).topics);
      return { type: 'BeginQuorumEpochRequest', ...env, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch };
    }
    case EqeReq.END_QUORUM_EPOCH_REQUEST_API_KEY: {
      if (isResponse) {
        const p = only(EqeRes.readEndQuorumEpochResponse(r, 0).topics);
        return { type: 'EndQuorumEpochResponse', ...env, errorCode: p.errorCode, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch };
      }
      const p = only(EqeReq.readEndQuorumEpochRequest(r, 0).topics);
      return { type: 'EndQuorumEpochRequest', ...env, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, preferredSuccessors: p.preferredSuccessors };
    }
    case FETCH_REQUEST_API_KEY:
      return isResponse ? { type: 'FetchResponse', ...env, correlationId, ...readFetchResponse(r) } : { type: 'FetchRequest', ...env, correlationId, ...readFetchRequest(r) };
    case FETCH_SNAPSHOT_REQUEST_API_KEY:
      return isResponse
        ? { type: 'FetchSnapshotResponse', ...env, correlationId, ...readFetchSnapshotResponse(r) }
        : { type: 'FetchSnapshotRequest', ...env, correlationId, ...readFetchSnapshotRequest(r) };
    default:
      throw new ProtocolDecodeError(`raft frame with api key ${apiKey}`);
  }
}

// ---- private Fetch / FetchSnapshot bodies: the core's fields in declaration order ------------

function writeFetchRequest(w: Writer, m: T.FetchRequest): void {
  w.writeInt32(m.replicaId);
  w.writeInt32(m.currentLeaderEpoch);
  w.writeInt64(m.fetchOffset);
  w.writeInt32(m.lastFetchedEpoch);
  w.writeInt64(m.logStartOffset);
  w.writeInt64(m.highWatermark);
}

function readFetchRequest(r: Reader): Omit<Part<T.FetchRequest>, 'correlationId'> {
  return {
    replicaId: r.readInt32(),
    currentLeaderEpoch: r.readInt32(),
    fetchOffset: r.readInt64(),
    lastFetchedEpoch: r.readInt32(),
    logStartOffset: r.readInt64(),
    highWatermark: r.readInt64(),
  };
}

/** Nullable pairs are an int8 presence flag then the pair; records are (offset, epoch, isControl, bytes). */
function writeFetchResponse(w: Writer, m: T.FetchResponse): void {
  w.writeInt16(m.errorCode);
  w.writeInt64(m.highWatermark);
  w.writeInt64(m.logStartOffset);
  w.writeInt32(m.currentLeader.leaderId);
  w.writeInt32(m.currentLeader.leaderEpoch);
  w.writeInt8(m.divergingEpoch === null ? 0 : 1);
  if (m.divergingEpoch !== null) {
    w.writeInt32(m.divergingEpoch.epoch);
    w.writeInt64(m.divergingEpoch.endOffset);
  }
  w.writeInt8(m.snapshotId === null ? 0 : 1);
  if (m.snapshotId !== null) writeSnapshotId(w, m.snapshotId);
  w.writeInt32(m.records.length);
  for (const e of m.records) {
    w.writeInt64(e.offset);
    w.writeInt32(e.epoch);
    w.writeBoolean(e.isControl);
    w.writeBytes(e.data);
  }
}

function readFetchResponse(r: Reader): Omit<Part<T.FetchResponse>, 'correlationId'> {
  const errorCode = r.readInt16();
  const highWatermark = r.readInt64();
  const logStartOffset = r.readInt64();
  const currentLeader = { leaderId: r.readInt32(), leaderEpoch: r.readInt32() };
  const divergingEpoch = r.readInt8() === 0 ? null : { epoch: r.readInt32(), endOffset: r.readInt64() };
  const snapshotId = r.readInt8() === 0 ? null : readSnapshotId(r);
  const n = r.readInt32();
  if (n < 0 || n > r.remaining()) throw new ProtocolDecodeError(`fetch response with ${n} records`);
  const records: T.Entry[] = [];
  for (let i = 0; i < n; i++) {
    const offset = r.readInt64();
    const epoch = r.readInt32();
    const isControl = r.readBoolean();
    records.push({ offset, epoch, isControl, data: Buffer.from(r.readBytes()) });
  }
  return { errorCode, highWatermark, logStartOffset, currentLeader, divergingEpoch, snapshotId, records };
}

function writeFetchSnapshotRequest(w: Writer, m: T.FetchSnapshotRequest): void {
  w.writeInt32(m.replicaId);
  w.writeInt32(m.currentLeaderEpoch);
  writeSnapshotId(w, m.snapshotId);
  w.writeInt64(m.position);
}

function readFetchSnapshotRequest(r: Reader): Omit<Part<T.FetchSnapshotRequest>, 'correlationId'> {
  return { replicaId: r.readInt32(), currentLeaderEpoch: r.readInt32(), snapshotId: readSnapshotId(r), position: r.readInt64() };
}

function writeFetchSnapshotResponse(w: Writer, m: T.FetchSnapshotResponse): void {
  w.writeInt16(m.errorCode);
  w.writeInt32(m.currentLeader.leaderId);
  w.writeInt32(m.currentLeader.leaderEpoch);
  writeSnapshotId(w, m.snapshotId);
  w.writeInt64(m.size);
  w.writeInt64(m.position);
  w.writeBytes(m.unalignedRecords);
}

function readFetchSnapshotResponse(r: Reader): Omit<Part<T.FetchSnapshotResponse>, 'correlationId'> {
  const errorCode = r.readInt16();
  const currentLeader = { leaderId: r.readInt32(), leaderEpoch: r.readInt32() };
  const snapshotId = readSnapshotId(r);
  const size = r.readInt64();
  const position = r.readInt64();
  return { errorCode, currentLeader, snapshotId, size, position, unalignedRecords: Buffer.from(r.readBytes()) };
}

function writeSnapshotId(w: Writer, id: T.SnapshotId): void {
  w.writeInt64(id.endOffset);
  w.writeInt32(id.epoch);
}

function readSnapshotId(r: Reader): T.SnapshotId {
  return { endOffset: r.readInt64(), epoch: r.readInt32() };
}
