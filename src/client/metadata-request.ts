// Metadata (v1-12), built and read as plain data. v1 is the floor because from v1 a null topic
// list means "all topics"; auto-creation is always off (v4+), since an admin tool only looks.

import { ApiKey } from '../protocol/generated/api-keys.js';
import type { MetadataRequestInput } from '../protocol/generated/metadata-request.js';
import type { MetadataResponse } from '../protocol/generated/metadata-response.js';
import type { VersionRange } from './connection.js';
import type { ClusterMetadata } from './types.js';

export const metadataApi = { apiKey: ApiKey.Metadata, versions: { min: 1, max: 12 } satisfies VersionRange };

/** `topics` null asks for every topic. */
export function buildMetadataRequest(version: number, topics: readonly string[] | null): MetadataRequestInput {
  return {
    topics: topics === null ? null : topics.map((name) => ({ name })),
    ...(version >= 4 ? { allowAutoTopicCreation: false } : {}),
  };
}

export function parseMetadataResponse(response: MetadataResponse): ClusterMetadata {
  return {
    clusterId: response.clusterId,
    controllerId: response.controllerId,
    brokers: response.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
    topics: response.topics
      // From v12 a topic may be named only by id; an admin tool asking by name has no use for it.
      .filter((t) => t.name !== null)
      .map((t) => ({
        name: t.name!,
        topicId: t.topicId,
        isInternal: t.isInternal,
        errorCode: t.errorCode,
        partitions: t.partitions
          .map((p) => ({
            partition: p.partitionIndex,
            leaderId: p.leaderId,
            leaderEpoch: p.leaderEpoch,
            replicaNodes: p.replicaNodes,
            isrNodes: p.isrNodes,
            errorCode: p.errorCode,
          }))
          .sort((a, b) => a.partition - b.partition),
      })),
  };
}
