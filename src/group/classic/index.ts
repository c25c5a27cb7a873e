// The classic consumer-group protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) as a pure
// state machine; see classic-group.ts. Other folders import it only from here.

export { ClassicGroup } from './classic-group.js';
export { DEFAULT_NEW_MEMBER_JOIN_TIMEOUT_MS } from './group-core.js';
export type {
  ClassicGroupConfig,
  Completion,
  DescribedMember,
  GroupDescription,
  GroupOutput,
  GroupSnapshot,
  GroupState,
  HeartbeatRequest,
  JoinRequest,
  JoinResponse,
  JoinResponseMember,
  LeaveRequest,
  LeaveResponse,
  Protocol,
  SnapshotMember,
  SyncRequest,
  SyncResponse,
} from './types.js';
