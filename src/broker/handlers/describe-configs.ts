// DescribeConfigs (key 32), v1-4 (Kafka 4.0's floor is 1). Topic resources (type 2) and this
// broker (type 4, named by its node id). v1+ include synonyms on request, v3+ the type and
// documentation. Broker configs are static (read-only) until dynamic broker configs exist.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { DescribeConfigsRequest } from '../../protocol/generated/describe-configs-request.js';
import type { DescribeConfigsResponseInput } from '../../protocol/generated/describe-configs-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ConfigResourceType } from '../../metadata/records.js';
import { describeBrokerConfigs, describeTopicConfigs, type ConfigEntryView } from './config-view.js';
import { defineHandler } from './handler.js';

export const describeConfigsHandler = defineHandler<DescribeConfigsRequest, DescribeConfigsResponseInput>({
  apiKey: ApiKey.DescribeConfigs,
  minVersion: 1,
  maxVersion: 4,
  handle(ctx, req) {
    const { broker } = ctx;
    const results = req.resources.map((res) => {
      const base = { resourceType: res.resourceType, resourceName: res.resourceName };
      let entries: ConfigEntryView[];
      if (res.resourceType === ConfigResourceType.TOPIC) {
        if (!broker.image.topicsByName.has(res.resourceName)) {
          return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic ${res.resourceName} does not exist`, configs: [] };
        }
        entries = describeTopicConfigs(broker, res.resourceName);
      } else if (res.resourceType === ConfigResourceType.BROKER) {
        if (res.resourceName !== '' && res.resourceName !== String(broker.nodeId)) {
          return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `this is broker ${broker.nodeId}, not ${res.resourceName}`, configs: [] };
        }
        entries = describeBrokerConfigs(broker);
      } else {
        return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `resource type ${res.resourceType} is not supported`, configs: [] };
      }
      const keys = res.configurationKeys;
      return {
        ...base,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        configs: entries
          .filter((e) => keys === null || keys.length === 0 || keys.includes(e.name))
          .map((e) => ({
            name: e.name,
            value: e.value,
            readOnly: e.readOnly,
            isDefault: ctx.apiVersion === 0 ? e.isDefault : false, // v0 only; v1+ say configSource
            configSource: e.configSource,
            isSensitive: e.isSensitive,
            synonyms: req.includeSynonyms ? e.synonyms : [],
            configType: e.configType,
            documentation: req.includeDocumentation ? e.documentation : null,
          })),
      };
    });
    return { throttleTimeMs: 0, results };
  },
});
