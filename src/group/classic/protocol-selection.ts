// Which protocol a classic group runs, as Kafka's ClassicGroup chooses it. A candidate is a
// protocol every member offers; each member votes for its most preferred candidate and the
// candidate with the most votes wins. Kafka breaks ties by hash-map order; we break them by the
// order of the first vote (members in join order), so the leader's preference wins a tie.

import { assert } from '../../common/assert.js';
import { vote, type ClassicMember } from './member.js';

/** Protocol names that every member offers. */
export function candidateProtocols(members: readonly ClassicMember[]): Set<string> {
  const counts = supportCounts(members);
  const candidates = new Set<string>();
  for (const [name, count] of counts) if (count === members.length) candidates.add(name);
  return candidates;
}

export function selectProtocol(members: readonly ClassicMember[]): string {
  assert(members.length > 0, 'cannot select a protocol for a group without members');
  const candidates = candidateProtocols(members);
  const votes = new Map<string, number>(); // insertion order = order of first vote
  for (const member of members) {
    const choice = vote(member, candidates);
    assert(choice !== null, `member ${member.memberId} supports none of the group's candidate protocols`);
    votes.set(choice, (votes.get(choice) ?? 0) + 1);
  }
  let best: string | null = null;
  let bestVotes = 0;
  for (const [name, count] of votes) {
    if (count > bestVotes) {
      best = name;
      bestVotes = count;
    }
  }
  return best!;
}

/**
 * Kafka's ClassicGroup.supportsProtocols: an Empty group takes any non-empty protocol type with at
 * least one protocol; otherwise the type must equal the group's and one of the offered protocols
 * must be offered by every current member.
 */
export function supportsProtocols(
  isEmptyState: boolean,
  groupProtocolType: string | null,
  members: readonly ClassicMember[],
  protocolType: string,
  protocolNames: readonly string[],
): boolean {
  if (isEmptyState) return protocolType !== '' && protocolNames.length > 0;
  if (groupProtocolType !== protocolType) return false;
  const counts = supportCounts(members);
  return protocolNames.some((name) => (counts.get(name) ?? 0) === members.length);
}

function supportCounts(members: readonly ClassicMember[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const member of members) {
    for (const name of new Set(member.protocols.map((p) => p.name))) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}
