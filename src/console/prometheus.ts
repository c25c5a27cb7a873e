// /metrics in Prometheus text format, through prom-client. Nothing here runs on the broker's
// hot paths: every figure is read when Prometheus scrapes, from the plain counters the
// broker keeps (broker/metrics.ts), the purgatory sizes, the replica manager's ISR counts, the
// metadata image, the Raft node and the local logs; group lag is asked of the cluster then
// through the admin client. prom-client's default metrics add process CPU, memory, event-loop
// lag and GC. Names are listed in docs/operations.md.

import { collectDefaultMetrics, Registry, type Metric } from 'prom-client';
import { purgatorySizes } from '../broker/delayed.js';
import { LATENCY_BUCKETS_MS } from '../broker/metrics.js';
import { API_MESSAGES } from '../protocol/generated/api-keys.js';
import type { ConsoleContext } from './context.js';
import { groupLag } from './groups-view.js';

type Labels = Record<string, string | number>;
interface Sample {
  labels?: Labels;
  value: number;
  metricName?: string;
}
type MetricType = 'counter' | 'gauge' | 'histogram';

const RAFT_ROLES = ['unattached', 'prospective', 'candidate', 'leader', 'follower', 'resigned'];
const GROUP_LAG_TIMEOUT_MS = 5000;

/** A metric whose samples are computed at scrape time. */
function register(registry: Registry, name: string, help: string, type: MetricType, samples: () => Sample[] | Promise<Sample[]>): void {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: await samples() }),
    reset: () => {},
  };
  registry.registerMetric(metric as unknown as Metric);
}

function apiName(apiKey: number): string {
  return API_MESSAGES[apiKey]?.name ?? String(apiKey);
}

export function createRegistry(ctx: ConsoleContext): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { broker } = ctx;
  const m = broker.metrics;

  const perTopic = (pick: (t: { bytesIn: number; messagesIn: number; bytesOut: number; messagesOut: number }) => number) => () =>
    [...m.topics].map(([topic, t]) => ({ labels: { topic }, value: pick(t) }));
  register(registry, 'tideline_topic_bytes_in_total', 'Bytes produced to a topic through this broker', 'counter', perTopic((t) => t.bytesIn));
  register(registry, 'tideline_topic_messages_in_total', 'Records produced to a topic through this broker', 'counter', perTopic((t) => t.messagesIn));
  register(registry, 'tideline_topic_bytes_out_total', 'Bytes consumers fetched from a topic through this broker', 'counter', perTopic((t) => t.bytesOut));
  register(registry, 'tideline_topic_messages_out_total', 'Records consumers fetched from a topic through this broker', 'counter', perTopic((t) => t.messagesOut));

  const perApi = (pick: (s: { count: number; errors: number }) => number) => () =>
    m.apis.flatMap((s, apiKey) => (s === undefined ? [] : [{ labels: { api: apiName(apiKey) }, value: pick(s) }]));
  register(registry, 'tideline_requests_total', 'Requests handled, by API', 'counter', perApi((s) => s.count));
  register(registry, 'tideline_request_errors_total', 'Requests whose handler failed (the connection was closed), by API', 'counter', perApi((s) => s.errors));
  register(registry, 'tideline_request_duration_seconds', 'Time from a decoded request to its encoded response, by API', 'histogram', () =>
    m.apis.flatMap((s, apiKey): Sample[] => {
      if (s === undefined) return [];
      const api = apiName(apiKey);
      let cumulative = 0;
      const buckets = LATENCY_BUCKETS_MS.map((le, i) => {
        cumulative += s.latencyBuckets[i]!;
        return { metricName: 'tideline_request_duration_seconds_bucket', labels: { api, le: le / 1000 }, value: cumulative };
      });
      return [
        ...buckets,
        { metricName: 'tideline_request_duration_seconds_bucket', labels: { api, le: '+Inf' }, value: s.count },
        { metricName: 'tideline_request_duration_seconds_sum', labels: { api }, value: s.latencySumMs / 1000 },
        { metricName: 'tideline_request_duration_seconds_count', labels: { api }, value: s.count },
      ];
    }));

  register(registry, 'tideline_purgatory_size', 'Delayed operations waiting: acks=all produces and long-poll fetches', 'gauge', () => [
    { labels: { operation: 'produce' }, value: purgatorySizes.produce },
    { labels: { operation: 'fetch' }, value: purgatorySizes.fetch },
  ]);
  register(registry, 'tideline_under_replicated_partitions', 'Partitions this broker leads whose ISR is smaller than the replica set', 'gauge', () => {
    let n = 0;
    for (const p of broker.localPartitions()) if (p.isLeader && p.state.isr.length < p.state.replicas.length) n++;
    return [{ value: n }];
  });
  register(registry, 'tideline_offline_partitions', 'Partitions in the cluster without a leader (this node\'s metadata image)', 'gauge', () => {
    let n = 0;
    for (const t of broker.image.topicsByName.values()) for (const p of t.partitions) if (p.leader < 0) n++;
    return [{ value: n }];
  });
  register(registry, 'tideline_isr_shrinks_total', 'ISR shrinks of partitions this broker led', 'counter', () => [{ value: broker.replication.isrShrinks }]);
  register(registry, 'tideline_isr_expands_total', 'ISR expansions of partitions this broker led', 'counter', () => [{ value: broker.replication.isrExpands }]);
  registerQuorum(registry, ctx);
  registerLogs(registry, ctx);
  registerGroupLag(registry, ctx);
  return registry;
}

function registerQuorum(registry: Registry, ctx: ConsoleContext): void {
  const quorum = ctx.node.quorum;
  register(registry, 'tideline_active_controller', '1 on the node that is the active controller (the metadata quorum leader)', 'gauge', () => [{ value: quorum.leaderId === ctx.broker.nodeId ? 1 : 0 }]);
  register(registry, 'tideline_active_controller_id', 'Node id of the active controller; -1 when none is known', 'gauge', () => [{ value: quorum.leaderId }]);
  register(registry, 'tideline_raft_state', 'This node\'s Raft role in the metadata quorum (1 for the current one)', 'gauge', () =>
    RAFT_ROLES.map((state) => ({ labels: { state }, value: quorum.raftNode.role === state ? 1 : 0 })));
  register(registry, 'tideline_raft_epoch', 'Current epoch of the metadata quorum', 'gauge', () => [{ value: quorum.raftNode.epoch }]);
  register(registry, 'tideline_raft_high_watermark', 'Committed offset of the metadata log', 'gauge', () => [{ value: quorum.raftNode.highWatermark }]);
  register(registry, 'tideline_metadata_applied_offset', 'Metadata log offset applied to this node\'s image', 'gauge', () => [{ value: quorum.appliedOffset }]);
}

function registerLogs(registry: Registry, ctx: ConsoleContext): void {
  const perLog = (pick: (log: { size: number; logStartOffset: number; logEndOffset: number }) => number) => () =>
    ctx.broker.logs.all().filter((l) => l.topic !== '__cluster_metadata').map((l) => ({ labels: { topic: l.topic, partition: l.partition }, value: pick(l) }));
  register(registry, 'tideline_log_size_bytes', 'Bytes of a partition\'s log on this broker', 'gauge', perLog((l) => l.size));
  register(registry, 'tideline_log_start_offset', 'First offset of a partition\'s log on this broker', 'gauge', perLog((l) => l.logStartOffset));
  register(registry, 'tideline_log_end_offset', 'Log end offset of a partition\'s log on this broker', 'gauge', perLog((l) => l.logEndOffset));
}

/** Asks the cluster at scrape time; a slow or failing cluster leaves the metric empty, not the scrape. */
function registerGroupLag(registry: Registry, ctx: ConsoleContext): void {
  const lags = async (): Promise<Sample[]> => {
    const groups = await ctx.admin.listGroups();
    const details = await Promise.all(groups.map((g) => groupLag(ctx, g.groupId).catch(() => null)));
    return details.flatMap((d) => (d === null ? [] : d.partitions.filter((p) => p.lag !== null).map((p) => ({ labels: { group: d.groupId, topic: p.topic, partition: p.partition }, value: p.lag! }))));
  };
  register(registry, 'tideline_consumer_group_lag', 'Log end offset minus the group\'s committed offset, per partition', 'gauge', async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Sample[]>((done) => (timer = setTimeout(() => done([]), GROUP_LAG_TIMEOUT_MS)));
    try {
      return await Promise.race([lags().catch((err: unknown) => {
        ctx.logger.debug({ err }, 'group lag for /metrics failed');
        return [];
      }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  });
}
