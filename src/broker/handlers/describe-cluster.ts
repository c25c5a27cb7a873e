// DescribeCluster (key 60), v0-1, served from the metadata image. v1 adds the endpoint type
// (1 = brokers, 2 = controllers, KIP-919); controller endpoints are not exposed yet, so a
// request for them gets UNSUPPORTED_ENDPOINT_TYPE.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { DescribeClusterRequest } from '../../protocol/generated/describe-cluster-request.js';
import type { DescribeClusterResponseInput } from '../../protocol/generated/describe-cluster-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';

const ENDPOINT_TYPE_BROKER = 1;

export const describeClusterHandler = defineHandler<DescribeClusterRequest, DescribeClusterResponseInput>({
  apiKey: ApiKey.DescribeCluster,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req) {
    const { broker } = ctx;
    const base = { throttleTimeMs: 0, endpointType: req.endpointType, clusterId: broker.image.clusterId, controllerId: broker.controllerIdForClients() };
    if (req.endpointType !== ENDPOINT_TYPE_BROKER) {
      return { ...base, errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: 'only broker endpoints are described', brokers: [] };
    }
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      brokers: broker.image.liveBrokers().flatMap((b) => {
        const ep = b.endPoints.find((e) => e.name === ctx.listenerName) ?? b.endPoints[0];
        return ep ? [{ brokerId: b.brokerId, host: ep.host, port: ep.port, rack: b.rack }] : [];
      }),
      clusterAuthorizedOperations: -2147483648,
    };
  },
});
