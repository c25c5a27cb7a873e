// Broker lifecycle decisions on the active controller, as pure functions of the image that
// return Kafka error codes and the records to commit (KRaft's ClusterControlManager and the
// broker half of ReplicationControlManager):
// - registration starts a new incarnation, fenced, with a new broker epoch;
// - a heartbeat unfences a broker once it has caught up to its own registration, fences one that
//   asks, and drives controlled shutdown: leadership moves off the broker (which also leaves the
//   ISRs it is not the last member of), and once it leads nothing another broker could lead it
//   is fenced and told to shut down;
// - fencing (session expiry) and unregistration take the broker out of leadership and ISRs.
// Where one operation emits a broker record and partition changes, the changes are computed as
// if the broker record had applied already. Sessions (who is alive) are the caller's, passed in,
// and so is the broker default for unclean leader election (`uncleanDefault`, false if absent):
// where a departing broker leaves a partition with no eligible ISR member, a topic that allows it
// gets a leader from outside the ISR (partition-election.ts).

import { ErrorCode } from '../protocol/errors.js';
import type { BrokerImage, MetadataImage } from '../metadata/image.js';
import type { BrokerEndpoint, MetadataRecord } from '../metadata/records.js';
import { activeIn, electLeaderless, evacuateBroker, excluding, including, leadsTransferable, type ElectionOptions } from './partition-election.js';

export interface BrokerRegistrationInput {
  brokerId: number;
  clusterId: string;
  incarnationId: string;
  listeners: BrokerEndpoint[];
  rack: string | null;
  /** BrokerRegistrationRequest v3+: the epoch this broker had before a clean shutdown, or -1. */
  previousBrokerEpoch: number;
}

export interface BrokerRegistrationOutcome {
  errorCode: number;
  errorMessage: string | null;
  /** -1 unless registered. */
  brokerEpoch: number;
  records: MetadataRecord[];
}

/**
 * BrokerRegistration. A retry from the registered incarnation gets its epoch back and changes
 * nothing. Another incarnation is refused while the registered one holds a session, which, as in
 * KRaft, only an unfenced broker does: a broker that shut down cleanly (fenced at the end) or
 * never caught up can restart at once. The new epoch is above both the registered one and the
 * one the broker remembers, so a stale incarnation's epoch never matches again.
 */
export function registerBroker(
  image: MetadataImage,
  req: BrokerRegistrationInput,
  ctx: { isAlive(brokerId: number): boolean; uncleanDefault?: boolean },
): BrokerRegistrationOutcome {
  const refuse = (errorCode: number, errorMessage: string): BrokerRegistrationOutcome => ({ errorCode, errorMessage, brokerEpoch: -1, records: [] });
  if (req.clusterId !== image.clusterId) {
    return refuse(ErrorCode.INCONSISTENT_CLUSTER_ID, `expected cluster id ${image.clusterId}, got ${req.clusterId}`);
  }
  const existing = image.brokers.get(req.brokerId);
  if (existing?.incarnationId === req.incarnationId) {
    return { errorCode: ErrorCode.NONE, errorMessage: null, brokerEpoch: existing.brokerEpoch, records: [] };
  }
  if (existing && !existing.fenced && ctx.isAlive(req.brokerId)) {
    return refuse(ErrorCode.DUPLICATE_BROKER_REGISTRATION, `broker ${req.brokerId} is registered by another incarnation that is still alive`);
  }
  const brokerEpoch = Math.max(existing?.brokerEpoch ?? -1, req.previousBrokerEpoch) + 1;
  const records: MetadataRecord[] = [
    {
      type: 'RegisterBroker',
      brokerId: req.brokerId,
      incarnationId: req.incarnationId,
      brokerEpoch,
      endPoints: req.listeners.map((l) => ({ ...l })),
      rack: req.rack,
      fenced: true,
      inControlledShutdown: false,
    },
  ];
  // The old incarnation was serving when it died: what it led moves, and it leaves the ISRs
  // (its log may have lost unflushed data), as for a fence. KRaft does so for an unclean restart.
  if (existing && !existing.fenced) records.push(...evacuateBroker(image, req.brokerId, excluding(activeIn(image), req.brokerId), true, electionOptions(ctx)));
  return { errorCode: ErrorCode.NONE, errorMessage: null, brokerEpoch, records };
}

export interface BrokerHeartbeatInput {
  brokerId: number;
  brokerEpoch: number;
  currentMetadataOffset: number;
  wantFence: boolean;
  wantShutDown: boolean;
}

export interface BrokerHeartbeatOutcome {
  errorCode: number;
  isCaughtUp: boolean;
  isFenced: boolean;
  shouldShutDown: boolean;
  records: MetadataRecord[];
}

/**
 * BrokerHeartbeat. `registrationOffset` is the metadata offset of the broker's RegisterBroker
 * record: a broker is caught up, and may be unfenced, once it has replayed that far. The flags in
 * the answer describe the broker after the returned records apply. Controlled shutdown cannot be
 * cancelled: once marked, every heartbeat of the incarnation continues it.
 */
export function brokerHeartbeat(
  image: MetadataImage,
  req: BrokerHeartbeatInput,
  ctx: { registrationOffset: number; uncleanDefault?: boolean },
): BrokerHeartbeatOutcome {
  const broker = image.brokers.get(req.brokerId);
  const refuse = (errorCode: number): BrokerHeartbeatOutcome => ({ errorCode, isCaughtUp: false, isFenced: true, shouldShutDown: false, records: [] });
  if (!broker) return refuse(ErrorCode.BROKER_ID_NOT_REGISTERED);
  if (broker.brokerEpoch !== req.brokerEpoch) return refuse(ErrorCode.STALE_BROKER_EPOCH);
  const isCaughtUp = req.currentMetadataOffset >= ctx.registrationOffset;
  const answer = (isFenced: boolean, shouldShutDown: boolean, records: MetadataRecord[]): BrokerHeartbeatOutcome => ({
    errorCode: ErrorCode.NONE,
    isCaughtUp,
    isFenced,
    shouldShutDown,
    records,
  });
  if (req.wantShutDown || broker.inControlledShutdown) {
    const step = controlledShutdownStep(image, broker, electionOptions(ctx));
    return answer(step.isFenced, step.shouldShutDown, step.records);
  }
  if (req.wantFence) return answer(true, false, fenceBroker(image, broker.brokerId, electionOptions(ctx)));
  if (broker.fenced && isCaughtUp) {
    const records: MetadataRecord[] = [
      { type: 'UnfenceBroker', brokerId: broker.brokerId, brokerEpoch: broker.brokerEpoch },
      ...electLeaderless(image, broker.brokerId, including(activeIn(image), broker.brokerId), electionOptions(ctx)),
    ];
    return answer(false, false, records);
  }
  return answer(broker.fenced, false, []);
}

/**
 * One heartbeat's worth of controlled shutdown. While the broker leads a partition that another
 * ISR member could lead, it is marked in controlled shutdown and everything moves off it (a
 * partition it alone could lead gets no leader); the next heartbeat finds nothing to hand over,
 * fences it and lets it shut down. A fenced broker leads nothing and may go at once.
 */
function controlledShutdownStep(
  image: MetadataImage,
  broker: BrokerImage,
  options: ElectionOptions,
): { isFenced: boolean; shouldShutDown: boolean; records: MetadataRecord[] } {
  if (broker.fenced) return { isFenced: true, shouldShutDown: true, records: [] };
  const { brokerId, brokerEpoch } = broker;
  const isEligible = excluding(activeIn(image), brokerId);
  const mark = broker.inControlledShutdown ? {} : { inControlledShutdown: true };
  if (!leadsTransferable(image, brokerId, isEligible)) {
    const records: MetadataRecord[] = [
      { type: 'BrokerRegistrationChange', brokerId, brokerEpoch, fenced: true, ...mark },
      ...evacuateBroker(image, brokerId, isEligible, true, options),
    ];
    return { isFenced: true, shouldShutDown: true, records };
  }
  const records: MetadataRecord[] = [];
  if (!broker.inControlledShutdown) records.push({ type: 'BrokerRegistrationChange', brokerId, brokerEpoch, inControlledShutdown: true });
  records.push(...evacuateBroker(image, brokerId, isEligible, true, options));
  return { isFenced: false, shouldShutDown: false, records };
}

/**
 * Fences a broker (its session expired, or it asked): FenceBroker, then it leaves every ISR it
 * is not the last member of and its leaderships move. Nothing for an unknown broker; only the
 * partition clean-up, if any, for one already fenced.
 */
export function fenceBroker(image: MetadataImage, brokerId: number, options?: ElectionOptions): MetadataRecord[] {
  const broker = image.brokers.get(brokerId);
  if (!broker) return [];
  const records: MetadataRecord[] = broker.fenced ? [] : [{ type: 'FenceBroker', brokerId, brokerEpoch: broker.brokerEpoch }];
  records.push(...evacuateBroker(image, brokerId, excluding(activeIn(image), brokerId), true, options));
  return records;
}

/** UnregisterBroker: removes the registration, its leaderships and ISR memberships (KRaft does the same). */
export function unregisterBroker(
  image: MetadataImage,
  brokerId: number,
  options?: ElectionOptions,
): { errorCode: number; errorMessage: string | null; records: MetadataRecord[] } {
  const broker = image.brokers.get(brokerId);
  if (!broker) return { errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED, errorMessage: `broker ${brokerId} is not registered`, records: [] };
  const records: MetadataRecord[] = [
    { type: 'UnregisterBroker', brokerId, brokerEpoch: broker.brokerEpoch },
    ...evacuateBroker(image, brokerId, excluding(activeIn(image), brokerId), true, options),
  ];
  return { errorCode: ErrorCode.NONE, errorMessage: null, records };
}

function electionOptions(ctx: { uncleanDefault?: boolean }): ElectionOptions {
  return { uncleanDefault: ctx.uncleanDefault ?? false };
}
