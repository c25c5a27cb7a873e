// FindCoordinator (key 10), v0-6. v0-3 ask for one key, v4+ for a batch (KIP-699), which
// @platformatic/kafka needs. Group keys (type 0) map to the leader of the group's
// __consumer_offsets partition, created on first use as Kafka does. Transaction keys (type 1)
// get COORDINATOR_NOT_AVAILABLE until the transaction coordinator exists; share keys (2) are
// not supported.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { FindCoordinatorRequest } from '../../protocol/generated/find-coordinator-request.js';
import type { FindCoordinatorResponseInput } from '../../protocol/generated/find-coordinator-response.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import type { Broker } from '../broker.js';
import { defineHandler, type HandlerContext } from './handler.js';

const KEY_TYPE_GROUP = 0;

export const findCoordinatorHandler = defineHandler<FindCoordinatorRequest, FindCoordinatorResponseInput>({
  apiKey: ApiKey.FindCoordinator,
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx, req) {
    if (ctx.apiVersion >= 4) {
      const coordinators = await Promise.all(req.coordinatorKeys.map(async (key) => ({ key, ...(await locate(ctx, key, req.keyType)) })));
      return { throttleTimeMs: 0, coordinators };
    }
    const found = await locate(ctx, req.key, req.keyType);
    return { throttleTimeMs: 0, ...found, errorMessage: ctx.apiVersion >= 1 ? found.errorMessage : undefined };
  },
});

async function locate(ctx: HandlerContext, key: string, keyType: number) {
  const miss = (errorCode: number) => ({ errorCode, errorMessage: errorInfo(errorCode).message, nodeId: -1, host: '', port: -1 });
  if (keyType !== KEY_TYPE_GROUP) return miss(keyType === 1 ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.INVALID_REQUEST);
  const found = await ctx.broker.groups.findCoordinator(key);
  if (found.errorCode !== ErrorCode.NONE) return miss(found.errorCode);
  const endpoint = brokerEndpoint(ctx.broker, found.nodeId, ctx.listenerName);
  return endpoint ? { errorCode: ErrorCode.NONE, errorMessage: null, nodeId: found.nodeId, ...endpoint } : miss(ErrorCode.COORDINATOR_NOT_AVAILABLE);
}

export function brokerEndpoint(broker: Broker, nodeId: number, listenerName: string): { host: string; port: number } | undefined {
  const b = broker.image.brokers.get(nodeId);
  const ep = b?.endPoints.find((e) => e.name === listenerName) ?? b?.endPoints[0];
  return ep ? { host: ep.host, port: ep.port } : undefined;
}
