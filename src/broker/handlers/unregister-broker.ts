// UnregisterBroker (key 64), v0 (`kafka-cluster unregister`): removes a decommissioned broker's
// registration (stop it first and move its replicas away; a running broker would just register
// again with its next heartbeat). Forwarded to the active controller: the broker leaves every
// ISR and leads nothing.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { UnregisterBrokerRequest } from '../../protocol/generated/unregister-broker-request.js';
import type { UnregisterBrokerResponseInput } from '../../protocol/generated/unregister-broker-response.js';
import { defineHandler } from './handler.js';

export const unregisterBrokerHandler = defineHandler<UnregisterBrokerRequest, UnregisterBrokerResponseInput>({
  apiKey: ApiKey.UnregisterBroker,
  minVersion: 0,
  maxVersion: 0,
  handle: (ctx, req) => ctx.broker.controller.unregisterBroker(req),
});
