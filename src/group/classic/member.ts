// One member of a classic group as the coordinator sees it: identity, timeouts, the protocols it
// offered in its latest JoinGroup, the assignment the leader gave it, and which of its requests
// are parked. A member has at most one parked JoinGroup and one parked SyncGroup.
//
// Liveness follows Kafka's ClassicGroupMember.hasSatisfiedHeartbeat: a member whose JoinGroup or
// SyncGroup is parked cannot heartbeat (its connection waits), so it does not expire while parked,
// except a *new* member, which is dropped if its first JoinGroup stays parked past
// newMemberJoinTimeoutMs (a client that disconnected and retried would otherwise leave defunct
// members behind).

import type { Protocol } from './types.js';

export interface ClassicMember {
  memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly protocolType: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  /** In the member's order of preference. */
  protocols: Protocol[];
  assignment: Buffer;
  awaitingJoinRequestId: number | null;
  awaitingSyncRequestId: number | null;
  /** Joined but not yet through its first completed join phase. */
  isNew: boolean;
  /** When the member's session expires, or null while no expiry is scheduled. */
  heartbeatDeadlineMs: number | null;
}

export const EMPTY_ASSIGNMENT: Buffer = Buffer.alloc(0);

export function newMember(fields: {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  protocolType: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocols: Protocol[];
  assignment?: Buffer;
}): ClassicMember {
  return {
    ...fields,
    assignment: fields.assignment ?? EMPTY_ASSIGNMENT,
    awaitingJoinRequestId: null,
    awaitingSyncRequestId: null,
    isNew: false,
    heartbeatDeadlineMs: null,
  };
}

export function isAwaitingJoin(member: ClassicMember): boolean {
  return member.awaitingJoinRequestId !== null;
}

export function isAwaitingSync(member: ClassicMember): boolean {
  return member.awaitingSyncRequestId !== null;
}

/** Whether a session deadline that has passed should spare the member (see the file comment). */
export function hasSatisfiedHeartbeat(member: ClassicMember): boolean {
  if (member.isNew) return false;
  return isAwaitingJoin(member) || isAwaitingSync(member);
}

/** The member's metadata for `protocolName`; empty if it does not offer that protocol. */
export function metadataFor(member: ClassicMember, protocolName: string | null): Buffer {
  if (protocolName === null) return EMPTY_ASSIGNMENT;
  return member.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY_ASSIGNMENT;
}

/** Kafka's ClassicGroupMember.matches: the same protocols, in the same order, with the same metadata. */
export function protocolsMatch(a: readonly Protocol[], b: readonly Protocol[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata));
}

/** The member's first protocol, by its own preference, that is among `candidates`. */
export function vote(member: ClassicMember, candidates: ReadonlySet<string>): string | null {
  return member.protocols.find((p) => candidates.has(p.name))?.name ?? null;
}
