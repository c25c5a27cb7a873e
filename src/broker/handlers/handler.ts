// The shape of a request handler: one per API key, with the version range it implements. A
// handler decodes nothing and encodes nothing itself; it maps a request object to a response
// object (or null when no response is sent, as for acks=0 produce).

import type { RequestContext } from '../../net/connection.js';
import type { Broker } from '../broker.js';
import type { ApiHandlerOf } from '../../net/api-dispatcher.js';

export interface HandlerContext extends RequestContext {
  broker: Broker;
  nowMs: number;
}

export type ApiHandler<Req = any, Res = any> = ApiHandlerOf<HandlerContext, Req, Res>;

export function defineHandler<Req, Res>(h: ApiHandler<Req, Res>): ApiHandler<Req, Res> {
  return h;
}
