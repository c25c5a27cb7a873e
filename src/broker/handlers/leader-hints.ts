// KIP-951 leader hints, shared by Produce (v10+) and Fetch (v12+ currentLeader, v16+
// nodeEndpoints). A partition answered with NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH names
// its current leader and leader epoch, and the response lists the endpoint of each distinct leader
// so named, so the client can move on without a Metadata round trip first.
//
// Everything comes from the metadata image, as Metadata answers: a leader that is not live is
// reported as -1 (with the partition's epoch) and gets no endpoint, and the endpoint is the one on
// the listener the request arrived on. Gating by version is the handlers' job: the generated
// writers throw on a hint at a version that lacks it.

import { ErrorCode } from '../../protocol/errors.js';
import type { BrokerImage, MetadataImage } from '../../metadata/image.js';

export interface LeaderIdAndEpoch {
  leaderId: number;
  leaderEpoch: number;
}

export interface NodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

/** Only these errors mean "ask someone else"; KIP-951 sends hints with nothing else. */
export function callsForLeaderHint(errorCode: number): boolean {
  return errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || errorCode === ErrorCode.FENCED_LEADER_EPOCH;
}

/** The partition's leader and epoch per the image; {-1, -1} for a partition the image lacks. */
export function currentLeaderOf(image: MetadataImage, topic: string, partition: number): LeaderIdAndEpoch {
  const p = image.topicsByName.get(topic)?.partitions[partition];
  if (!p) return { leaderId: -1, leaderEpoch: -1 };
  return { leaderId: liveBroker(image, p.leader) ? p.leader : -1, leaderEpoch: p.leaderEpoch };
}

/** The endpoint on `listenerName` (else the first, as Metadata does), or undefined when not live. */
export function endpointOf(image: MetadataImage, brokerId: number, listenerName: string): NodeEndpoint | undefined {
  const b = liveBroker(image, brokerId);
  const ep = b && (b.endPoints.find((e) => e.name === listenerName) ?? b.endPoints[0]);
  return b && ep ? { nodeId: b.brokerId, host: ep.host, port: ep.port, rack: b.rack } : undefined;
}

function liveBroker(image: MetadataImage, brokerId: number): BrokerImage | undefined {
  const b = brokerId >= 0 ? image.brokers.get(brokerId) : undefined;
  return b && !b.fenced ? b : undefined;
}

/**
 * Collects hints while one response is built: `hintFor` answers each partition, and
 * `nodeEndpoints` then lists the leaders it named, once each, by id.
 */
export class LeaderHints {
  private readonly leaderIds = new Set<number>();

  constructor(
    private readonly image: MetadataImage,
    private readonly listenerName: string,
  ) {}

  /** The current leader for a partition answered with `errorCode`, or undefined if it needs none. */
  hintFor(topic: string, partition: number, errorCode: number): LeaderIdAndEpoch | undefined {
    if (!callsForLeaderHint(errorCode)) return undefined;
    const leader = currentLeaderOf(this.image, topic, partition);
    if (leader.leaderId >= 0) this.leaderIds.add(leader.leaderId);
    return leader;
  }

  nodeEndpoints(): NodeEndpoint[] {
    return [...this.leaderIds]
      .sort((a, b) => a - b)
      .map((id) => endpointOf(this.image, id, this.listenerName))
      .filter((e): e is NodeEndpoint => e !== undefined);
  }
}
