// The broker listeners' dispatcher: the broker handler registry over the shared API dispatcher.

import type { Dispatcher } from '../net/connection.js';
import { createApiDispatcher } from '../net/api-dispatcher.js';
import type { Broker } from './broker.js';
import { HANDLERS } from './handlers/index.js';

export function createDispatcher(broker: Broker): Dispatcher {
  return createApiDispatcher(HANDLERS, (rc) => ({ ...rc, broker, nowMs: Date.now() }), broker.metrics);
}
