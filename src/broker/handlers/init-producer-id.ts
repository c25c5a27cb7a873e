// InitProducerId (key 22), v0-5. Idempotent producers (no transactional id) get a fresh
// producer id at epoch 0 from a block reserved in the metadata log, so ids are never reused
// across restarts. v3+ let a producer re-initialise with its current id and epoch (KIP-360):
// it keeps the id and gets the epoch bumped. Transactional ids need the transaction
// coordinator, which does not exist yet: those requests are refused.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { InitProducerIdRequest } from '../../protocol/generated/init-producer-id-request.js';
import type { InitProducerIdResponseInput } from '../../protocol/generated/init-producer-id-response.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';

const PRODUCER_EPOCH_MAX = 32767;

export const initProducerIdHandler = defineHandler<InitProducerIdRequest, InitProducerIdResponseInput>({
  apiKey: ApiKey.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, req) {
    if (req.transactionalId !== null) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 };
    }
    if (req.producerId >= 0 && req.producerEpoch >= 0 && req.producerEpoch < PRODUCER_EPOCH_MAX - 1) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: req.producerId, producerEpoch: req.producerEpoch + 1 };
    }
    let producerId: number;
    try {
      producerId = await ctx.broker.allocateProducerId();
    } catch (err) {
      if (!(err instanceof KafkaError)) throw err;
      return { throttleTimeMs: 0, errorCode: err.code, producerId: -1, producerEpoch: -1 };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  },
});
