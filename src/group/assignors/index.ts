// Server-side assignors for KIP-848 consumer groups: `uniform` (the default) and `range`, both pure
// functions from an AssignmentSpec to a GroupAssignment. Others import this folder through here.

import type { PartitionAssignor } from './types.js';
import { rangeAssignor } from './range.js';
import { uniformAssignor } from './uniform.js';

export type { AssignmentMember, AssignmentSpec, GroupAssignment, MemberAssignment, PartitionAssignor } from './types.js';
export { assignUniform, uniformAssignor } from './uniform.js';
export { assignRange, rangeAssignor } from './range.js';

const assignors: ReadonlyMap<string, PartitionAssignor> = new Map([
  [uniformAssignor.name, uniformAssignor],
  [rangeAssignor.name, rangeAssignor],
]);

/** The assignor registered under `name` (`uniform`, `range`), or undefined. */
export function assignorByName(name: string): PartitionAssignor | undefined {
  return assignors.get(name);
}

/** Names of every assignor this broker implements. */
export function assignorNames(): string[] {
  return [...assignors.keys()];
}
