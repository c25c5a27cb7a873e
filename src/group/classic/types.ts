// The data the classic group state machine takes and returns: requests as the handlers decode
// them (JoinGroup, SyncGroup, Heartbeat, LeaveGroup), responses, the completions of parked
// requests, and the snapshot written to __consumer_offsets as a GroupMetadataValue (version 3).
// Plain data only; the behaviour lives in the other files of this folder.

import type { GroupMetadataValue, GroupMetadataValueMemberMetadata } from '../../protocol/generated/group-coordinator/group-metadata-value.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface ClassicGroupConfig {
  /** `group.initial.rebalance.delay.ms` (Kafka default 3000). */
  initialRebalanceDelayMs: number;
  /** `group.min.session.timeout.ms` (6000) and `group.max.session.timeout.ms` (1800000). */
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  /** `group.max.size` (Kafka's default is Int.MaxValue). */
  maxSize: number;
  /**
   * How long a new member's JoinGroup may stay parked before the member is dropped (Kafka's
   * classicGroupNewMemberJoinTimeoutMs, 5 minutes). Optional; defaults to 300000.
   */
  newMemberJoinTimeoutMs?: number;
}

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export interface JoinRequest {
  /** The shell's handle for the request; its response comes back as a Completion with this id. */
  requestId: number;
  apiVersion: number;
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  /** -1 (v0, which lacks the field) means "use sessionTimeoutMs". */
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  reason: string | null;
}

export interface JoinResponseMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinResponse {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  members: JoinResponseMember[];
}

export interface SyncRequest {
  requestId: number;
  memberId: string;
  generationId: number;
  groupInstanceId: string | null;
  /** v5+ (KIP-559); null when the version lacks them. */
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface SyncResponse {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface HeartbeatRequest {
  memberId: string;
  generationId: number;
  groupInstanceId: string | null;
}

export interface LeaveRequest {
  /** v0-2 carry one member id; the handler passes it as a one-element list. */
  members: { memberId: string; groupInstanceId: string | null; reason: string | null }[];
}

export interface LeaveResponse {
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

/** The response to a request that was handled earlier (parked) or just now. */
export type Completion =
  | { requestId: number; kind: 'join'; response: JoinResponse }
  | { requestId: number; kind: 'sync'; response: SyncResponse };

export interface GroupOutput {
  /** Responses released now, in the order they were produced. */
  completions: Completion[];
  /**
   * True when the group reached a point Kafka writes to __consumer_offsets: a generation became
   * Stable (the leader's assignment), the group became Empty, or a static member was replaced
   * while Stable. The shell writes `snapshot()` and sends the completions once the write is durable.
   */
  metadataChanged: boolean;
}

export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

export interface GroupDescription {
  state: GroupState;
  protocolType: string;
  protocolName: string;
  members: DescribedMember[];
}

/**
 * What a classic group persists: exactly GroupMetadataValue (internal/group-coordinator, v3), so
 * the generated codec's type passes in and out as it is. The group id is in the record's key
 * (GroupMetadataKey). A member's `subscription` is its metadata for the selected protocol.
 */
export type GroupSnapshot = GroupMetadataValue;
export type SnapshotMember = GroupMetadataValueMemberMetadata;
