// Tideline's public API for Node programs: an embedded broker and the configuration types.

export { startBroker, type EmbeddedBroker, type EmbeddedBrokerOptions } from './embedded.js';
export { BrokerConfig } from './config/broker-config.js';
export { TidelineError, ConfigError, TidelineErrorCode } from './common/errors.js';
