// Whether a classic group accepts an OffsetCommit / TxnOffsetCommit or OffsetFetch, after Kafka's
// ClassicGroup.validateOffsetCommit and validateOffsetFetch. The offsets themselves are the
// coordinator shell's business.
//
// A commit with generation -1 comes from a consumer that assigns partitions itself (or an admin
// client) and is accepted only while the group is Empty. Otherwise the member must be current
// (UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID) and in the current generation (ILLEGAL_GENERATION).
// A plain commit during CompletingRebalance gets REBALANCE_IN_PROGRESS: the member has its new
// generation but not yet its assignment. Transactional commits skip the state checks: old
// TxnOffsetCommit versions carry no member id or generation.

import { ErrorCode } from '../../protocol/errors.js';
import type { GroupCore } from './group-core.js';

export function validateOffsetCommit(
  core: GroupCore,
  memberId: string,
  groupInstanceId: string | null,
  generationId: number,
  isTransactional: boolean,
): number {
  if (core.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (generationId < 0 && core.state === 'Empty') return ErrorCode.NONE;
  if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
    const memberError = core.validateMember(memberId, groupInstanceId);
    if (memberError !== ErrorCode.NONE) return memberError;
    if (generationId !== core.generationId) return ErrorCode.ILLEGAL_GENERATION;
  } else if (!isTransactional) {
    // No member id and no generation (OffsetCommit v0, or a standalone consumer): only an
    // Empty group takes it, and that case returned above.
    return ErrorCode.UNKNOWN_MEMBER_ID;
  }
  if (!isTransactional && core.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
  return ErrorCode.NONE;
}

/** OffsetFetch v9 member checks apply to KIP-848 groups only; a classic group fails only when Dead. */
export function validateOffsetFetch(core: GroupCore): number {
  return core.state === 'Dead' ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.NONE;
}
