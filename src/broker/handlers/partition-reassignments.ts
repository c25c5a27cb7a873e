// AlterPartitionReassignments (key 45) and ListPartitionReassignments (key 46), v0 (KIP-455):
// move a partition's replicas to a new set, or cancel a move (null replicas); list the moves in
// progress. The active controller adds the new replicas, waits until they are in the ISR, then
// drops the old ones; brokers only forward.

import { ApiKey } from '../../protocol/generated/api-keys.js';
import type { AlterPartitionReassignmentsRequest } from '../../protocol/generated/alter-partition-reassignments-request.js';
import type { AlterPartitionReassignmentsResponseInput } from '../../protocol/generated/alter-partition-reassignments-response.js';
import type { ListPartitionReassignmentsRequest } from '../../protocol/generated/list-partition-reassignments-request.js';
import type { ListPartitionReassignmentsResponseInput } from '../../protocol/generated/list-partition-reassignments-response.js';
import { defineHandler } from './handler.js';

export const alterPartitionReassignmentsHandler = defineHandler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponseInput>({
  apiKey: ApiKey.AlterPartitionReassignments,
  minVersion: 0,
  maxVersion: 0,
  handle: (ctx, req) => ctx.broker.controller.alterPartitionReassignments(req),
});

export const listPartitionReassignmentsHandler = defineHandler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponseInput>({
  apiKey: ApiKey.ListPartitionReassignments,
  minVersion: 0,
  maxVersion: 0,
  handle: (ctx, req) => ctx.broker.controller.listPartitionReassignments(req),
});
