// Who leads the location topic's partitions, for the live view and for --kill-broker: leaders
// per broker, partitions without a leader, and in-sync replicas against replicas, from one
// Metadata request. The view prints a line whenever this changes, so a killed broker's
// leaderships visibly move to the others (and back, once it has returned and leader balancing
// has run).

import type { ClusterMetadata } from '../client/index.js';
import { LOCATION_TOPIC } from './types.js';

export interface LeaderView {
  /** Broker id → partitions it leads; every broker that is live or holds a replica is listed. */
  leaders: Map<number, number>;
  /** Brokers the metadata lists (registered and not fenced). */
  live: Set<number>;
  leaderless: number;
  inSync: number;
  replicas: number;
  controllerId: number;
}

export function leaderViewOf(metadata: ClusterMetadata): LeaderView {
  const topic = metadata.topics.find((t) => t.name === LOCATION_TOPIC);
  const live = new Set(metadata.brokers.map((b) => b.nodeId));
  const leaders = new Map<number, number>([...live].map((id) => [id, 0]));
  let leaderless = 0;
  let inSync = 0;
  let replicas = 0;
  for (const p of topic?.partitions ?? []) {
    for (const r of p.replicaNodes) if (!leaders.has(r)) leaders.set(r, 0);
    if (p.leaderId < 0) leaderless++;
    else leaders.set(p.leaderId, (leaders.get(p.leaderId) ?? 0) + 1);
    inSync += p.isrNodes.length;
    replicas += p.replicaNodes.length;
  }
  return { leaders: new Map([...leaders].sort((a, b) => a[0] - b[0])), live, leaderless, inSync, replicas, controllerId: metadata.controllerId };
}

/** `leaders broker1=4 broker2=0(down) broker3=8 isr=28/36`, with `leaderless=N` when some are. */
export function formatLeaders(view: LeaderView): string {
  const brokers = [...view.leaders].map(([id, n]) => `broker${id}=${n}${view.live.has(id) ? '' : '(down)'}`);
  const leaderless = view.leaderless > 0 ? ` leaderless=${view.leaderless}` : '';
  return `leaders ${brokers.join(' ')}${leaderless} isr=${view.inSync}/${view.replicas}`;
}

/**
 * The broker to kill: the one leading the most location partitions. On a tie, a broker that is
 * not the active controller, so that the demo shows a partition-leader fail-over alone rather
 * than one delayed by a controller election; then the lowest id.
 */
export function brokerToKill(view: LeaderView): number | undefined {
  const candidates = [...view.leaders].filter(([id, n]) => view.live.has(id) && n > 0);
  candidates.sort((a, b) => b[1] - a[1] || Number(a[0] === view.controllerId) - Number(b[0] === view.controllerId) || a[0] - b[0]);
  return candidates[0]?.[0];
}
