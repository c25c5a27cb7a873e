// KafkaAdmin: a small promise-based admin client for what `tideline groups` needs (metadata,
// group coordinators, listing and describing groups, committed offsets, log offsets and simple
// offset commits). It routes each request to the broker that must answer it: group requests to
// the group's coordinator (cached until a NOT_COORDINATOR-like error), ListOffsets to each
// partition's leader, ListGroups to every broker. Retriable errors are retried a bounded number
// of times with a fresh coordinator or leader lookup; everything else surfaces as a KafkaError.

import type { DeleteGroupsResponse } from '../protocol/generated/delete-groups-response.js';
import type { DescribeGroupsResponse } from '../protocol/generated/describe-groups-response.js';
import type { FindCoordinatorResponse } from '../protocol/generated/find-coordinator-response.js';
import type { ListGroupsResponse } from '../protocol/generated/list-groups-response.js';
import type { ListOffsetsResponse } from '../protocol/generated/list-offsets-response.js';
import type { MetadataResponse } from '../protocol/generated/metadata-response.js';
import type { OffsetCommitResponse } from '../protocol/generated/offset-commit-response.js';
import type { OffsetFetchResponse } from '../protocol/generated/offset-fetch-response.js';
import type { DescribeConfigsResponse } from '../protocol/generated/describe-configs-response.js';
import type { FetchResponse } from '../protocol/generated/fetch-response.js';
import type { IncrementalAlterConfigsResponse } from '../protocol/generated/incremental-alter-configs-response.js';
import type { ProduceResponse } from '../protocol/generated/produce-response.js';
import type { AlterPartitionReassignmentsResponse } from '../protocol/generated/alter-partition-reassignments-response.js';
import type { ElectLeadersResponse } from '../protocol/generated/elect-leaders-response.js';
import type { ListPartitionReassignmentsResponse } from '../protocol/generated/list-partition-reassignments-response.js';
import type { UnregisterBrokerResponse } from '../protocol/generated/unregister-broker-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { BrokerPool, type HostPort } from './broker-pool.js';
import { sleep, type KafkaConnection, type VersionRange } from './connection.js';
import { kafkaErrorFor, markFinal, networkError } from './errors.js';
import {
  FIND_COORDINATOR_BATCH_MIN_VERSION,
  buildDescribeGroupsRequest,
  buildFindCoordinatorRequest,
  buildListGroupsRequest,
  buildOffsetCommitRequest,
  buildOffsetFetchRequest,
  groupApis,
  parseDescribeGroupsResponse,
  parseFindCoordinatorResponse,
  parseListGroupsResponse,
  parseOffsetCommitResponse,
  parseOffsetFetchResponse,
  parseDeleteGroupsResponse,
} from './group-requests.js';
import { buildListOffsetsRequest, listOffsetsApi, parseListOffsetsResponse, specTimestamp, type OffsetQuery } from './list-offsets-request.js';
import { buildMetadataRequest, metadataApi, parseMetadataResponse } from './metadata-request.js';
import { groupBy, retryRounds, type RetryPolicy, type RoundResult } from './retry.js';
import { ConfigResource, buildDescribeConfigsRequest, buildIncrementalAlterConfigsRequest, configApis, parseDescribeConfigsResponse, parseIncrementalAlterConfigsResponse } from './config-requests.js';
import { buildFetchRequest, fetchApi, parseFetchResponse, type FetchLimits } from './fetch-request.js';
import { buildProduceRequest, parseProduceResponse, produceApi, type PartitionBatch, type ProducedPartition } from './produce-request.js';
import {
  ALL_PARTITIONS,
  buildAlterPartitionReassignmentsRequest,
  buildElectLeadersRequest,
  buildListPartitionReassignmentsRequest,
  hasErrorCode,
  parseAlterPartitionReassignmentsResponse,
  parseElectLeadersResponse,
  parseListPartitionReassignmentsResponse,
  parseUnregisterBrokerResponse,
  partitionKey,
  reassignmentApis,
  type ElectionResult,
  type ElectionType,
  type OngoingReassignment,
  type PartitionMove,
} from './reassignment-requests.js';
import {
  buildCreatePartitionsRequest,
  buildCreateTopicsRequest,
  buildDeleteTopicsRequest,
  parseCreatePartitionsResponse,
  parseCreateTopicsResponse,
  parseDeleteTopicsResponse,
  topicApis,
  type TopicOutcome,
} from './topic-requests.js';
import type {
  BrokerNode,
  ClusterMetadata,
  CommittedOffset,
  ConfigEntry,
  ConfigOp,
  FetchedPartition,
  FetchPosition,
  GroupDescription,
  ListedGroup,
  ListedOffset,
  NewTopic,
  OffsetToCommit,
} from './types.js';

export interface AdminOptions {
  clientId: string;
  connectTimeoutMs: number;
  /** Deadline of each request, from the call until its response. */
  requestTimeoutMs: number;
  /** Rounds after the first for retriable errors. */
  retries: number;
  retryBackoffMs: number;
  inflightRequestsMax: number;
  frameBytesMax: number;
}

export const defaultAdminOptions: AdminOptions = {
  clientId: 'tideline-admin',
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  retries: 5,
  retryBackoffMs: 100,
  inflightRequestsMax: 64,
  frameBytesMax: 100 * 1024 * 1024,
};

const RETRY_BACKOFF_MAX_MS = 1_000;

/** Parses `host:port[,host:port…]`; IPv6 hosts go in brackets (`[::1]:9092`). */
export function parseBootstrap(bootstrap: string): HostPort[] {
  const addresses = bootstrap.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (addresses.length === 0) throw new RangeError('the bootstrap server list is empty');
  return addresses.map((address) => {
    const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address);
    const port = match === null ? NaN : Number(match[3]);
    if (match === null || port < 1 || port > 65535) throw new RangeError(`bootstrap server "${address}" is not HOST:PORT`);
    return { host: match[1] ?? match[2]!, port };
  });
}

export class KafkaAdmin {
  private readonly options: AdminOptions;
  private readonly pool: BrokerPool;
  private readonly retryPolicy: RetryPolicy;
  private readonly coordinators = new Map<string, number>();

  constructor(options: Partial<AdminOptions> = {}) {
    this.options = { ...defaultAdminOptions, ...options };
    const { clientId, connectTimeoutMs, requestTimeoutMs, inflightRequestsMax, frameBytesMax } = this.options;
    this.pool = new BrokerPool({ clientId, connectTimeoutMs, requestTimeoutMs, inflightRequestsMax, frameBytesMax });
    this.retryPolicy = { retries: this.options.retries, backoffMs: this.options.retryBackoffMs, backoffMaxMs: RETRY_BACKOFF_MAX_MS, sleep };
  }

  /** Connects to the first bootstrap server that answers and learns the cluster's brokers. */
  async connect(bootstrap: string): Promise<void> {
    await this.pool.connectBootstrap(parseBootstrap(bootstrap));
    await this.metadata([]);
  }

  /** Brokers and topics (all of them when `topics` is null), with partitions and leaders. */
  async metadata(topics: readonly string[] | null = null): Promise<ClusterMetadata> {
    const answers = await retryRounds(['metadata'], this.retryPolicy, async () => {
      const connection = await this.pool.any();
      const version = connection.versionFor(metadataApi.apiKey, metadataApi.versions);
      const response = await connection.request<MetadataResponse>(metadataApi.apiKey, version, buildMetadataRequest(version, topics));
      return new Map([['metadata', parseMetadataResponse(response)]]);
    });
    const metadata = answers.get('metadata')!;
    this.pool.learn(metadata.brokers);
    return metadata;
  }

  /** The coordinator of each group, from the cache or FindCoordinator (batched from v4). */
  async findGroupCoordinators(groupIds: readonly string[]): Promise<Map<string, BrokerNode>> {
    const found = await retryRounds(groupIds, this.retryPolicy, async (keys) => {
      const answers: RoundResult<BrokerNode> = new Map();
      const missing = keys.filter((k) => {
        const node = this.cachedCoordinator(k);
        if (node !== undefined) answers.set(k, node);
        return node === undefined;
      });
      if (missing.length === 0) return answers;
      const connection = await this.pool.any();
      const version = connection.versionFor(groupApis.findCoordinator.apiKey, groupApis.findCoordinator.versions);
      const batches = version >= FIND_COORDINATOR_BATCH_MIN_VERSION ? [missing] : missing.map((k) => [k]);
      await Promise.all(batches.map(async (batch) => {
        const body = buildFindCoordinatorRequest(version, batch);
        const response = await connection.request<FindCoordinatorResponse>(groupApis.findCoordinator.apiKey, version, body);
        for (const c of parseFindCoordinatorResponse(version, batch, response)) {
          if (c.errorCode !== ErrorCode.NONE) {
            answers.set(c.key, kafkaErrorFor(c.errorCode, `FindCoordinator(${c.key})`, c.errorMessage));
            continue;
          }
          const node = { nodeId: c.nodeId, host: c.host, port: c.port, rack: null };
          this.pool.learn([node]);
          this.coordinators.set(c.key, c.nodeId);
          answers.set(c.key, node);
        }
      }));
      return answers;
    });
    return new Map(groupIds.map((g) => [g, found.get(g)!]));
  }

  async findGroupCoordinator(groupId: string): Promise<BrokerNode> {
    return (await this.findGroupCoordinators([groupId])).get(groupId)!;
  }

  /** Every group on every broker; `states` filters by state (Kafka's names, ListGroups v4+). */
  async listGroups(options: { states?: readonly string[] } = {}): Promise<ListedGroup[]> {
    const states = options.states ?? [];
    const brokers = (await this.metadata([])).brokers;
    const answers = await retryRounds(brokers.map((b) => String(b.nodeId)), this.retryPolicy, async (keys) => {
      const round: RoundResult<ListedGroup[]> = new Map();
      await Promise.all(keys.map(async (key) => {
        round.set(key, await this.listGroupsOn(Number(key), states).catch((err: Error) => err));
      }));
      return round;
    });
    const groups = [...answers.values()].flat();
    const wanted = new Set(states.map((s) => s.toLowerCase()));
    return groups
      .filter((g) => wanted.size === 0 || g.groupState === null || wanted.has(g.groupState.toLowerCase()))
      .sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  /** Describes groups at their coordinators; a group that does not exist comes back in state Dead. */
  async describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    const described = await retryRounds(groupIds, this.retryPolicy, (keys, attempt) => this.describeRound(keys, attempt));
    return groupIds.map((g) => described.get(g)!);
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    return (await this.describeGroups([groupId]))[0]!;
  }

  /** Every offset the group has committed, sorted by topic and partition. */
  async fetchCommittedOffsets(groupId: string): Promise<CommittedOffset[]> {
    const answers = await retryRounds([groupId], this.retryPolicy, (_keys, attempt) =>
      this.atCoordinator(groupId, attempt, groupApis.offsetFetch, async (connection, version) => {
        const response = await connection.request<OffsetFetchResponse>(groupApis.offsetFetch.apiKey, version, buildOffsetFetchRequest(version, groupId));
        return parseOffsetFetchResponse(version, groupId, response);
      }),
    );
    return answers.get(groupId)!;
  }

  /** Commits offsets for a group without members (generation -1, empty member id). */
  async commitOffsets(groupId: string, offsets: readonly OffsetToCommit[]): Promise<void> {
    if (offsets.length === 0) return;
    await retryRounds([groupId], this.retryPolicy, (_keys, attempt) =>
      this.atCoordinator(groupId, attempt, groupApis.offsetCommit, async (connection, version) => {
        const response = await connection.request<OffsetCommitResponse>(groupApis.offsetCommit.apiKey, version, buildOffsetCommitRequest(groupId, offsets));
        parseOffsetCommitResponse(groupId, response);
        return true;
      }),
    );
  }

  /** Deletes a group without members, with its committed offsets. */
  async deleteGroup(groupId: string): Promise<void> {
    await retryRounds([groupId], this.retryPolicy, (_keys, attempt) =>
      this.atCoordinator(groupId, attempt, groupApis.deleteGroups, async (connection, version) => {
        const response = await connection.request<DeleteGroupsResponse>(groupApis.deleteGroups.apiKey, version, { groupsNames: [groupId] });
        parseDeleteGroupsResponse(groupId, response);
        return true;
      }),
    );
  }

  /**
   * Offsets by spec, each asked of its partition's leader; results in the order of `queries`. A
   * partition asked with several specs goes out in one request per spec, since a request may
   * name a partition only once.
   */
  async listOffsets(queries: readonly OffsetQuery[]): Promise<ListedOffset[]> {
    const keyOf = (q: OffsetQuery): string => `${specTimestamp(q.spec)}:${q.partition}:${q.topic}`;
    const byKey = new Map(queries.map((q) => [keyOf(q), q]));
    const answers = await retryRounds([...byKey.keys()], this.retryPolicy, async (keys) => {
      const round: RoundResult<ListedOffset> = new Map();
      const asked = keys.map((k) => byKey.get(k)!);
      const leaderOf = await this.partitionLeaders([...new Set(asked.map((q) => q.topic))]);
      const routable: { query: OffsetQuery; leaderId: number }[] = [];
      for (const query of asked) {
        const leader = leaderOf(query.topic, query.partition);
        if (leader instanceof Error) round.set(keyOf(query), leader);
        else routable.push({ query, leaderId: leader });
      }
      const requests = groupBy(routable, (r) => r.leaderId);
      await Promise.all([...requests].flatMap(([leaderId, list]) =>
        [...groupBy(list, (r) => specTimestamp(r.query.spec)).values()].map(async (sameSpec) => {
          const sent = sameSpec.map((r) => r.query);
          try {
            for (const r of await this.listOffsetsOn(leaderId, sent)) {
              const query = sent.find((q) => q.topic === r.topic && q.partition === r.partition);
              if (query !== undefined) round.set(keyOf(query), 'error' in r ? r.error : r);
            }
          } catch (err) {
            for (const q of sent) round.set(keyOf(q), err as Error);
          }
        }),
      ));
      return round;
    });
    return queries.map((q) => answers.get(keyOf(q))!);
  }

  /** Creates topics at any broker (which forwards to the controller); throws the first topic that failed. */
  async createTopics(topics: readonly NewTopic[], options: { validateOnly?: boolean } = {}): Promise<void> {
    const byName = new Map(topics.map((t) => [t.name, t]));
    await this.perTopic(topics.map((t) => t.name), topicApis.createTopics, parseCreateTopicsResponse, (_version, names) =>
      buildCreateTopicsRequest(names.map((n) => byName.get(n)!), this.options.requestTimeoutMs, options.validateOnly ?? false));
  }

  /** Deletes topics by name; a topic that does not exist fails with UNKNOWN_TOPIC_OR_PARTITION. */
  async deleteTopics(names: readonly string[]): Promise<void> {
    await this.perTopic(names, topicApis.deleteTopics, parseDeleteTopicsResponse, (version, keys) =>
      buildDeleteTopicsRequest(version, keys, this.options.requestTimeoutMs));
  }

  /** Raises a topic's partition count to `count` (Kafka never lowers it). */
  async createPartitions(topic: string, count: number): Promise<void> {
    await this.perTopic([topic], topicApis.createPartitions, parseCreatePartitionsResponse, () =>
      buildCreatePartitionsRequest(topic, count, this.options.requestTimeoutMs));
  }

  /** Every config of a topic, or of a broker (named by its node id, asked of that broker), sorted by name. */
  async describeConfigs(resource: 'topic' | 'broker', name: string): Promise<ConfigEntry[]> {
    const type = resource === 'topic' ? ConfigResource.TOPIC : ConfigResource.BROKER;
    const answers = await retryRounds([name], this.retryPolicy, async () => {
      const connection = resource === 'topic' ? await this.pool.any() : await this.pool.get(Number(name));
      const { apiKey, versions } = configApis.describeConfigs;
      const response = await connection.request<DescribeConfigsResponse>(apiKey, connection.versionFor(apiKey, versions), buildDescribeConfigsRequest(type, name));
      return new Map([[name, parseDescribeConfigsResponse(response, name)]]);
    });
    return answers.get(name)!;
  }

  /** Applies set/delete/append/subtract operations to a topic's configs, atomically per topic. */
  async alterTopicConfigs(topic: string, ops: readonly ConfigOp[]): Promise<void> {
    await retryRounds([topic], this.retryPolicy, async () => {
      const connection = await this.pool.any();
      const { apiKey, versions } = configApis.incrementalAlterConfigs;
      const body = buildIncrementalAlterConfigsRequest(ConfigResource.TOPIC, topic, ops);
      const response = await connection.request<IncrementalAlterConfigsResponse>(apiKey, connection.versionFor(apiKey, versions), body);
      return new Map([[topic, parseIncrementalAlterConfigsResponse(response, topic) ?? true]]);
    });
  }

  /**
   * Writes one RecordBatch per entry to its partition leader. With acks -1 or 1 it resolves with
   * each partition's base offset, in the order of `batches` (one batch per partition per call).
   * Failures such as NOT_LEADER_OR_FOLLOWER are retried at the new leader; without idempotence a
   * retry after a lost response may write a batch twice, as a non-idempotent Kafka producer can.
   * With acks 0 the batches go out on a connection of their own and nothing comes back (offsets -1).
   */
  async produce(topic: string, batches: readonly PartitionBatch[], acks: -1 | 0 | 1): Promise<ProducedPartition[]> {
    const byKey = new Map(batches.map((b) => [String(b.partition), b]));
    if (byKey.size !== batches.length) throw new RangeError('produce takes one batch per partition');
    const answers = await retryRounds([...byKey.keys()], this.retryPolicy, async (keys) => {
      const round: RoundResult<ProducedPartition> = new Map();
      const leaderOf = await this.leadersOf([topic], 'Produce');
      const routable = groupBy(keys.flatMap((k) => {
        const leader = leaderOf(topic, Number(k));
        if (leader instanceof Error) round.set(k, leader);
        return leader instanceof Error ? [] : [{ batch: byKey.get(k)!, leaderId: leader }];
      }), (r) => r.leaderId);
      await Promise.all([...routable].map(async ([leaderId, list]) => {
        const sent = list.map((r) => r.batch);
        try {
          if (acks === 0) {
            await this.produceOneWay(leaderId, topic, sent);
            for (const b of sent) round.set(String(b.partition), { partition: b.partition, baseOffset: -1 });
            return;
          }
          const connection = await this.pool.get(leaderId);
          const version = connection.versionFor(produceApi.apiKey, produceApi.versions);
          const body = buildProduceRequest(topic, sent, acks, this.options.requestTimeoutMs);
          const results = parseProduceResponse(topic, await connection.request<ProduceResponse>(produceApi.apiKey, version, body));
          for (const b of sent) round.set(String(b.partition), results.get(b.partition) ?? kafkaErrorFor(ErrorCode.UNKNOWN_SERVER_ERROR, `Produce ${topic}-${b.partition}`, 'no answer for it'));
        } catch (err) {
          for (const b of sent) round.set(String(b.partition), err as Error);
        }
      }));
      return round;
    });
    return batches.map((b) => answers.get(String(b.partition))!);
  }

  /**
   * One fetch (no session, read_uncommitted) of each position from its partition leader; results
   * in the order of `positions`. Errors such as OFFSET_OUT_OF_RANGE are thrown.
   */
  async fetch(positions: readonly FetchPosition[], limits: FetchLimits): Promise<FetchedPartition[]> {
    const keyOf = (p: { topic: string; partition: number }): string => `${p.partition}:${p.topic}`;
    const byKey = new Map(positions.map((p) => [keyOf(p), p]));
    const answers = await retryRounds([...byKey.keys()], this.retryPolicy, async (keys) => {
      const round: RoundResult<FetchedPartition> = new Map();
      const asked = keys.map((k) => byKey.get(k)!);
      const leaderOf = await this.leadersOf([...new Set(asked.map((p) => p.topic))], 'Fetch');
      const routable = groupBy(asked.flatMap((p) => {
        const leader = leaderOf(p.topic, p.partition);
        if (leader instanceof Error) round.set(keyOf(p), leader);
        return leader instanceof Error ? [] : [{ position: p, leaderId: leader }];
      }), (r) => r.leaderId);
      await Promise.all([...routable].map(async ([leaderId, list]) => {
        const sent = list.map((r) => r.position);
        try {
          const connection = await this.pool.get(leaderId);
          const version = connection.versionFor(fetchApi.apiKey, fetchApi.versions);
          const response = await connection.request<FetchResponse>(fetchApi.apiKey, version, buildFetchRequest(version, sent, limits));
          for (const r of parseFetchResponse(response, sent)) round.set(keyOf(r), 'error' in r ? r.error : r);
        } catch (err) {
          for (const p of sent) round.set(keyOf(p), err as Error);
        }
      }));
      return round;
    });
    return positions.map((p) => answers.get(keyOf(p))!);
  }

  /**
   * Starts (replicas given) or cancels (replicas null) partition reassignments (KIP-455) at the
   * active controller, through any broker. Partitions that failed retriably are sent again; the
   * first that failed otherwise is thrown, and by then the others may have started. A cancel sent
   * again after a lost answer may find nothing left to cancel, so NO_REASSIGNMENT_IN_PROGRESS on
   * a retry counts as cancelled.
   */
  async alterPartitionReassignments(moves: readonly PartitionMove[]): Promise<void> {
    const byKey = new Map(moves.map((m) => [partitionKey(m), m]));
    if (byKey.size !== moves.length) throw new RangeError('alterPartitionReassignments takes each partition once');
    await retryRounds([...byKey.keys()], this.retryPolicy, async (keys, attempt) => {
      const asked = keys.map((k) => byKey.get(k)!);
      const connection = await this.pool.any();
      const { apiKey, versions } = reassignmentApis.alterPartitionReassignments;
      const body = buildAlterPartitionReassignmentsRequest(asked, this.options.requestTimeoutMs);
      const answers = parseAlterPartitionReassignmentsResponse(await connection.request<AlterPartitionReassignmentsResponse>(apiKey, connection.versionFor(apiKey, versions), body), asked);
      for (const [key, answer] of answers) {
        const isCancelledBefore = attempt > 0 && byKey.get(key)?.replicas === null && hasErrorCode(answer, ErrorCode.NO_REASSIGNMENT_IN_PROGRESS);
        if (isCancelledBefore) answers.set(key, true);
      }
      return answers;
    });
  }

  /** The reassignments in progress: all of them, or those of the named partitions (idle ones are left out). */
  async listPartitionReassignments(partitions: readonly { topic: string; partition: number }[] | null = null): Promise<OngoingReassignment[]> {
    const answers = await retryRounds(['list'], this.retryPolicy, async () => {
      const connection = await this.pool.any();
      const { apiKey, versions } = reassignmentApis.listPartitionReassignments;
      const body = buildListPartitionReassignmentsRequest(partitions, this.options.requestTimeoutMs);
      const response = await connection.request<ListPartitionReassignmentsResponse>(apiKey, connection.versionFor(apiKey, versions), body);
      return new Map([['list', parseListPartitionReassignmentsResponse(response)]]);
    });
    return answers.get('list')!;
  }

  /**
   * Preferred or unclean leader election (KIP-460) for the named partitions, in their order, or
   * for every partition (null), which answers only for the partitions elected. A partition that
   * already has the leader the election would choose comes back `not-needed`; one that cannot be
   * elected (PREFERRED_LEADER_NOT_AVAILABLE, ...) is retried, then thrown.
   */
  async electLeaders(type: ElectionType, partitions: readonly { topic: string; partition: number }[] | null): Promise<ElectionResult[]> {
    const send = async (asked: readonly { topic: string; partition: number }[] | null): Promise<Map<string, ElectionResult | Error>> => {
      const connection = await this.pool.any();
      const { apiKey, versions } = reassignmentApis.electLeaders;
      const version = connection.versionFor(apiKey, versions);
      const body = buildElectLeadersRequest(version, type, asked, this.options.requestTimeoutMs);
      return parseElectLeadersResponse(await connection.request<ElectLeadersResponse>(apiKey, version, body), asked);
    };
    if (partitions === null) {
      const answers = await retryRounds([ALL_PARTITIONS], this.retryPolicy, async () => {
        const results = [...(await send(null)).values()];
        return new Map([[ALL_PARTITIONS, results.find((r): r is Error => r instanceof Error) ?? (results as ElectionResult[])]]);
      });
      return answers.get(ALL_PARTITIONS)!;
    }
    const byKey = new Map(partitions.map((p) => [partitionKey(p), p]));
    const answers = await retryRounds([...byKey.keys()], this.retryPolicy, (keys) => send(keys.map((k) => byKey.get(k)!)));
    return partitions.map((p) => answers.get(partitionKey(p))!);
  }

  /**
   * Removes a stopped broker's registration (its replicas should have moved away first). A retry
   * after a lost answer may find the broker gone already, so BROKER_ID_NOT_REGISTERED on a retry
   * counts as done.
   */
  async unregisterBroker(brokerId: number): Promise<void> {
    const key = String(brokerId);
    await retryRounds([key], this.retryPolicy, async (_keys, attempt) => {
      const connection = await this.pool.any();
      const { apiKey, versions } = reassignmentApis.unregisterBroker;
      const response = await connection.request<UnregisterBrokerResponse>(apiKey, connection.versionFor(apiKey, versions), { brokerId });
      const answer = parseUnregisterBrokerResponse(response, brokerId);
      const isGoneBefore = attempt > 0 && hasErrorCode(answer, ErrorCode.BROKER_ID_NOT_REGISTERED);
      return new Map([[key, isGoneBefore ? true : answer]]);
    });
  }

  async close(): Promise<void> {
    this.pool.close();
  }

  /** Sends a per-topic admin request to any broker, retrying the topics that failed retriably. */
  private async perTopic<T>(
    names: readonly string[],
    api: { apiKey: number; versions: VersionRange },
    parse: (response: T) => TopicOutcome[],
    build: (version: number, names: string[]) => object,
  ): Promise<void> {
    await retryRounds(names, this.retryPolicy, async (keys) => {
      const connection = await this.pool.any();
      const version = connection.versionFor(api.apiKey, api.versions);
      const response = await connection.request<T>(api.apiKey, version, build(version, keys));
      return new Map(parse(response).map((o): [string, true | Error] => [o.name, o.error ?? true]));
    });
  }

  /** Like partitionLeaders, with errors that name the request being routed. */
  private async leadersOf(topics: readonly string[], what: string): Promise<(topic: string, partition: number) => number | Error> {
    const metadata = await this.metadata(topics);
    const byName = new Map(metadata.topics.map((t) => [t.name, t]));
    return (name, partition) => {
      const context = `${what} ${name}-${partition}`;
      const topic = byName.get(name);
      if (topic === undefined || topic.errorCode !== ErrorCode.NONE) {
        return markFinal(kafkaErrorFor(topic?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, context));
      }
      const p = topic.partitions.find((x) => x.partition === partition);
      if (p === undefined) return markFinal(kafkaErrorFor(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, context, `topic ${name} has ${topic.partitions.length} partitions`));
      return p.leaderId < 0 ? kafkaErrorFor(ErrorCode.LEADER_NOT_AVAILABLE, context) : p.leaderId;
    };
  }

  private async produceOneWay(leaderId: number, topic: string, batches: readonly PartitionBatch[]): Promise<void> {
    const connection = await this.pool.get(leaderId);
    const version = connection.versionFor(produceApi.apiKey, produceApi.versions);
    await connection.sendOneWay(produceApi.apiKey, version, buildProduceRequest(topic, batches, 0, this.options.requestTimeoutMs));
  }

  private cachedCoordinator(groupId: string): BrokerNode | undefined {
    const nodeId = this.coordinators.get(groupId);
    return nodeId === undefined ? undefined : this.pool.node(nodeId);
  }

  /**
   * Looks up partition leaders: a leader id, or why there is none. A topic or partition the
   * metadata does not know is final; a partition without a leader (an election) is retriable.
   */
  private async partitionLeaders(topics: readonly string[]): Promise<(topic: string, partition: number) => number | Error> {
    const metadata = await this.metadata(topics);
    const byName = new Map(metadata.topics.map((t) => [t.name, t]));
    return (name, partition) => {
      const context = `ListOffsets ${name}-${partition}`;
      const topic = byName.get(name);
      if (topic === undefined || topic.errorCode !== ErrorCode.NONE) {
        return markFinal(kafkaErrorFor(topic?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, context));
      }
      const p = topic.partitions.find((x) => x.partition === partition);
      if (p === undefined) return markFinal(kafkaErrorFor(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, context, `topic ${name} has ${topic.partitions.length} partitions`));
      return p.leaderId < 0 ? kafkaErrorFor(ErrorCode.LEADER_NOT_AVAILABLE, context) : p.leaderId;
    };
  }

  private async listOffsetsOn(leaderId: number, queries: readonly OffsetQuery[]): Promise<ReturnType<typeof parseListOffsetsResponse>> {
    const connection = await this.pool.get(leaderId);
    const version = connection.versionFor(listOffsetsApi.apiKey, listOffsetsApi.versions);
    const body = buildListOffsetsRequest(version, queries, this.options.requestTimeoutMs);
    return parseListOffsetsResponse(await connection.request<ListOffsetsResponse>(listOffsetsApi.apiKey, version, body));
  }

  private async listGroupsOn(nodeId: number, states: readonly string[]): Promise<ListedGroup[]> {
    const connection = await this.pool.get(nodeId);
    const version = connection.versionFor(groupApis.listGroups.apiKey, groupApis.listGroups.versions);
    const response = await connection.request<ListGroupsResponse>(groupApis.listGroups.apiKey, version, buildListGroupsRequest(version, states));
    return parseListGroupsResponse(version, nodeId, response);
  }

  private async describeRound(keys: string[], attempt: number): Promise<RoundResult<GroupDescription>> {
    if (attempt > 0) for (const k of keys) this.coordinators.delete(k);
    const round: RoundResult<GroupDescription> = new Map();
    const coordinators = await this.findGroupCoordinators(keys);
    const byNode = groupBy(keys, (k) => coordinators.get(k)!.nodeId);
    await Promise.all([...byNode].map(async ([nodeId, ids]) => {
      try {
        const connection = await this.pool.get(nodeId);
        const version = connection.versionFor(groupApis.describeGroups.apiKey, groupApis.describeGroups.versions);
        const response = await connection.request<DescribeGroupsResponse>(groupApis.describeGroups.apiKey, version, buildDescribeGroupsRequest(ids));
        for (const { groupId, result } of parseDescribeGroupsResponse(response)) {
          if (!ids.includes(groupId)) continue;
          round.set(groupId, result instanceof Error ? result : { ...result, coordinator: coordinators.get(groupId)! });
        }
      } catch (err) {
        for (const id of ids) round.set(id, err as Error);
      }
    }));
    return round;
  }

  /** Runs `send` against the group's coordinator, forgetting a cached coordinator when retrying. */
  private async atCoordinator<R>(
    groupId: string,
    attempt: number,
    api: { apiKey: number; versions: VersionRange },
    send: (connection: KafkaConnection, version: number) => Promise<R>,
  ): Promise<RoundResult<R>> {
    if (attempt > 0) this.coordinators.delete(groupId);
    const coordinator = await this.findGroupCoordinator(groupId);
    const connection = await this.pool.get(coordinator.nodeId).catch((err: unknown) => {
      throw networkError(`cannot reach the coordinator of group ${groupId} (broker ${coordinator.nodeId} at ${coordinator.host}:${coordinator.port})`, err);
    });
    const version = connection.versionFor(api.apiKey, api.versions);
    return new Map([[groupId, await send(connection, version)]]);
  }
}
