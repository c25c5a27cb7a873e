// Shared shapes of the GPS demo: the location update on the wire, the topic and group names, and
// the messages the demo's child processes send to the parent over the IPC channel.

export const LOCATION_TOPIC = 'delivery-location-updates';
export const ZONE_STATS_TOPIC = 'delivery-zone-stats';
/** Zones are few (64), so a handful of partitions is plenty for the stats topic. */
export const ZONE_STATS_PARTITIONS = 3;

export type PartnerStatus = 'idle' | 'to_pickup' | 'to_dropoff';

/** The record value, as compact JSON; the record key is `partnerId`. */
export interface LocationUpdate {
  partnerId: string;
  lat: number;
  lon: number;
  speedKmh: number;
  heading: number;
  status: PartnerStatus;
  ts: number;
}

export const SERVICE_NAMES = ['location-service', 'analytics', 'db-writer'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export type ChildName = ServiceName | 'producer';

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/** Each demo run uses fresh group ids so committed offsets of an earlier run never apply. */
export function groupIdFor(service: ServiceName, runId: string): string {
  return `demo-gps-${service}-${runId}`;
}

/** Child → parent, once a second and once at exit. Counters are totals since the child started. */
export interface ChildStats {
  type: 'stats';
  name: ChildName;
  /** 1-based member number within the service's group, or the producer's number. */
  member: number;
  /** Records produced (producer) or handed to the service (consumers). */
  events: number;
  /** db-writer only: committed database transactions. */
  dbTransactions?: number;
  /** Listening HTTP port, for services that serve one. */
  httpPort?: number;
  /** Partitions currently assigned to this member. */
  partitions?: number[];
  /** How often the member started a new consumer after a failure (consumer.ts). */
  restarts?: number;
  /** Producer: sends that failed and were sent again (acked-send.ts). */
  sendRetries?: number;
  isFinal?: boolean;
}

/** Parent → child. */
export interface ChildCommand {
  type: 'stop';
}

/** The ten-second tumbling window an event time falls in. */
export function windowStartOf(ts: number, windowMs: number): number {
  return ts - (ts % windowMs);
}
