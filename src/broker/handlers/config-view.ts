// How configs are shown to clients (DescribeConfigs, CreateTopics v5+): effective value,
// where it comes from (Kafka's ConfigSource codes), its type, synonyms in precedence order and
// a short description. A topic's value comes from its override, else the broker's synonym,
// else Kafka's default.

import type { ConfigDef } from '../../config/config-def.js';
import { BROKER_CONFIGS } from '../../config/broker-config.js';
import { TOPIC_CONFIGS } from '../../config/topic-config.js';
import type { Broker } from '../broker.js';

export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

const CONFIG_TYPE: Record<ConfigDef['type'], number> = { boolean: 1, string: 2, int: 3, short: 4, long: 5, double: 6, list: 7, password: 9 };

export interface ConfigEntryView {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: { name: string; value: string | null; source: number }[];
  configType: number;
  documentation: string | null;
}

/** `pending` shows overrides about to be created (CreateTopics) instead of the image's. */
export function describeTopicConfigs(broker: Broker, topic: string, pending?: Map<string, string | null>): ConfigEntryView[] {
  const overrides = pending ?? broker.image.topicConfigs.get(topic) ?? new Map<string, string | null>();
  return TOPIC_CONFIGS.map((def) => {
    const brokerLevel = broker.config.topicDefault(def.name);
    const synonyms: ConfigEntryView['synonyms'] = [];
    const override = overrides.get(def.name);
    if (override !== undefined && override !== null) synonyms.push({ name: def.name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    if (brokerLevel.isExplicit && brokerLevel.synonym) synonyms.push({ name: brokerLevel.synonym, value: brokerLevel.value, source: ConfigSource.STATIC_BROKER_CONFIG });
    synonyms.push({ name: brokerLevel.synonym ?? def.name, value: def.defaultValue, source: ConfigSource.DEFAULT_CONFIG });
    const top = synonyms[0]!;
    return {
      name: def.name,
      value: top.value,
      readOnly: false,
      isDefault: top.source === ConfigSource.DEFAULT_CONFIG,
      configSource: top.source,
      isSensitive: def.type === 'password',
      synonyms,
      configType: CONFIG_TYPE[def.type],
      documentation: def.doc,
    };
  });
}

export function describeBrokerConfigs(broker: Broker): ConfigEntryView[] {
  return BROKER_CONFIGS.map((def) => {
    const explicit = broker.config.explicit.get(def.name);
    const source = explicit !== undefined ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
    const value = explicit ?? def.defaultValue;
    return {
      name: def.name,
      value: def.type === 'password' ? null : value,
      readOnly: true,
      isDefault: explicit === undefined,
      configSource: source,
      isSensitive: def.type === 'password',
      synonyms: [{ name: def.name, value, source }],
      configType: CONFIG_TYPE[def.type],
      documentation: def.doc,
    };
  });
}
