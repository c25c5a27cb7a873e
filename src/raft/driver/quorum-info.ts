// The leader's DescribeQuorum (API 55) answer as the driver hands it out: the core's description
// with its ticks turned into epoch-ms timestamps, shaped like one DescribeQuorumResponse
// partition (ReplicaState with LastFetchTimestamp and LastCaughtUpTimestamp, v1+).

import type { QuorumDescription, ReplicaDescription } from '../types.js';

/** ReplicaState of DescribeQuorumResponse; timestamps in epoch ms, -1 when unknown. */
export interface ReplicaState {
  readonly replicaId: number;
  /** The offset below which its log matches the leader's; -1 before its first fetch. */
  readonly logEndOffset: number;
  readonly lastFetchTimestamp: number;
  readonly lastCaughtUpTimestamp: number;
}

/** The leader's view of the quorum: leader, epoch, high watermark, voters and observers. */
export interface QuorumInfo {
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly highWatermark: number;
  /** CurrentVoters, the leader included, in config order. */
  readonly voters: readonly ReplicaState[];
  /** Observers that fetched from this leader lately, by id. */
  readonly observers: readonly ReplicaState[];
}

/** Converts the core's description; `tickToMs` maps a core tick (>= 0) to epoch ms. */
export function toQuorumInfo(d: QuorumDescription, tickToMs: (tick: number) => number): QuorumInfo {
  const ms = (tick: number): number => (tick < 0 ? -1 : tickToMs(tick));
  const state = (r: ReplicaDescription): ReplicaState => ({
    replicaId: r.replicaId,
    logEndOffset: r.logEndOffset,
    lastFetchTimestamp: ms(r.lastFetchTick),
    lastCaughtUpTimestamp: ms(r.lastCaughtUpTick),
  });
  return { leaderId: d.leaderId, leaderEpoch: d.leaderEpoch, highWatermark: d.highWatermark, voters: d.voters.map(state), observers: d.observers.map(state) };
}
