// How a group looks to ListGroups/DescribeGroups: a classic group, a KIP-848 consumer group,
// or a group that only has committed offsets (a "simple" group, shown Empty, as Kafka does).

import type { GroupEntry } from '../../group/coordinator.js';

const CONSUMER_STATE_NAMES: Record<string, string> = { empty: 'Empty', assigning: 'Assigning', reconciling: 'Reconciling', stable: 'Stable', dead: 'Dead' };

export function groupType(g: GroupEntry): 'classic' | 'consumer' {
  // A KIP-848 group with members, or one no classic group shares the id with.
  return g.consumer && (g.consumer.state !== 'empty' || !g.classic) ? 'consumer' : 'classic';
}

export function groupState(g: GroupEntry): string {
  if (groupType(g) === 'consumer') return CONSUMER_STATE_NAMES[g.consumer!.state] ?? 'Unknown';
  return g.classic?.state ?? 'Empty';
}

export function groupProtocolType(g: GroupEntry): string {
  if (groupType(g) === 'consumer') return 'consumer';
  return g.classic?.protocolType ?? '';
}
