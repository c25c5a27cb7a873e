// One service's Kafka consumer: a classic-protocol group member of its own group, reading
// delivery-location-updates from the committed offsets (earliest when the group has none).
// Services either let the client autocommit what it has fetched (in-memory views, where a replay
// after a crash is harmless) or commit explicitly after their own durable work (db-writer).

import { Consumer, stringDeserializers, type Message, type MessagesStream } from '@platformatic/kafka';
import type { ChildConfig } from './config.js';
import { LOCATION_TOPIC, groupIdFor, type ServiceName } from './types.js';

export type LocationMessage = Message<string, string, string, string>;

export interface ServiceConsumer {
  consumer: Consumer<string, string, string, string>;
  stream: MessagesStream<string, string, string, string>;
  /** The partitions of delivery-location-updates this member holds now. */
  partitions(): number[];
  close(): Promise<void>;
}

/** Autocommit interval for services whose state is in memory. */
const AUTOCOMMIT_INTERVAL_MS = 500;

export async function startServiceConsumer(config: ChildConfig, service: ServiceName, isAutocommit: boolean): Promise<ServiceConsumer> {
  const consumer = new Consumer({
    clientId: `demo-gps-${service}`,
    bootstrapBrokers: [config.bootstrap],
    groupId: groupIdFor(service, config.runId),
    deserializers: stringDeserializers,
    // Kafka's smallest allowed session (group.min.session.timeout.ms): a killed member's
    // partitions move to its replacement within seconds.
    sessionTimeout: 6_000,
    heartbeatInterval: 500,
    rebalanceTimeout: 15_000,
    retries: 10,
    retryDelay: 200,
  });
  const stream = await consumer.consume({
    topics: [LOCATION_TOPIC],
    mode: 'committed',
    fallbackMode: 'earliest',
    autocommit: isAutocommit ? AUTOCOMMIT_INTERVAL_MS : false,
    maxWaitTime: 200,
    maxBytes: 8 * 1024 * 1024,
  });
  return {
    consumer,
    stream,
    partitions: () => [...(consumer.assignments?.find((a) => a.topic === LOCATION_TOPIC)?.partitions ?? [])].sort((a, b) => a - b),
    async close() {
      await stream.close();
      await consumer.close();
    },
  };
}
