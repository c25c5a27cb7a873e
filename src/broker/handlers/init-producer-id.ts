// InitProducerId (key 22), v0-5. Idempotent producers (no transactional id) always get a fresh
// producer id at epoch 0 from a block reserved in the metadata log, so ids are never reused
// across restarts, whatever producerId and producerEpoch the request carries: Kafka's
// coordinator "blindly accepts" a request without a transactional id and hands out a new id.
// The v3+ fields (KIP-360) only let a *transactional* producer keep its id with a bumped epoch.
// Some clients send 0/0 rather than -1/-1 there (@platformatic/kafka 1.35 does), and answering
// those with the same id would give every such producer id 0, mixing their sequence numbers.
// Transactional ids need the transaction coordinator, which does not exist yet: those requests
// are refused.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { InitProducerIdRequest } from '../../protocol/generated/init-producer-id-request.js';
import type { InitProducerIdResponseInput } from '../../protocol/generated/init-producer-id-response.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';

export const initProducerIdHandler = defineHandler<InitProducerIdRequest, InitProducerIdResponseInput>({
  apiKey: ApiKey.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, req) {
    if (req.transactionalId !== null) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 };
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
