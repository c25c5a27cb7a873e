// Routes decoded requests to the handler registered for their API key, and encodes replies.
// The registry is the single source of the advertised API ranges: ApiVersions answers from it,
// and a request outside a handler's range is refused here. Two rules follow Kafka exactly:
// - ApiVersions with a version we do not know gets a v0 body with UNSUPPORTED_VERSION and the
//   supported ranges (KIP-511), so a newer client can retry with one we do;
// - any other unknown API key or version closes the connection (Kafka has no error response
//   for a request it cannot parse).

import type { Dispatcher, Reply, RequestContext } from '../net/connection.js';
import type { Reader } from '../protocol/reader.js';
import type { Writer } from '../protocol/writer.js';
import { API_MESSAGES, ApiKey, requestHeaderVersion, responseHeaderVersion } from '../protocol/generated/api-keys.js';
import { writeApiVersionsResponse } from '../protocol/generated/api-versions-response.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Broker } from './broker.js';
import { HANDLERS, type ApiHandler } from './handlers/index.js';
import { supportedApiVersions } from './handlers/api-versions.js';

export function createDispatcher(broker: Broker): Dispatcher {
  const handlers: (ApiHandler | undefined)[] = [];
  for (const h of HANDLERS) handlers[h.apiKey] = h;

  return {
    requestHeaderVersion(apiKey, apiVersion) {
      const h = handlers[apiKey];
      if (!h || !API_MESSAGES[apiKey]) return { reject: `unknown api key ${apiKey}` };
      if (apiVersion >= h.minVersion && apiVersion <= h.maxVersion) return requestHeaderVersion(apiKey, apiVersion);
      if (apiKey === ApiKey.ApiVersions && apiVersion > h.maxVersion) return 2; // KIP-511: newer clients send header v2
      return { reject: `unsupported version ${apiVersion} of api key ${apiKey}` };
    },

    dispatch(ctx: RequestContext, body: Reader) {
      const h = handlers[ctx.apiKey]!;
      if (ctx.apiKey === ApiKey.ApiVersions && ctx.apiVersion > h.maxVersion) return unsupportedApiVersions();
      const messages = API_MESSAGES[ctx.apiKey]!;
      const request = messages.readRequest(body, ctx.apiVersion);
      const result = h.handle({ ...ctx, broker, nowMs: Date.now() }, request);
      const headerVersion = responseHeaderVersion(ctx.apiKey, ctx.apiVersion);
      const toReply = (response: object | null): Reply | null =>
        response === null ? null : { headerVersion, writeBody: (w: Writer) => messages.writeResponse(w, ctx.apiVersion, response as never) };
      return result instanceof Promise ? result.then(toReply) : toReply(result);
    },
  };
}

function unsupportedApiVersions(): Reply {
  return {
    headerVersion: 0,
    writeBody: (w) => writeApiVersionsResponse(w, 0, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: supportedApiVersions() }),
  };
}
