// Routes decoded requests to the handler registered for their API key, and encodes replies. A
// registry (the broker's, or the controller listener's) is the single source of what a listener
// advertises: ApiVersions answers from it, and a request outside a handler's range is refused
// here. Two rules follow Kafka exactly:
// - ApiVersions with a version we do not know gets a v0 body with UNSUPPORTED_VERSION and the
//   supported ranges (KIP-511), so a newer client can retry with one we do;
// - any other unknown API key or version closes the connection (Kafka has no error response
//   for a request it cannot parse).

import type { Dispatcher, Reply, RequestContext } from './connection.js';
import type { Reader } from '../protocol/reader.js';
import type { Writer } from '../protocol/writer.js';
import { API_MESSAGES, ApiKey, requestHeaderVersion, responseHeaderVersion } from '../protocol/generated/api-keys.js';
import { writeApiVersionsResponse } from '../protocol/generated/api-versions-response.js';
import { ErrorCode } from '../protocol/errors.js';

export interface ApiHandlerOf<Ctx, Req = any, Res = any> {
  apiKey: number;
  /** Lowest version advertised and accepted (a handler may still refuse some, e.g. Produce 0-2). */
  minVersion: number;
  maxVersion: number;
  handle(ctx: Ctx, request: Req): Res | null | Promise<Res | null>;
}

export interface ApiRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export function apiRanges(handlers: readonly ApiRange[]): ApiRange[] {
  return handlers.map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion })).sort((a, b) => a.apiKey - b.apiKey);
}

/** Told of every dispatched request once its reply is ready (or it failed): its time in the handler. */
export interface RequestObserver {
  requestDone(apiKey: number, elapsedMs: number, isError: boolean): void;
}

export function createApiDispatcher<Ctx>(
  handlerList: readonly ApiHandlerOf<Ctx>[],
  context: (rc: RequestContext) => Ctx,
  observer: RequestObserver | null = null,
): Dispatcher {
  const handlers: (ApiHandlerOf<Ctx> | undefined)[] = [];
  for (const h of handlerList) handlers[h.apiKey] = h;

  return {
    requestHeaderVersion(apiKey, apiVersion) {
      const h = handlers[apiKey];
      if (!h || !API_MESSAGES[apiKey]) return { reject: `unknown api key ${apiKey}` };
      if (apiVersion >= h.minVersion && apiVersion <= h.maxVersion) return requestHeaderVersion(apiKey, apiVersion);
      if (apiKey === ApiKey.ApiVersions && apiVersion > h.maxVersion) return 2; // KIP-511: newer clients send header v2
      return { reject: `unsupported version ${apiVersion} of api key ${apiKey}` };
    },

    dispatch(rc: RequestContext, body: Reader) {
      const h = handlers[rc.apiKey]!;
      if (rc.apiKey === ApiKey.ApiVersions && rc.apiVersion > h.maxVersion) return unsupportedApiVersions(handlerList);
      const messages = API_MESSAGES[rc.apiKey]!;
      const startedMs = observer === null ? 0 : performance.now();
      const request = messages.readRequest(body, rc.apiVersion);
      const headerVersion = responseHeaderVersion(rc.apiKey, rc.apiVersion);
      const toReply = (response: object | null): Reply | null => {
        observer?.requestDone(rc.apiKey, performance.now() - startedMs, false);
        return response === null ? null : { headerVersion, writeBody: (w: Writer) => messages.writeResponse(w, rc.apiVersion, response as never) };
      };
      const failed = (err: unknown): never => {
        observer?.requestDone(rc.apiKey, performance.now() - startedMs, true);
        throw err;
      };
      let result;
      try {
        result = h.handle(context(rc), request);
      } catch (err) {
        return failed(err);
      }
      return result instanceof Promise ? result.then(toReply, failed) : toReply(result);
    },
  };
}

function unsupportedApiVersions(handlers: readonly ApiRange[]): Reply {
  return {
    headerVersion: 0,
    writeBody: (w) => writeApiVersionsResponse(w, 0, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: apiRanges(handlers) }),
  };
}
