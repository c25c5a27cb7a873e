// DescribeConfigs (v1-4) and IncrementalAlterConfigs (v0-1, KIP-339) for topic and broker
// resources. A described entry keeps Kafka's config source, so a caller can tell a topic
// override (DYNAMIC_TOPIC_CONFIG) from a broker-wide or built-in default, which is how
// kafka-topics --describe picks the configs worth showing.

import { ApiKey } from '../protocol/generated/api-keys.js';
import type { DescribeConfigsRequestInput } from '../protocol/generated/describe-configs-request.js';
import type { DescribeConfigsResponse } from '../protocol/generated/describe-configs-response.js';
import type { IncrementalAlterConfigsRequestInput } from '../protocol/generated/incremental-alter-configs-request.js';
import type { IncrementalAlterConfigsResponse } from '../protocol/generated/incremental-alter-configs-response.js';
import { ErrorCode } from '../protocol/errors.js';
import type { VersionRange } from './connection.js';
import { kafkaErrorFor } from './errors.js';
import type { ConfigEntry, ConfigOp } from './types.js';

export const configApis = {
  describeConfigs: { apiKey: ApiKey.DescribeConfigs, versions: { min: 1, max: 4 } satisfies VersionRange },
  incrementalAlterConfigs: { apiKey: ApiKey.IncrementalAlterConfigs, versions: { min: 0, max: 1 } satisfies VersionRange },
};

/** Kafka's ConfigResource.Type codes. */
export const ConfigResource = { TOPIC: 2, BROKER: 4 } as const;

/** Kafka's ConfigEntry.ConfigSource codes, by name. */
const CONFIG_SOURCES: Record<number, string> = {
  0: 'UNKNOWN',
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
  7: 'CLIENT_METRICS_CONFIG',
  8: 'GROUP_CONFIG',
};

const OP_CODES: Record<ConfigOp['op'], number> = { set: 0, delete: 1, append: 2, subtract: 3 };

export function buildDescribeConfigsRequest(resourceType: number, resourceName: string): DescribeConfigsRequestInput {
  return { resources: [{ resourceType, resourceName, configurationKeys: null }], includeSynonyms: false };
}

export function parseDescribeConfigsResponse(response: DescribeConfigsResponse, resourceName: string): ConfigEntry[] | Error {
  const result = response.results.find((r) => r.resourceName === resourceName);
  if (result === undefined) return kafkaErrorFor(ErrorCode.UNKNOWN_SERVER_ERROR, `DescribeConfigs(${resourceName})`, 'the broker did not answer for it');
  if (result.errorCode !== ErrorCode.NONE) return kafkaErrorFor(result.errorCode, `DescribeConfigs(${resourceName})`, result.errorMessage);
  return result.configs
    .map((c) => ({
      name: c.name,
      value: c.value,
      source: CONFIG_SOURCES[c.configSource] ?? 'UNKNOWN',
      isReadOnly: c.readOnly,
      isSensitive: c.isSensitive,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function buildIncrementalAlterConfigsRequest(resourceType: number, resourceName: string, ops: readonly ConfigOp[]): IncrementalAlterConfigsRequestInput {
  return {
    resources: [{
      resourceType,
      resourceName,
      configs: ops.map((o) => ({ name: o.name, configOperation: OP_CODES[o.op], value: o.op === 'delete' ? null : (o.value ?? null) })),
    }],
    validateOnly: false,
  };
}

export function parseIncrementalAlterConfigsResponse(response: IncrementalAlterConfigsResponse, resourceName: string): Error | null {
  const result = response.responses.find((r) => r.resourceName === resourceName);
  if (result === undefined) return kafkaErrorFor(ErrorCode.UNKNOWN_SERVER_ERROR, `IncrementalAlterConfigs(${resourceName})`, 'the broker did not answer for it');
  return result.errorCode === ErrorCode.NONE ? null : kafkaErrorFor(result.errorCode, `IncrementalAlterConfigs(${resourceName})`, result.errorMessage);
}
