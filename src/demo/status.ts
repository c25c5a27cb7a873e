// The live view: one line per second with produced/s, each group's consumed/s and lag, the
// db-writer's transactions/s and each member's partitions (`p=0-5|6-11` for two members); rates
// are deltas between samples. Besides, an assignment line per service whenever its members'
// partitions change (`assignment location: 1=0 2=1 3=2 4=3 5=idle`), so an idle member shows.

import { serviceGroupLabel } from './config.js';
import type { Progress } from './progress.js';
import type { ServiceName } from './types.js';

export interface StatusSample {
  atMs: number;
  progress: Progress;
  dbTransactions: number;
}

/** Each member's partitions, in member order; undefined for a member that has not reported yet. */
export type MemberAssignments = readonly (readonly number[] | undefined)[];

export function formatStatus(
  elapsedSec: number,
  previous: StatusSample | undefined,
  current: StatusSample,
  groupIds: ReadonlyMap<ServiceName, string>,
  assignmentsOf: (service: ServiceName) => MemberAssignments,
): string {
  const seconds = previous === undefined ? 0 : (current.atMs - previous.atMs) / 1000;
  const rate = (now: number, before: number | undefined): number =>
    before === undefined || seconds <= 0 ? 0 : Math.round((now - before) / seconds);
  const parts = [`t=${elapsedSec.toFixed(0)}s`, `produced=${rate(current.progress.produced, previous?.progress.produced)}/s`];
  for (const [service, groupId] of groupIds) {
    const now = current.progress.groups.get(groupId);
    if (now === undefined) continue;
    const members = assignmentsOf(service);
    const assignment = members.every((m) => m === undefined) ? '' : ` p=${members.map((m) => (m === undefined ? '?' : formatPartitions(m))).join('|')}`;
    parts.push(`${serviceGroupLabel(service)}=${rate(now.consumed, previous?.progress.groups.get(groupId)?.consumed)}/s lag=${now.lag}${assignment}`);
  }
  parts.push(`db_tx=${rate(current.dbTransactions, previous?.dbTransactions)}/s`);
  return parts.join(' ');
}

/** `assignment location: 1=0-2 2=3-5 3=idle`; `?` for a member that has not reported yet. */
export function formatAssignment(service: ServiceName, members: MemberAssignments): string {
  const each = members.map((m, i) => `${i + 1}=${m === undefined ? '?' : m.length === 0 ? 'idle' : formatPartitions(m)}`);
  return `assignment ${serviceGroupLabel(service)}: ${each.join(' ')}`;
}

/** `0-5,8,10-11`: consecutive partitions as ranges, so twelve partitions fit in a few characters. */
export function formatPartitions(partitions: readonly number[]): string {
  if (partitions.length === 0) return '-';
  const ranges: string[] = [];
  let first = partitions[0]!;
  let last = first;
  for (const p of [...partitions.slice(1), Number.NaN]) {
    if (p === last + 1) {
      last = p;
      continue;
    }
    ranges.push(first === last ? String(first) : `${first}-${last}`);
    first = last = p;
  }
  return ranges.join(',');
}
