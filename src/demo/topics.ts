// Creates the demo's two topics. On a cluster given with --bootstrap an existing
// delivery-location-updates is deleted first, so the run's counts start from an empty log.

import { Admin } from '@platformatic/kafka';
import { LOCATION_TOPIC, ZONE_STATS_TOPIC } from './types.js';

/** Zones are few (64), so a handful of partitions is plenty for the stats topic. */
const ZONE_STATS_PARTITIONS = 3;
const TOPIC_READY_WAIT_MS = 500;

export async function createDemoTopics(bootstrap: string, partitions: number, brokerCount: number): Promise<void> {
  const admin = new Admin({ clientId: 'demo-gps-admin', bootstrapBrokers: [bootstrap], retries: 5, retryDelay: 200 });
  try {
    const existing = new Set(await admin.listTopics());
    const stale = [LOCATION_TOPIC, ZONE_STATS_TOPIC].filter((t) => existing.has(t));
    if (stale.length > 0) {
      await admin.deleteTopics({ topics: stale });
      await new Promise((resolve) => setTimeout(resolve, TOPIC_READY_WAIT_MS));
    }
    // Replication factor 3 once there are three brokers (the cluster issue); 1 before.
    const replicas = Math.min(3, brokerCount);
    await admin.createTopics({ topics: [LOCATION_TOPIC], partitions, replicas });
    await admin.createTopics({
      topics: [ZONE_STATS_TOPIC],
      partitions: ZONE_STATS_PARTITIONS,
      replicas,
      configs: [{ name: 'cleanup.policy', value: 'compact' }],
    });
  } finally {
    await admin.close();
  }
}
