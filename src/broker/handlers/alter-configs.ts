// IncrementalAlterConfigs (key 44, v0-1) and the older AlterConfigs (key 33, v0-2, which
// replaces a topic's whole override set: unset keys return to their defaults). Topic resources
// only; broker configs are static, so altering one answers INVALID_REQUEST. Each resource is
// validated as a whole before anything commits; validateOnly commits nothing.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { IncrementalAlterConfigsRequest } from '../../protocol/generated/incremental-alter-configs-request.js';
import type { IncrementalAlterConfigsResponseInput } from '../../protocol/generated/incremental-alter-configs-response.js';
import type { AlterConfigsRequest } from '../../protocol/generated/alter-configs-request.js';
import type { AlterConfigsResponseInput } from '../../protocol/generated/alter-configs-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AlterConfigOp } from '../../controller/topic-ops.js';
import { ConfigResourceType } from '../../metadata/records.js';
import type { Broker } from '../broker.js';
import { defineHandler } from './handler.js';

type Op = { name: string; op: number; value: string | null };

/** Forwards one resource's ops to the active controller, which validates and commits them. */
async function alterResource(broker: Broker, resourceType: number, resourceName: string, ops: Op[], validateOnly: boolean) {
  const base = { resourceType, resourceName };
  if (resourceType !== ConfigResourceType.TOPIC) {
    return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'only topic configs can be altered; broker configs are static' };
  }
  const res = await broker.controller.incrementalAlterConfigs({
    resources: [{ resourceType, resourceName, configs: ops.map((o) => ({ name: o.name, configOperation: o.op, value: o.value })) }],
    validateOnly,
  });
  const r = res.responses[0]!;
  if (r.errorCode === ErrorCode.NONE && !validateOnly) broker.logger.info({ topic: resourceName, configs: ops.map((o) => o.name) }, 'topic configs altered');
  return { ...base, errorCode: r.errorCode, errorMessage: r.errorMessage ?? null };
}

export const incrementalAlterConfigsHandler = defineHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponseInput>({
  apiKey: ApiKey.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  async handle(ctx, req) {
    const responses = [];
    for (const r of req.resources) {
      const ops = r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value }));
      responses.push(await alterResource(ctx.broker, r.resourceType, r.resourceName, ops, req.validateOnly));
    }
    return { throttleTimeMs: 0, responses };
  },
});

export const alterConfigsHandler = defineHandler<AlterConfigsRequest, AlterConfigsResponseInput>({
  apiKey: ApiKey.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, req) {
    const { broker } = ctx;
    const responses = [];
    for (const r of req.resources) {
      const given = new Set(r.configs.map((c) => c.name));
      const current = [...(broker.image.topicConfigs.get(r.resourceName)?.keys() ?? [])];
      const ops: Op[] = [
        ...r.configs.map((c) => ({ name: c.name, op: AlterConfigOp.SET, value: c.value })),
        ...current.filter((k) => !given.has(k)).map((name) => ({ name, op: AlterConfigOp.DELETE, value: null })),
      ];
      responses.push(await alterResource(broker, r.resourceType, r.resourceName, ops, req.validateOnly));
    }
    return { throttleTimeMs: 0, responses };
  },
});
