// The controller shell on every controller node: it answers the controller APIs while this node
// is the active controller (the metadata quorum's leader, caught up to its epoch) and throws
// NotControllerError otherwise. Every decision is a pure function of the image (topic-ops,
// broker-ops, alter-partition); this class only serialises them (one operation decides and commits
// before the next one looks at the image, so two requests never decide from the same stale
// state), keeps the in-memory broker sessions, fences brokers whose session expired, finishes
// partition reassignments whose new replicas caught up, and (auto.leader.rebalance.enable) hands
// leadership back to preferred replicas.

import type { Logger } from '../common/logger.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { MetadataImage } from '../metadata/image.js';
import { NotControllerError, type RaftMetadataQuorum } from '../metadata/metadata-quorum.js';
import { ConfigResourceType, type MetadataRecord } from '../metadata/records.js';
import { ErrorCode } from '../protocol/errors.js';
import type { AllocateProducerIdsRequest, } from '../protocol/generated/allocate-producer-ids-request.js';
import type { AllocateProducerIdsResponse } from '../protocol/generated/allocate-producer-ids-response.js';
import type { AlterPartitionRequest } from '../protocol/generated/alter-partition-request.js';
import type { AlterPartitionResponse } from '../protocol/generated/alter-partition-response.js';
import type { BrokerHeartbeatRequest } from '../protocol/generated/broker-heartbeat-request.js';
import type { BrokerHeartbeatResponse } from '../protocol/generated/broker-heartbeat-response.js';
import type { BrokerRegistrationRequest } from '../protocol/generated/broker-registration-request.js';
import type { BrokerRegistrationResponse } from '../protocol/generated/broker-registration-response.js';
import type { CreatePartitionsRequest } from '../protocol/generated/create-partitions-request.js';
import type { CreatePartitionsResponse } from '../protocol/generated/create-partitions-response.js';
import type { CreateTopicsRequest } from '../protocol/generated/create-topics-request.js';
import type { CreateTopicsResponse } from '../protocol/generated/create-topics-response.js';
import type { DeleteTopicsRequest } from '../protocol/generated/delete-topics-request.js';
import type { DeleteTopicsResponse } from '../protocol/generated/delete-topics-response.js';
import type { DescribeQuorumResponse } from '../protocol/generated/describe-quorum-response.js';
import type { IncrementalAlterConfigsRequest } from '../protocol/generated/incremental-alter-configs-request.js';
import type { IncrementalAlterConfigsResponse } from '../protocol/generated/incremental-alter-configs-response.js';
import type { UnregisterBrokerRequest } from '../protocol/generated/unregister-broker-request.js';
import type { UnregisterBrokerResponse } from '../protocol/generated/unregister-broker-response.js';
import { ZERO_UUID, randomUuid } from '../protocol/reader.js';
import { randomInt } from 'node:crypto';
import { alterPartition } from './alter-partition.js';
import type { ControllerApi } from './api.js';
import { BrokerLiveness } from './broker-liveness.js';
import { brokerHeartbeat, fenceBroker, registerBroker, unregisterBroker } from './broker-ops.js';
import { notableEvents } from './notable-events.js';
import { alterTopicConfigs, createPartitions, createTopics, deleteTopics, type ControllerEnv } from './topic-ops.js';
import { describeQuorumResponse } from './server/describe-quorum.js';
import { electLeaders, electUncleanLeaders } from './elect-leaders.js';
import { imbalancedBrokers, leaderImbalance } from './leader-balance.js';
import { preferredLeaderElection, type ElectionOptions } from './partition-election.js';
import { alterPartitionReassignments, completeReassignments, listPartitionReassignments } from './reassignment.js';
import type { ElectLeadersRequest } from '../protocol/generated/elect-leaders-request.js';
import type { ElectLeadersResponse } from '../protocol/generated/elect-leaders-response.js';
import type { AlterPartitionReassignmentsRequest } from '../protocol/generated/alter-partition-reassignments-request.js';
import type { AlterPartitionReassignmentsResponse } from '../protocol/generated/alter-partition-reassignments-response.js';
import type { ListPartitionReassignmentsRequest } from '../protocol/generated/list-partition-reassignments-request.js';
import type { ListPartitionReassignmentsResponse } from '../protocol/generated/list-partition-reassignments-response.js';

const PRODUCER_ID_BLOCK_SIZE = 1000;
const SESSION_CHECK_INTERVAL_MS = 100;

interface Decision<T> {
  result: T;
  records: MetadataRecord[];
}

export class Controller implements ControllerApi {
  private queue: Promise<unknown> = Promise.resolve();
  private wasActive = false;
  private readonly liveness: BrokerLiveness;
  private timer: NodeJS.Timeout | null = null;
  private rebalanceTimer: NodeJS.Timeout | null = null;
  private readonly fencing = new Set<number>();

  constructor(
    private readonly quorum: RaftMetadataQuorum,
    private readonly config: BrokerConfig,
    private readonly logger: Logger,
    /** The incarnation id of this process's broker, when it has the broker role. */
    private readonly localIncarnationId: () => string | null = () => null,
    private readonly now: () => number = Date.now,
  ) {
    this.liveness = new BrokerLiveness(config.num('broker.session.timeout.ms'));
  }

  start(): void {
    this.timer = setInterval(() => this.checkSessions(), SESSION_CHECK_INTERVAL_MS);
    this.timer.unref();
    if (this.config.bool('auto.leader.rebalance.enable')) {
      this.rebalanceTimer = setInterval(() => this.rebalanceLeaders(), this.config.num('leader.imbalance.check.interval.seconds') * 1000);
      this.rebalanceTimer.unref();
    }
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    if (this.rebalanceTimer !== null) clearInterval(this.rebalanceTimer);
    this.timer = null;
    this.rebalanceTimer = null;
  }

  get isActive(): boolean {
    return this.quorum.isActive;
  }

  private get image(): MetadataImage {
    return this.quorum.image;
  }

  // ---- the serialised decide-and-commit step -------------------------------------------------

  private run<T>(decide: (image: MetadataImage) => Decision<T>): Promise<T> {
    const step = this.queue.then(async () => {
      this.noticeActivation();
      if (!this.quorum.isActive) throw new NotControllerError(this.quorum.leaderId);
      const { result, records } = decide(this.image);
      if (records.length > 0) {
        const events = notableEvents(this.image, records);
        await this.quorum.commit(records);
        for (const e of events) this.logger.info(e.fields, e.msg);
        // Any change (an ISR that grew, an unfenced broker, a new leader) may let a partition
        // reassignment finish: its adding replicas all in sync and a target replica able to lead.
        const completions = completeReassignments(this.image);
        if (completions.length > 0) {
          await this.quorum.commit(completions);
          this.logger.info({ partitions: completions.length }, 'partition reassignments completed');
        }
      }
      return result;
    });
    this.queue = step.catch(() => {});
    return step;
  }

  /**
   * A newly active controller gives every registered broker a fresh session (KRaft does too),
   * except this node's own broker when its registration is another incarnation's: that was an
   * earlier process of this node, now gone, and its replacement must be able to register.
   */
  private noticeActivation(): void {
    const active = this.quorum.isActive;
    if (active && !this.wasActive) {
      const own = this.image.brokers.get(this.config.nodeId);
      const ownIsLive = own !== undefined && own.incarnationId === this.localIncarnationId();
      const kept = [...this.image.brokers.keys()].filter((id) => id !== this.config.nodeId || ownIsLive);
      this.liveness.resetAll(kept, this.now());
      this.logger.info({ epoch: this.quorum.epoch }, 'became the active controller');
    }
    this.wasActive = active;
  }

  private checkSessions(): void {
    this.noticeActivation();
    if (!this.wasActive) return;
    const unfenced = [...this.image.brokers.values()].filter((b) => !b.fenced).map((b) => b.brokerId);
    for (const brokerId of this.liveness.expired(this.now(), unfenced)) {
      if (this.fencing.has(brokerId)) continue; // one attempt at a time (a cut-off controller cannot commit)
      this.fencing.add(brokerId);
      this.logger.warn({ brokerId, sessionTimeoutMs: this.config.num('broker.session.timeout.ms') }, 'broker session expired; fencing it');
      this.run((image) => ({ result: undefined, records: image.brokers.get(brokerId)?.fenced === false ? fenceBroker(image, brokerId, this.electionOptions()) : [] }))
        .catch((err: unknown) => this.logger.debug({ err, brokerId }, 'fencing did not commit'))
        .finally(() => this.fencing.delete(brokerId));
    }
  }

  private electionOptions(): ElectionOptions {
    return { uncleanDefault: this.config.bool('unclean.leader.election.enable') };
  }

  /**
   * auto.leader.rebalance.enable: on brokers whose share of partitions led by someone else passes
   * leader.imbalance.per.broker.percentage, hand leadership back to the preferred replica.
   */
  private rebalanceLeaders(): void {
    if (!this.wasActive) return;
    this.run((image) => {
      const brokers = imbalancedBrokers(image, this.config.num('leader.imbalance.per.broker.percentage'));
      if (brokers.length === 0) return { result: 0, records: [] };
      const { records } = preferredLeaderElection(image, leaderImbalance(image, brokers));
      if (records.length > 0) this.logger.info({ brokers, partitions: records.length }, 'moving leadership back to preferred replicas');
      return { result: records.length, records };
    }).catch((err: unknown) => this.logger.debug({ err }, 'leader rebalance did not commit'));
  }

  private env(): ControllerEnv {
    return {
      newTopicId: randomUuid,
      randomInt: (bound) => (bound <= 1 ? 0 : randomInt(bound)),
      defaultPartitions: this.config.num('num.partitions'),
      defaultReplicationFactor: Math.min(this.config.num('default.replication.factor'), Math.max(1, this.image.liveBrokers().length)),
    };
  }

  // ---- topics and configs --------------------------------------------------------------------

  createTopics(req: CreateTopicsRequest): Promise<CreateTopicsResponse> {
    return this.run((image) => {
      const { results, records } = createTopics(
        image,
        req.topics.map((t) => ({ name: t.name, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor, assignments: t.assignments, configs: t.configs })),
        this.env(),
      );
      const topics = results.map((r) => ({
        name: r.name,
        topicId: r.topicId || ZERO_UUID,
        errorCode: r.errorCode,
        errorMessage: r.errorMessage,
        topicConfigErrorCode: 0,
        numPartitions: r.numPartitions,
        replicationFactor: r.replicationFactor,
        configs: null,
      }));
      return { result: { throttleTimeMs: 0, topics }, records: req.validateOnly ? [] : records };
    });
  }

  deleteTopics(req: DeleteTopicsRequest): Promise<DeleteTopicsResponse> {
    return this.run((image) => {
      const { results, records } = deleteTopics(image, req.topics.map((t) => ({ name: t.name, topicId: t.name === null ? t.topicId : null })));
      const responses = results.map((r) => ({ name: r.name, topicId: r.topicId || ZERO_UUID, errorCode: r.errorCode, errorMessage: r.errorMessage }));
      return { result: { throttleTimeMs: 0, responses }, records };
    });
  }

  createPartitions(req: CreatePartitionsRequest): Promise<CreatePartitionsResponse> {
    return this.run((image) => {
      const records: MetadataRecord[] = [];
      const results = req.topics.map((t) => {
        if (req.topics.filter((x) => x.name === t.name).length > 1) {
          return { name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'topic named more than once' };
        }
        const outcome = createPartitions(image, { name: t.name, count: t.count, assignments: t.assignments?.map((a) => a.brokerIds) ?? null }, this.env());
        if (outcome.errorCode === ErrorCode.NONE && !req.validateOnly) records.push(...outcome.records);
        return { name: t.name, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage };
      });
      return { result: { throttleTimeMs: 0, results }, records };
    });
  }

  async incrementalAlterConfigs(req: IncrementalAlterConfigsRequest): Promise<IncrementalAlterConfigsResponse> {
    const response = await this.alterConfigs(req);
    // Turning unclean.leader.election.enable on may elect leaders for leaderless partitions now.
    if (!req.validateOnly && req.resources.some((r) => r.configs.some((c) => c.name === 'unclean.leader.election.enable'))) {
      await this.run((image) => ({ result: undefined, records: electUncleanLeaders(image, this.electionOptions()) }));
    }
    return response;
  }

  private alterConfigs(req: IncrementalAlterConfigsRequest): Promise<IncrementalAlterConfigsResponse> {
    return this.run((image) => {
      const records: MetadataRecord[] = [];
      const responses = req.resources.map((r) => {
        const base = { resourceType: r.resourceType, resourceName: r.resourceName };
        if (r.resourceType !== ConfigResourceType.TOPIC) {
          return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'only topic configs can be altered; broker configs are static' };
        }
        const ops = r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value }));
        const outcome = alterTopicConfigs(image, r.resourceName, ops);
        if (outcome.errorCode === ErrorCode.NONE && !req.validateOnly) records.push(...outcome.records);
        return { ...base, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage };
      });
      return { result: { throttleTimeMs: 0, responses }, records };
    });
  }

  allocateProducerIds(req: AllocateProducerIdsRequest): Promise<AllocateProducerIdsResponse> {
    return this.run((image) => {
      const start = image.nextProducerId;
      const records: MetadataRecord[] = [{ type: 'ProducerIds', brokerId: req.brokerId, brokerEpoch: req.brokerEpoch, nextProducerId: start + PRODUCER_ID_BLOCK_SIZE }];
      return { result: { throttleTimeMs: 0, errorCode: 0, producerIdStart: start, producerIdLen: PRODUCER_ID_BLOCK_SIZE }, records };
    });
  }

  // ---- brokers -------------------------------------------------------------------------------

  brokerRegistration(req: BrokerRegistrationRequest): Promise<BrokerRegistrationResponse> {
    return this.run((image) => {
      const outcome = registerBroker(
        image,
        {
          brokerId: req.brokerId,
          clusterId: req.clusterId,
          incarnationId: req.incarnationId,
          listeners: req.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port, securityProtocol: l.securityProtocol })),
          rack: req.rack,
          previousBrokerEpoch: req.previousBrokerEpoch,
        },
        { isAlive: (id) => this.liveness.isAlive(id, this.now()), ...this.electionOptions() },
      );
      if (outcome.errorCode === ErrorCode.NONE) {
        this.liveness.touch(req.brokerId, this.now());
        if (outcome.records.length > 0) this.logger.info({ brokerId: req.brokerId, brokerEpoch: outcome.brokerEpoch, rack: req.rack }, 'broker registered');
      }
      return { result: { throttleTimeMs: 0, errorCode: outcome.errorCode, brokerEpoch: outcome.brokerEpoch }, records: outcome.records };
    });
  }

  brokerHeartbeat(req: BrokerHeartbeatRequest): Promise<BrokerHeartbeatResponse> {
    return this.run((image) => {
      const outcome = brokerHeartbeat(
        image,
        { brokerId: req.brokerId, brokerEpoch: req.brokerEpoch, currentMetadataOffset: req.currentMetadataOffset, wantFence: req.wantFence, wantShutDown: req.wantShutDown },
        { registrationOffset: this.quorum.registrationOffset(req.brokerId), ...this.electionOptions() },
      );
      if (outcome.errorCode === ErrorCode.NONE) this.liveness.touch(req.brokerId, this.now());
      for (const r of outcome.records) {
        if (r.type === 'BrokerRegistrationChange' && r.inControlledShutdown) this.logger.info({ brokerId: r.brokerId }, 'broker in controlled shutdown');
      }
      const result = {
        throttleTimeMs: 0,
        errorCode: outcome.errorCode,
        isCaughtUp: outcome.isCaughtUp,
        isFenced: outcome.isFenced,
        shouldShutDown: outcome.shouldShutDown,
      };
      return { result, records: outcome.records };
    });
  }

  unregisterBroker(req: UnregisterBrokerRequest): Promise<UnregisterBrokerResponse> {
    return this.run((image) => {
      const outcome = unregisterBroker(image, req.brokerId, this.electionOptions());
      if (outcome.errorCode === ErrorCode.NONE) this.liveness.forget(req.brokerId);
      return { result: { throttleTimeMs: 0, errorCode: outcome.errorCode, errorMessage: null }, records: outcome.records };
    });
  }

  alterPartition(req: AlterPartitionRequest): Promise<AlterPartitionResponse> {
    return this.run((image) => {
      const outcome = alterPartition(image, {
        brokerId: req.brokerId,
        brokerEpoch: req.brokerEpoch,
        topics: req.topics.map((t) => ({
          topicId: t.topicId,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            leaderEpoch: p.leaderEpoch,
            newIsr: p.newIsrWithEpochs.length > 0 ? p.newIsrWithEpochs.map((b) => b.brokerId) : p.newIsr,
            partitionEpoch: p.partitionEpoch,
          })),
        })),
      });
      const topics = outcome.topics.map((t) => ({
        topicName: '',
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({ ...p, leaderRecoveryState: 0 })),
      }));
      return { result: { throttleTimeMs: 0, errorCode: 0, topics }, records: outcome.records };
    });
  }

  // ---- leadership and reassignment ----------------------------------------------------------

  electLeaders(req: ElectLeadersRequest): Promise<ElectLeadersResponse> {
    return this.run((image) => {
      const partitions = req.topicPartitions === null ? null : req.topicPartitions.flatMap((t) => t.partitions.map((partitionId) => ({ topic: t.topic, partitionId })));
      const { results, records } = electLeaders(image, req.electionType === 1 ? 1 : 0, partitions);
      const byTopic = new Map<string, { partitionId: number; errorCode: number; errorMessage: string | null }[]>();
      for (const r of results) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), { partitionId: r.partitionId, errorCode: r.errorCode, errorMessage: null }]);
      const replicaElectionResults = [...byTopic].map(([topic, partitionResult]) => ({ topic, partitionResult }));
      return { result: { throttleTimeMs: 0, errorCode: 0, replicaElectionResults }, records };
    });
  }

  alterPartitionReassignments(req: AlterPartitionReassignmentsRequest): Promise<AlterPartitionReassignmentsResponse> {
    return this.run((image) => {
      const { responses, records } = alterPartitionReassignments(image, { topics: req.topics }, this.electionOptions());
      if (records.length > 0) this.logger.info({ topics: req.topics.map((t) => t.name) }, 'partition reassignment started');
      return { result: { throttleTimeMs: 0, errorCode: 0, errorMessage: null, responses }, records };
    });
  }

  listPartitionReassignments(req: ListPartitionReassignmentsRequest): Promise<ListPartitionReassignmentsResponse> {
    return this.run((image) => ({
      result: { throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics: listPartitionReassignments(image, req.topics) },
      records: [],
    }));
  }

  async describeQuorum(): Promise<DescribeQuorumResponse> {
    this.noticeActivation();
    return describeQuorumResponse(this.quorum, this.image);
  }
}
