// The broker listeners' dispatcher: the broker handler registry over the shared API dispatcher.

import type { Dispatcher, RequestContext } from '../net/connection.js';
import { createApiDispatcher } from '../net/api-dispatcher.js';
import type { Broker } from './broker.js';
import type { HandlerContext } from './handlers/handler.js';
import { HANDLERS } from './handlers/index.js';

export function createDispatcher(broker: Broker): Dispatcher {
  return createApiDispatcher(HANDLERS, (rc) => handlerContext(rc, broker), broker.metrics);
}

/**
 * Spelled out rather than `{ ...rc, broker, nowMs }`: V8 gives an object spread followed by new
 * keys a fresh map each time (about 1 µs per added key), and this runs for every request.
 */
function handlerContext(rc: RequestContext, broker: Broker): HandlerContext {
  return {
    apiKey: rc.apiKey,
    apiVersion: rc.apiVersion,
    correlationId: rc.correlationId,
    clientId: rc.clientId,
    clientHost: rc.clientHost,
    connectionId: rc.connectionId,
    listenerName: rc.listenerName,
    broker,
    nowMs: Date.now(),
  };
}
