// ApiVersions (key 18), v0-4. The answer is derived from the handler registry, so what is
// advertised is exactly what is implemented. v3+ carries the client's software name and
// version (KIP-511), which we accept without checking; an unknown request version is answered
// by the dispatcher with a v0 body and UNSUPPORTED_VERSION.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { ApiVersionsRequest } from '../../protocol/generated/api-versions-request.js';
import type { ApiVersionsResponseInput } from '../../protocol/generated/api-versions-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { apiRanges, type ApiRange } from '../../net/api-dispatcher.js';
import { HANDLERS } from './index.js';

export function supportedApiVersions(): ApiRange[] {
  return apiRanges(HANDLERS);
}

export const apiVersionsHandler = defineHandler<ApiVersionsRequest, ApiVersionsResponseInput>({
  apiKey: ApiKey.ApiVersions,
  minVersion: 0,
  maxVersion: 4,
  handle() {
    return { errorCode: ErrorCode.NONE, apiKeys: supportedApiVersions(), throttleTimeMs: 0 };
  },
});
