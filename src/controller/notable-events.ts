// The log lines an operator looks for when the cluster's shape changes, read off the metadata
// records the controller is about to commit: a topic created or deleted, a broker fenced or
// unfenced. The controller logs them once the records are committed, so each event is one info
// line on the active controller (brokers log only what happens to themselves). Pure: it needs the
// image before the records (a deleted topic's name is only there).

import type { MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';

export interface NotableEvent {
  fields: Record<string, unknown>;
  msg: 'topic created' | 'topic deleted' | 'broker fenced' | 'broker unfenced';
}

export function notableEvents(before: MetadataImage, records: readonly MetadataRecord[]): NotableEvent[] {
  const events: NotableEvent[] = [];
  for (const r of records) {
    switch (r.type) {
      case 'Topic': {
        const partitions = records.filter((p) => p.type === 'Partition' && p.topicId === r.topicId);
        const first = partitions[0];
        const replicationFactor = first?.type === 'Partition' ? first.replicas.length : 0;
        events.push({ fields: { topic: r.name, topicId: r.topicId, partitions: partitions.length, replicationFactor }, msg: 'topic created' });
        break;
      }
      case 'RemoveTopic':
        events.push({ fields: { topic: before.topicsById.get(r.topicId)?.name ?? null, topicId: r.topicId }, msg: 'topic deleted' });
        break;
      case 'FenceBroker':
        events.push({ fields: { brokerId: r.brokerId, brokerEpoch: r.brokerEpoch }, msg: 'broker fenced' });
        break;
      case 'UnfenceBroker':
        events.push({ fields: { brokerId: r.brokerId, brokerEpoch: r.brokerEpoch }, msg: 'broker unfenced' });
        break;
      case 'BrokerRegistrationChange':
        // Controlled shutdown fences through this record rather than FenceBroker.
        if (r.fenced === undefined || before.brokers.get(r.brokerId)?.fenced === r.fenced) break;
        events.push({
          fields: { brokerId: r.brokerId, brokerEpoch: r.brokerEpoch, ...(r.inControlledShutdown === true ? { inControlledShutdown: true } : {}) },
          msg: r.fenced ? 'broker fenced' : 'broker unfenced',
        });
        break;
      default:
        break;
    }
  }
  return events;
}
