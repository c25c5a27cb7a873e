// Which member a ConsumerGroupHeartbeat is about, and whether it may speak for it: member-id and
// instance-id lookups, static membership takeovers (KIP-848 "Static Membership"), and the
// member-epoch check. Pure: it reads the group's member maps and changes nothing.

import { ErrorCode } from '../../protocol/errors.js';
import type { ConsumerGroupHeartbeatRequest } from '../../protocol/generated/consumer-group-heartbeat-request.js';
import { checkMemberEpoch, newMember } from './member.js';
import type { ConsumerGroupMember } from './types.js';
import { JOIN_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH, rejection, type Rejection } from './validate.js';

export interface MemberLookup {
  readonly groupId: string;
  readonly members: ReadonlyMap<string, ConsumerGroupMember>;
  /** instanceId → memberId. */
  readonly staticMembers: ReadonlyMap<string, string>;
}

/**
 * The member a heartbeat is about. `member` is the record to update, already under the request's
 * member id; `stored` is what the group holds now: null for a new member, the same record for a
 * known one, the departed static member when a new process takes over its instance id.
 */
export interface FoundMember {
  readonly member: ConsumerGroupMember;
  readonly stored: ConsumerGroupMember | null;
}

export function findMember(lookup: MemberLookup, memberId: string, req: ConsumerGroupHeartbeatRequest): FoundMember | Rejection {
  const isJoining = req.memberEpoch === JOIN_GROUP_MEMBER_EPOCH;
  if (req.instanceId === null) {
    const existing = lookup.members.get(memberId);
    if (existing === undefined) {
      if (isJoining) return { member: newMember(memberId), stored: null };
      return rejection(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${lookup.groupId}.`);
    }
    return checkMemberEpoch(existing, req.memberEpoch, req.topicPartitions) ?? { member: existing, stored: existing };
  }
  const staticMemberId = lookup.staticMembers.get(req.instanceId);
  const existing = staticMemberId === undefined ? undefined : lookup.members.get(staticMemberId);
  if (isJoining) {
    if (existing === undefined) {
      const known = lookup.members.get(memberId); // a member rejoining with an instance id it lacked
      return known === undefined ? { member: newMember(memberId), stored: null } : { member: known, stored: known };
    }
    if (existing.memberId === memberId) return { member: existing, stored: existing };
    // A new process takes the instance id over, which it may only once the old one said it
    // would be back (epoch -2); otherwise the old one is still live (KIP-848 static membership).
    if (existing.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      return rejection(
        ErrorCode.UNRELEASED_INSTANCE_ID,
        `Static member ${memberId} with instance id ${req.instanceId} cannot join the group because the ` +
          `instance id is owned by member ${existing.memberId}.`,
      );
    }
    if (lookup.members.has(memberId)) {
      return rejection(ErrorCode.INVALID_REQUEST, `MemberId ${memberId} already belongs to another member.`);
    }
    return { member: { ...existing, memberId, memberEpoch: 0 }, stored: existing };
  }
  if (existing === undefined) return rejection(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${req.instanceId} is unknown.`);
  if (existing.memberId !== memberId) {
    return rejection(
      ErrorCode.FENCED_INSTANCE_ID,
      `Static member ${memberId} with instance id ${req.instanceId} was fenced by member ${existing.memberId}.`,
    );
  }
  return checkMemberEpoch(existing, req.memberEpoch, req.topicPartitions) ?? { member: existing, stored: existing };
}

/** The member a leave (epoch -1 or -2) is about. */
export function findLeavingMember(lookup: MemberLookup, req: ConsumerGroupHeartbeatRequest): ConsumerGroupMember | Rejection {
  if (req.instanceId === null) {
    return (
      lookup.members.get(req.memberId) ??
      rejection(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${lookup.groupId}.`)
    );
  }
  const memberId = lookup.staticMembers.get(req.instanceId);
  const member = memberId === undefined ? undefined : lookup.members.get(memberId);
  if (member === undefined) return rejection(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${req.instanceId} is unknown.`);
  if (member.memberId !== req.memberId) {
    return rejection(
      ErrorCode.FENCED_INSTANCE_ID,
      `Static member ${req.memberId} with instance id ${req.instanceId} was fenced by member ${member.memberId}.`,
    );
  }
  return member;
}
