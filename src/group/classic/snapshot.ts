// The group as others see it: DescribeGroups, and the GroupMetadataValue written to and reloaded
// from __consumer_offsets.
//
// A reloaded group is Stable with its members (or Empty without), as Kafka loads it; each member
// gets a fresh session, so a member that died with the old coordinator expires one session
// timeout after the reload. A group reloaded above group.max.size rebalances at once, which
// turns away the rejoining members beyond the limit.

import { assert } from '../../common/assert.js';
import type { Logger } from '../../common/logger.js';
import { GroupCore } from './group-core.js';
import { EMPTY_ASSIGNMENT, metadataFor, newMember } from './member.js';
import { prepareRebalance } from './rebalance.js';
import type { ClassicGroupConfig, GroupDescription, GroupSnapshot } from './types.js';

/** DescribeGroups: metadata, assignment and protocol only while Stable; no members when Dead. */
export function describeGroup(core: GroupCore): GroupDescription {
  const isStable = core.state === 'Stable';
  const members = core.state === 'Dead' ? [] : core.memberList();
  return {
    state: core.state,
    protocolType: core.protocolType ?? '',
    protocolName: isStable ? (core.protocolName ?? '') : '',
    members: members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      metadata: isStable ? metadataFor(m, core.protocolName) : EMPTY_ASSIGNMENT,
      assignment: isStable ? m.assignment : EMPTY_ASSIGNMENT,
    })),
  };
}

export function restoreCore(
  groupId: string,
  snapshot: GroupSnapshot,
  nowMs: number,
  config: ClassicGroupConfig,
  newId: () => string,
  log: Logger,
): GroupCore {
  const core = new GroupCore(groupId, config, newId, log);
  const hasMembers = snapshot.members.length > 0;
  assert(!hasMembers || snapshot.protocol !== null, `group ${groupId}: members without a protocol`);
  core.state = hasMembers ? 'Stable' : 'Empty';
  core.generationId = snapshot.generation;
  core.protocolType = snapshot.protocolType === '' ? null : snapshot.protocolType;
  core.protocolName = hasMembers ? snapshot.protocol : null;
  core.stateTimestampMs = snapshot.currentStateTimestamp >= 0 ? snapshot.currentStateTimestamp : nowMs;
  for (const m of snapshot.members) {
    const member = newMember({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      protocolType: snapshot.protocolType,
      rebalanceTimeoutMs: m.rebalanceTimeout < 0 ? m.sessionTimeout : m.rebalanceTimeout,
      sessionTimeoutMs: m.sessionTimeout,
      protocols: [{ name: snapshot.protocol!, metadata: m.subscription }],
      assignment: m.assignment,
    });
    core.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) core.staticMembers.set(member.groupInstanceId, member.memberId);
    core.rescheduleHeartbeat(member, nowMs);
  }
  const leader = snapshot.leader;
  core.leaderId = leader !== null && core.members.has(leader) ? leader : (core.members.keys().next().value ?? null);
  core.persisted = snapshot;
  log.info({ generationId: core.generationId, members: core.members.size, state: core.state }, 'group loaded');

  if (core.members.size > core.config.maxSize) {
    core.begin();
    prepareRebalance(core, nowMs, `loaded group is over capacity (${core.config.maxSize})`);
    const out = core.finish();
    assert(out.completions.length === 0, 'a freshly loaded group has no parked requests');
  }
  return core;
}
