// Reassignment plans for `tideline reassign`, as pure functions of what Metadata and
// ListPartitionReassignments say: reading and writing Kafka's plan JSON
// ({"version":1,"partitions":[{"topic","partition","replicas"}]}), the current assignment, the
// proposals of --generate and --decommission, checking a plan against the cluster, and the
// status --verify reports. Nothing here talks to a broker.
//
// A partition being reassigned is counted by its target (its replicas minus those being
// removed), as the controller counts it, so a proposal made during a move builds on where the
// move is going. --generate places replicas the way the controller places a new topic's
// (replica-placement.ts: round-robin, rack-aware when every given broker has a rack); topic i of
// the request starts at the i-th broker, so the same request always proposes the same plan.
// --decommission keeps each partition's other replicas where they are and puts the broker with
// the fewest replicas (then, for a preferred-leader slot, the fewest preferred leaderships; then
// the lowest id) in the leaving broker's slot: one not in the list yet and, when every candidate
// has a rack, on a rack the partition's other replicas do not use if there is such a broker.

import type { BrokerNode, OngoingReassignment, TopicMetadata } from '../client/index.js';
import { placeReplicas, type PlacementBroker } from '../controller/replica-placement.js';
import { usageError } from './cli-args.js';

export interface PlanPartition {
  topic: string;
  partition: number;
  /** The first is the preferred leader. */
  replicas: number[];
}

const PLAN_VERSION = 1;
const COMMAND = 'reassign';

/** Parses plan JSON (Kafka's `log_dirs` is accepted when every entry is "any"); problems are usage errors. */
export function parsePlan(text: string, source: string): PlanPartition[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw usageError(COMMAND, `the plan in ${source} is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const bad = (what: string) => usageError(COMMAND, `the plan in ${source} ${what}; a plan looks like {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2]}]}`);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('is not a JSON object');
  const { version, partitions } = doc as { version?: unknown; partitions?: unknown };
  if (version !== undefined && version !== PLAN_VERSION) throw bad(`has version ${JSON.stringify(version)}, not ${PLAN_VERSION}`);
  if (!Array.isArray(partitions) || partitions.length === 0) throw bad('has no "partitions" list with entries');
  const seen = new Set<string>();
  return partitions.map((entry: unknown, i: number) => {
    const badEntry = (what: string) => bad(`entry ${i} ${what}`);
    const p = planEntry(entry, badEntry);
    const key = `${p.partition}:${p.topic}`;
    if (seen.has(key)) throw badEntry(`names ${p.topic}-${p.partition} twice`);
    seen.add(key);
    return p;
  });
}

function planEntry(entry: unknown, bad: (what: string) => Error): PlanPartition {
  if (typeof entry !== 'object' || entry === null) throw bad('is not an object');
  const { topic, partition, replicas, log_dirs: logDirs } = entry as Record<string, unknown>;
  if (typeof topic !== 'string' || topic === '') throw bad('has no "topic" name');
  if (!isId(partition)) throw bad('has no "partition" number');
  if (!Array.isArray(replicas) || replicas.length === 0 || !replicas.every(isId)) throw bad('has no "replicas" list of broker ids');
  if (new Set(replicas).size !== replicas.length) throw bad(`lists a broker twice in [${replicas}]`);
  if (logDirs !== undefined && (!Array.isArray(logDirs) || logDirs.some((d) => d !== 'any'))) throw bad('asks for log dirs other than "any", which Tideline cannot move between');
  return { topic, partition, replicas: [...replicas] };
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** One line of JSON, partitions sorted by topic and partition, as Kafka's tool prints plans. */
export function formatPlan(partitions: readonly PlanPartition[]): string {
  const sorted = sortPartitions(partitions).map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas }));
  return JSON.stringify({ version: PLAN_VERSION, partitions: sorted });
}

export function sortPartitions<T extends { topic: string; partition: number }>(partitions: readonly T[]): T[] {
  return [...partitions].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

/** Every partition of `topics` with its target replicas (its replicas minus any being removed). */
export function currentAssignment(topics: readonly TopicMetadata[], ongoing: readonly OngoingReassignment[]): PlanPartition[] {
  const removing = new Map(ongoing.map((o) => [`${o.partition}:${o.topic}`, o.removingReplicas]));
  const out: PlanPartition[] = [];
  for (const t of topics) {
    for (const p of t.partitions) {
      const gone = removing.get(`${p.partition}:${t.name}`) ?? [];
      out.push({ topic: t.name, partition: p.partition, replicas: p.replicaNodes.filter((id) => !gone.includes(id)) });
    }
  }
  return sortPartitions(out);
}

/**
 * --generate: each topic's partitions re-placed over `brokerIds` at their replication factor.
 * `current` holds the topics' partitions; problems (a factor above the broker count) come back
 * as sentences.
 */
export function balancedPlan(current: readonly PlanPartition[], topics: readonly string[], brokers: readonly PlacementBroker[]): { plan: PlanPartition[]; problems: string[] } {
  const placement = [...brokers].sort((a, b) => a.brokerId - b.brokerId);
  const plan: PlanPartition[] = [];
  const problems: string[] = [];
  topics.forEach((topic, i) => {
    const partitions = current.filter((p) => p.topic === topic);
    const rf = Math.max(1, ...partitions.map((p) => p.replicas.length));
    if (rf > placement.length) {
      problems.push(`topic ${topic} has replication factor ${rf}, more than the ${placement.length} broker(s) given`);
      return;
    }
    const count = Math.max(0, ...partitions.map((p) => p.partition + 1));
    // One placement at the largest factor; a prefix of a placed list is still spread (and rack-aware).
    const lists = placeReplicas(placement, count, rf, i % placement.length, 0);
    for (const p of partitions) plan.push({ topic, partition: p.partition, replicas: lists[p.partition]!.slice(0, Math.max(1, p.replicas.length)) });
  });
  return { plan: sortPartitions(plan), problems };
}

/**
 * --decommission: a move for every partition with a replica on `brokerId`, onto the live
 * brokers other than it. `current` is every partition of the cluster (it sets the load);
 * `unplaced` lists the partitions no other live broker can take.
 */
export function decommissionPlan(current: readonly PlanPartition[], brokerId: number, live: readonly PlacementBroker[]): { plan: PlanPartition[]; unplaced: PlanPartition[] } {
  const candidates = live.filter((b) => b.brokerId !== brokerId).sort((a, b) => a.brokerId - b.brokerId);
  const isRackAware = candidates.length > 0 && candidates.every((b) => b.rack !== null);
  const rackOf = new Map(live.map((b) => [b.brokerId, b.rack]));
  const load = new Map<number, number>(candidates.map((b) => [b.brokerId, 0]));
  const preferredLoad = new Map<number, number>(candidates.map((b) => [b.brokerId, 0]));
  for (const p of current) {
    p.replicas.forEach((id, slot) => {
      load.set(id, (load.get(id) ?? 0) + 1);
      if (slot === 0) preferredLoad.set(id, (preferredLoad.get(id) ?? 0) + 1);
    });
  }
  const plan: PlanPartition[] = [];
  const unplaced: PlanPartition[] = [];
  for (const p of sortPartitions(current)) {
    const slot = p.replicas.indexOf(brokerId);
    if (slot === -1) continue;
    const free = candidates.filter((b) => !p.replicas.includes(b.brokerId));
    const usedRacks = new Set(p.replicas.filter((id) => id !== brokerId).map((id) => rackOf.get(id) ?? null));
    const apart = isRackAware ? free.filter((b) => !usedRacks.has(b.rack)) : [];
    const pool = apart.length > 0 ? apart : free;
    if (pool.length === 0) {
      unplaced.push(p);
      continue;
    }
    const cost = (id: number): [number, number] => [load.get(id)!, slot === 0 ? preferredLoad.get(id)! : 0];
    const chosen = pool.map((b) => b.brokerId).reduce((best, id) => (isCheaper(cost(id), cost(best)) ? id : best));
    load.set(chosen, load.get(chosen)! + 1);
    if (slot === 0) preferredLoad.set(chosen, preferredLoad.get(chosen)! + 1);
    plan.push({ ...p, replicas: p.replicas.map((id) => (id === brokerId ? chosen : id)) });
  }
  return { plan, unplaced };
}

function isCheaper(a: [number, number], b: [number, number]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/**
 * Why the cluster cannot take the plan: partitions that do not exist, or replicas on brokers
 * that are not live (Kafka's tool refuses unknown brokers before it sends anything).
 */
export function planProblems(plan: readonly PlanPartition[], topics: readonly TopicMetadata[], brokers: readonly BrokerNode[]): string[] {
  const problems: string[] = [];
  const byName = new Map(topics.map((t) => [t.name, t]));
  for (const p of plan) {
    const topic = byName.get(p.topic);
    if (topic === undefined || !topic.partitions.some((x) => x.partition === p.partition)) problems.push(`partition ${p.topic}-${p.partition} does not exist`);
  }
  const live = new Set(brokers.map((b) => b.nodeId));
  const absent = [...new Set(plan.flatMap((p) => p.replicas))].filter((id) => !live.has(id)).sort((a, b) => a - b);
  if (absent.length > 0) problems.push(`broker(s) ${absent.join(',')} are not live (live brokers: ${[...live].sort((a, b) => a - b).join(',')})`);
  return problems;
}

export type ReassignmentState = 'complete' | 'in progress' | 'not started' | 'missing';

export interface PartitionStatus extends PlanPartition {
  state: ReassignmentState;
  /** Its replicas now, as Metadata lists them (target then removing while in progress). */
  currentReplicas: number[];
}

/**
 * --verify: in progress while the controller lists the partition as reassigning; complete once it
 * does not and its replicas are exactly the plan's, in order; otherwise not started (never sent,
 * cancelled, or replaced by another move).
 */
export function verifyPlan(plan: readonly PlanPartition[], topics: readonly TopicMetadata[], ongoing: readonly OngoingReassignment[]): PartitionStatus[] {
  const byName = new Map(topics.map((t) => [t.name, t]));
  const moving = new Set(ongoing.map((o) => `${o.partition}:${o.topic}`));
  return sortPartitions(plan).map((p) => {
    const now = byName.get(p.topic)?.partitions.find((x) => x.partition === p.partition);
    if (now === undefined) return { ...p, state: 'missing', currentReplicas: [] };
    const currentReplicas = [...now.replicaNodes];
    if (moving.has(`${p.partition}:${p.topic}`)) return { ...p, state: 'in progress', currentReplicas };
    const isSame = currentReplicas.length === p.replicas.length && currentReplicas.every((id, i) => id === p.replicas[i]);
    return { ...p, state: isSame ? 'complete' : 'not started', currentReplicas };
  });
}
