// Creates the demo's two topics: replication factor 3 when the cluster has three brokers or more
// (fewer brokers: one replica each), and then min.insync.replicas=2, so an acks=all write is on
// two brokers before it counts and one broker may fail without stopping the producer. On a
// cluster given with --bootstrap, existing topics are deleted first so the run's counts start
// from an empty log.

import { Admin } from '@platformatic/kafka';
import { bootstrapList } from './config.js';
import { LOCATION_TOPIC, ZONE_STATS_PARTITIONS, ZONE_STATS_TOPIC } from './types.js';

const TOPIC_READY_WAIT_MS = 500;

export interface DemoTopicsLayout {
  replicas: number;
  minInsyncReplicas: number;
}

/** RF 3 and min ISR 2 from three brokers on; RF = brokers below that, min ISR 1. */
export function demoTopicsLayout(brokerCount: number): DemoTopicsLayout {
  const replicas = Math.max(1, Math.min(3, brokerCount));
  return { replicas, minInsyncReplicas: replicas >= 3 ? 2 : 1 };
}

export async function createDemoTopics(bootstrap: string, partitions: number, brokerCount: number): Promise<DemoTopicsLayout> {
  const layout = demoTopicsLayout(brokerCount);
  const admin = new Admin({ clientId: 'demo-gps-admin', bootstrapBrokers: bootstrapList(bootstrap), retries: 5, retryDelay: 200 });
  try {
    const existing = new Set(await admin.listTopics());
    const stale = [LOCATION_TOPIC, ZONE_STATS_TOPIC].filter((t) => existing.has(t));
    if (stale.length > 0) {
      await admin.deleteTopics({ topics: stale });
      await new Promise((resolve) => setTimeout(resolve, TOPIC_READY_WAIT_MS));
    }
    const minIsr = { name: 'min.insync.replicas', value: String(layout.minInsyncReplicas) };
    await admin.createTopics({ topics: [LOCATION_TOPIC], partitions, replicas: layout.replicas, configs: [minIsr] });
    await admin.createTopics({
      topics: [ZONE_STATS_TOPIC],
      partitions: ZONE_STATS_PARTITIONS,
      replicas: layout.replicas,
      configs: [{ name: 'cleanup.policy', value: 'compact' }, minIsr],
    });
  } finally {
    await admin.close();
  }
  return layout;
}
