// Goal: a seeded simulation of the controller's pure core. Broker processes register (new
// incarnations, duplicates, restarts after crashes and after clean shutdowns), heartbeat (caught
// up or behind, now and then asking to be fenced), crash, shut down under control, and lead
// partitions whose ISR they shrink and expand through AlterPartition (sometimes with stale
// epochs or ineligible members); meanwhile time passes and expired sessions are fenced, topics
// and partitions are created and deleted, preferred leaders are elected, dead brokers are
// unregistered and the active controller fails over. Partitions are reassigned (random targets,
// decommission plans, balanced plans, some invalid), reassignments are cancelled and complete as
// their new replicas join the ISR; topics switch unclean.leader.election.enable on and off over a
// per-seed broker default, and operators ask for unclean and preferred elections. Every
// decision's records are applied to one image, completable reassignments are completed after each
// step (as the controller does after each commit), and after every step:
// - each ISR is a non-empty set of replicas; with two or more members, all of them are active;
// - a leader is -1 or an active ISR member, and -1 only when no ISR member is active (so fenced
//   or shutting-down brokers lead nothing, and no election is missed);
// - a PartitionChange bumps the partition epoch by one, and the leader epoch by one exactly when
//   the leader changes; epochs never go back, and a partition record is never rewritten;
// - during a reassignment replicas are the target the sim asked for followed by the removing
//   replicas, adding ⊆ target, removing disjoint from it; once none is in progress the replicas
//   are that target exactly; a removing replica outside the ISR never rejoins it;
// - a new leader outside the old ISR comes only from an unclean election (the topic allows it or
//   an operator asked), when no old ISR member could lead, and alone in the new ISR;
// - after a preferred election no partition is left whose preferred replica could lead but doesn't;
// - the image equals the fold of its own toRecords() (every 25 steps also through the codec);
// and each answer agrees with the image it produced (heartbeat flags, AlterPartition results).
//
// Runs SIM_SEEDS seeds (default 24) of SIM_STEPS steps (default 500) from seed 1, plus the
// regression seeds below; SIM_SEED=n replays one seed. A failure prints the seed and the trace.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/common/random.js';
import { alterPartition } from '../../src/controller/alter-partition.js';
import { BrokerLiveness } from '../../src/controller/broker-liveness.js';
import { brokerHeartbeat, fenceBroker, registerBroker, unregisterBroker } from '../../src/controller/broker-ops.js';
import { ElectionType, electLeaders, electUncleanLeaders } from '../../src/controller/elect-leaders.js';
import { leaderImbalance } from '../../src/controller/leader-balance.js';
import { isUncleanElectionEnabled, preferredLeaderElection } from '../../src/controller/partition-election.js';
import {
  alterPartitionReassignments,
  completeReassignments,
  isReassigning,
  reassignmentTarget,
  type ReassignmentRequest,
} from '../../src/controller/reassignment.js';
import { balancedAssignment, decommissionPlan } from '../../src/controller/reassignment-plan.js';
import { alterTopicConfigs, createPartitions, createTopics, deleteTopics, type ControllerEnv } from '../../src/controller/topic-ops.js';
import { MetadataImage, type PartitionImage } from '../../src/metadata/image.js';
import { decodeMetadataRecord, encodeMetadataRecord } from '../../src/metadata/metadata-codec.js';
import type { MetadataRecord } from '../../src/metadata/records.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { CLUSTER_ID, refold, uuid } from '../unit/controller/fixtures.js';

const BROKERS = 5;
const SESSION_TIMEOUT_MS = 1_000;
const TRACE_LINES = 40;
/** Seeds that once failed, kept as regressions (none has yet). */
const REGRESSION_SEEDS: number[] = [];

interface BrokerProcess {
  id: number;
  rack: string | null;
  /** The running incarnation, or null while the process is down. */
  incarnation: string | null;
  brokerEpoch: number;
  isShuttingDown: boolean;
  /** The epoch it had before its last clean shutdown (BrokerRegistration's PreviousBrokerEpoch). */
  previousBrokerEpoch: number;
}

type PartitionState = Pick<PartitionImage, 'leader' | 'leaderEpoch' | 'partitionEpoch' | 'isr' | 'removingReplicas'>;

class ControllerSimulation {
  readonly image = new MetadataImage(CLUSTER_ID);
  readonly trace: string[] = [];
  readonly counts = new Map<string, number>();
  private readonly rng: SeededRandom;
  private readonly liveness = new BrokerLiveness(SESSION_TIMEOUT_MS);
  private readonly registrationOffsets = new Map<number, number>();
  private readonly processes: BrokerProcess[];
  /** Last seen epochs per topicId:partition, to check they never go back. */
  private readonly seen = new Map<string, PartitionState>();
  /** The target the sim last asked for, per topicId:partition, until checked as reached. */
  private readonly targets = new Map<string, number[]>();
  /** The broker default for unclean.leader.election.enable, per seed. */
  private readonly uncleanDefault: boolean;
  /** Set while an operator's UNCLEAN ElectLeaders commits: the topic config does not apply. */
  private isUncleanForced = false;
  private logEndOffset = 0;
  private nowMs = 0;
  private serial = 0;
  private step = 0;

  constructor(readonly seed: number) {
    this.rng = new SeededRandom(seed);
    const racked = this.rng.chance(0.5);
    this.uncleanDefault = this.rng.chance(0.3);
    this.processes = Array.from({ length: BROKERS }, (_, i) => ({
      id: i + 1,
      rack: racked ? `rack-${i % 3}` : null,
      incarnation: null,
      brokerEpoch: -1,
      isShuttingDown: false,
      previousBrokerEpoch: -1,
    }));
  }

  run(steps: number): void {
    for (this.step = 0; this.step < steps; this.step++) {
      this.randomStep();
      this.checkImage();
    }
  }

  private randomStep(): void {
    const r = this.rng.next();
    if (r < 0.07) this.reassign();
    else if (r < 0.09) this.cancelReassignment();
    else if (r < 0.1) this.setUnclean();
    else if (r < 0.11) this.electByOperator();
    else this.clusterStep((r - 0.11) / 0.89);
    this.commit(completeReassignments(this.image), 'reassignment completed');
  }

  private clusterStep(r: number): void {
    if (r < 0.12) return this.advanceTime();
    if (r < 0.22) return this.startBroker(this.rng.pick(this.processes));
    if (r < 0.52) return this.heartbeat(this.rng.pick(this.processes));
    if (r < 0.56) return this.crash(this.rng.pick(this.processes));
    if (r < 0.59) return this.beginShutdown(this.rng.pick(this.processes));
    if (r < 0.66) return this.createTopic();
    if (r < 0.69) return this.growTopic();
    if (r < 0.7) return this.deleteTopic();
    if (r < 0.92) return this.alterIsr();
    if (r < 0.94) return this.electPreferred();
    if (r < 0.96) return this.failover();
    if (r < 0.97) return this.unregisterDead();
    return this.duplicateRegistration();
  }

  // ---- brokers -------------------------------------------------------------------------------

  /** Time passes; usually the controller's session check runs too (sometimes it is late). */
  private advanceTime(): void {
    this.nowMs += this.rng.int(0, SESSION_TIMEOUT_MS / 2);
    if (this.rng.chance(0.3)) return;
    const unfenced = [...this.image.brokers.values()].filter((b) => !b.fenced).map((b) => b.brokerId);
    for (const brokerId of this.liveness.expired(this.nowMs, unfenced)) {
      this.note(`t=${this.nowMs} session of broker ${brokerId} expired`);
      this.commit(fenceBroker(this.image, brokerId, { uncleanDefault: this.uncleanDefault }), 'fenced by expiry');
    }
  }

  private startBroker(p: BrokerProcess): void {
    if (p.incarnation !== null) return;
    const incarnationId = uuid(++this.serial);
    const outcome = this.register(p, incarnationId, p.previousBrokerEpoch);
    if (outcome.errorCode === ErrorCode.NONE) {
      p.incarnation = incarnationId;
      p.brokerEpoch = outcome.brokerEpoch;
      p.isShuttingDown = false;
    }
  }

  /** A second process with the same id: refused while the registered one holds a session. */
  private duplicateRegistration(): void {
    const p = this.rng.pick(this.processes);
    if (p.incarnation === null) return;
    const outcome = this.register(p, uuid(++this.serial), -1);
    if (outcome.errorCode === ErrorCode.NONE) {
      // It took over: the old process learns so from its next heartbeat (STALE_BROKER_EPOCH).
      this.note(`broker ${p.id} taken over by a new incarnation at epoch ${outcome.brokerEpoch}`);
      this.count('takeover');
    }
  }

  private register(p: BrokerProcess, incarnationId: string, previousBrokerEpoch: number) {
    const existing = this.image.brokers.get(p.id);
    const isAlive = (id: number) => this.liveness.isAlive(id, this.nowMs);
    const listeners = [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + p.id, securityProtocol: 0 }];
    const outcome = registerBroker(this.image, { brokerId: p.id, clusterId: CLUSTER_ID, incarnationId, listeners, rack: p.rack, previousBrokerEpoch }, { isAlive, uncleanDefault: this.uncleanDefault });
    const mayRefuse = existing !== undefined && !existing.fenced && isAlive(p.id);
    assert.equal(outcome.errorCode, mayRefuse ? ErrorCode.DUPLICATE_BROKER_REGISTRATION : ErrorCode.NONE, `registration of broker ${p.id}`);
    if (outcome.errorCode !== ErrorCode.NONE) {
      this.note(`broker ${p.id} registration refused (duplicate)`);
      this.count('duplicate refused');
      return outcome;
    }
    assert.ok(outcome.brokerEpoch > (existing?.brokerEpoch ?? -1), 'broker epochs grow');
    this.note(`broker ${p.id} registered at epoch ${outcome.brokerEpoch}`);
    this.registrationOffsets.set(p.id, this.logEndOffset);
    this.liveness.touch(p.id, this.nowMs);
    if (outcome.records.length > 1) this.count('restart moved partitions');
    this.commit(outcome.records, 'registered');
    return outcome;
  }

  private heartbeat(p: BrokerProcess): void {
    if (p.incarnation === null) return;
    const registered = this.registrationOffsets.get(p.id) ?? 0;
    const currentMetadataOffset = this.rng.chance(0.15) ? registered - 1 : this.logEndOffset;
    const wantFence = this.rng.chance(0.02);
    const req = { brokerId: p.id, brokerEpoch: p.brokerEpoch, currentMetadataOffset, wantFence, wantShutDown: p.isShuttingDown };
    const wasFenced = this.image.brokers.get(p.id)?.fenced;
    const out = brokerHeartbeat(this.image, req, { registrationOffset: registered, uncleanDefault: this.uncleanDefault });
    if (out.errorCode !== ErrorCode.NONE) {
      assert.ok(out.errorCode === ErrorCode.STALE_BROKER_EPOCH || out.errorCode === ErrorCode.BROKER_ID_NOT_REGISTERED, `heartbeat error ${out.errorCode}`);
      this.note(`broker ${p.id} epoch ${p.brokerEpoch}: heartbeat refused (${out.errorCode}); the process stops`);
      this.count(out.errorCode === ErrorCode.STALE_BROKER_EPOCH ? 'stale epoch' : 'not registered');
      p.incarnation = null;
      return;
    }
    this.liveness.touch(p.id, this.nowMs);
    this.note(`broker ${p.id} heartbeat${wantFence ? ' wantFence' : ''}${p.isShuttingDown ? ' wantShutDown' : ''} offset ${currentMetadataOffset}/${registered}`);
    this.commit(out.records, 'heartbeat');
    const broker = this.image.brokers.get(p.id)!;
    assert.equal(out.isFenced, broker.fenced, 'isFenced describes the broker after the records');
    assert.equal(out.isCaughtUp, currentMetadataOffset >= registered);
    if (wasFenced && !broker.fenced) this.count('unfenced');
    if (!out.shouldShutDown) {
      if (p.isShuttingDown && out.records.length > 0) this.count('shutdown moved leaders');
      return;
    }
    assert.ok(p.isShuttingDown || broker.inControlledShutdown, 'shutdown only when asked');
    assert.ok(broker.fenced, 'a broker told to shut down is fenced');
    this.note(`broker ${p.id} shuts down cleanly`);
    this.count('shutdown completed');
    p.previousBrokerEpoch = p.brokerEpoch;
    p.incarnation = null;
  }

  private crash(p: BrokerProcess): void {
    if (p.incarnation === null) return;
    this.note(`broker ${p.id} crashes`);
    p.incarnation = null;
    p.previousBrokerEpoch = -1;
  }

  private beginShutdown(p: BrokerProcess): void {
    if (p.incarnation === null || p.isShuttingDown) return;
    this.note(`broker ${p.id} begins controlled shutdown`);
    p.isShuttingDown = true;
  }

  private failover(): void {
    this.note(`t=${this.nowMs} controller failover: fresh sessions for all`);
    this.liveness.resetAll([...this.image.brokers.keys()], this.nowMs);
    this.count('failover');
  }

  private unregisterDead(): void {
    const dead = this.processes.filter((p) => p.incarnation === null && this.image.brokers.has(p.id));
    if (dead.length === 0) return;
    const p = this.rng.pick(dead);
    const out = unregisterBroker(this.image, p.id, { uncleanDefault: this.uncleanDefault });
    assert.equal(out.errorCode, ErrorCode.NONE);
    this.note(`broker ${p.id} unregistered`);
    this.liveness.forget(p.id);
    this.commit(out.records, 'unregistered');
    assert.equal(unregisterBroker(this.image, p.id).errorCode, ErrorCode.BROKER_ID_NOT_REGISTERED);
  }

  // ---- topics and partitions -----------------------------------------------------------------

  private env(): ControllerEnv {
    return { newTopicId: () => uuid(1_000_000 + ++this.serial), randomInt: (bound) => this.rng.nextInt(bound), defaultPartitions: 2, defaultReplicationFactor: 1 };
  }

  private createTopic(): void {
    if (this.image.topicsById.size >= 8) return;
    const name = `t${++this.serial}`;
    const replicationFactor = this.rng.int(1, 3);
    const { results, records } = createTopics(this.image, [{ name, numPartitions: this.rng.int(1, 4), replicationFactor, assignments: [], configs: [] }], this.env());
    const expected = replicationFactor <= this.image.activeBrokers().length ? ErrorCode.NONE : ErrorCode.INVALID_REPLICATION_FACTOR;
    assert.equal(results[0]!.errorCode, expected, `create ${name} rf ${replicationFactor}`);
    this.note(`create ${name} rf ${replicationFactor}: ${results[0]!.errorCode}`);
    this.commit(records, expected === ErrorCode.NONE ? 'topic created' : 'topic refused');
  }

  private growTopic(): void {
    const topics = [...this.image.topicsByName.values()];
    if (topics.length === 0) return;
    const topic = this.rng.pick(topics);
    const out = createPartitions(this.image, { name: topic.name, count: topic.partitions.length + this.rng.int(1, 2), assignments: null }, this.env());
    this.note(`grow ${topic.name}: ${out.errorCode}`);
    if (out.errorCode === ErrorCode.NONE) this.commit(out.records, 'partitions created');
  }

  private deleteTopic(): void {
    const topics = [...this.image.topicsByName.keys()];
    if (topics.length === 0) return;
    const name = this.rng.pick(topics);
    this.note(`delete ${name}`);
    this.commit(deleteTopics(this.image, [{ name, topicId: null }]).records, 'topic deleted');
  }

  private electPreferred(): void {
    const { records } = preferredLeaderElection(this.image);
    this.note(`preferred leader election: ${records.length} moves`);
    this.commit(records, records.length > 0 ? 'preferred leader moved' : 'preferred election idle');
    assert.deepEqual(leaderImbalance(this.image), [], 'a preferred election leaves no movable imbalance');
  }

  /** A running leader shrinks or expands the ISR of one of its partitions. */
  private alterIsr(): void {
    const led = [...this.image.topicsById.values()].flatMap((t) =>
      t.partitions.filter((p) => this.processes.some((b) => b.id === p.leader && b.incarnation !== null)).map((p) => ({ topicId: t.topicId, p })),
    );
    if (led.length === 0) return;
    const { topicId, p } = this.rng.pick(led);
    const name = `${this.image.topicsById.get(topicId)!.name}-${p.partitionId}`;
    const sender = this.processes[p.leader - 1]!;
    const outsiders = p.replicas.filter((id) => !p.isr.includes(id));
    const catchingUp = p.addingReplicas.filter((id) => !p.isr.includes(id));
    const followers = p.isr.filter((id) => id !== p.leader);
    let newIsr: number[];
    if (catchingUp.length > 0 && this.rng.chance(0.5)) newIsr = [...p.isr, this.rng.pick(catchingUp)];
    else if (outsiders.length > 0 && (followers.length === 0 || this.rng.chance(0.6))) newIsr = [...p.isr, this.rng.pick(outsiders)];
    else if (followers.length > 0) {
      const leaving = this.rng.pick(followers);
      newIsr = p.isr.filter((id) => id !== leaving);
    } else return;
    const stale = this.rng.chance(0.1) ? this.rng.int(1, 3) : 0;
    const leaderEpoch = stale === 1 ? p.leaderEpoch - 1 : p.leaderEpoch;
    const partitionEpoch = stale === 2 ? p.partitionEpoch - 1 : p.partitionEpoch;
    const before = { ...p, isr: [...p.isr] };
    const out = alterPartition(this.image, {
      brokerId: sender.id,
      brokerEpoch: sender.brokerEpoch,
      topics: [{ topicId, partitions: [{ partitionIndex: p.partitionId, leaderEpoch, newIsr, partitionEpoch }] }],
    });
    const result = out.topics[0]!.partitions[0]!;
    const expected = this.expectedAlter(sender, before, stale, newIsr);
    assert.equal(result.errorCode, expected, `AlterPartition ${name} by ${sender.id} to [${newIsr}]`);
    this.note(`broker ${sender.id} alters ISR of ${name} [${before.isr}] -> [${newIsr}]${stale ? ' (stale)' : ''}: ${result.errorCode}`);
    this.count(expected === ErrorCode.NONE ? (newIsr.length > before.isr.length ? 'isr expanded' : 'isr shrunk') : `alter error ${expected}`);
    if (newIsr.some((id) => before.removingReplicas.includes(id) && !before.isr.includes(id))) this.count('removing replica kept out');
    this.commit(out.records, 'alter partition');
    const after = this.image.topicsById.get(topicId)!.partitions[p.partitionId]!;
    if (expected === ErrorCode.NONE) {
      assert.deepEqual([result.leaderId, result.leaderEpoch, result.isr, result.partitionEpoch], [after.leader, after.leaderEpoch, after.isr, after.partitionEpoch]);
      assert.equal(after.partitionEpoch, before.partitionEpoch + 1);
    }
  }

  private expectedAlter(sender: BrokerProcess, p: PartitionImage, stale: number, newIsr: number[]): number {
    if (this.image.brokers.get(sender.id)?.brokerEpoch !== sender.brokerEpoch) return ErrorCode.STALE_BROKER_EPOCH;
    if (stale === 1) return ErrorCode.FENCED_LEADER_EPOCH;
    if (stale === 2) return ErrorCode.INVALID_UPDATE_VERSION;
    const rejoins = newIsr.some((id) => p.removingReplicas.includes(id) && !p.isr.includes(id));
    return newIsr.every((id) => this.image.isActiveBroker(id)) && !rejoins ? ErrorCode.NONE : ErrorCode.INELIGIBLE_REPLICA;
  }

  // ---- reassignments and elections -----------------------------------------------------------

  private partitions(): { name: string; topicId: string; p: PartitionImage }[] {
    return [...this.image.topicsById.values()].flatMap((t) => t.partitions.map((p) => ({ name: t.name, topicId: t.topicId, p })));
  }

  private shuffled<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.rng.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  private submit(req: ReassignmentRequest): number[] {
    const out = alterPartitionReassignments(this.image, req, { uncleanDefault: this.uncleanDefault });
    this.commit(out.records, 'reassignment changed');
    return out.responses.flatMap((t) => t.partitions.map((p) => p.errorCode));
  }

  /** A random target (sometimes an invalid one, or for a missing partition), or a planner's. */
  private reassign(): void {
    const r = this.rng.next();
    if (r < 0.15) return this.reassignByDecommission();
    if (r < 0.25) return this.reassignBalanced();
    const all = this.partitions();
    if (all.length === 0) return;
    const { name, topicId, p } = this.rng.pick(all);
    const registered = [...this.image.brokers.keys()];
    let target = this.shuffled(registered).slice(0, this.rng.int(1, 3));
    let expected: number = ErrorCode.NONE;
    let partitionIndex = p.partitionId;
    const flaw = this.rng.next();
    if (target.length === 0 || flaw < 0.03) [target, expected] = [[], ErrorCode.INVALID_REPLICA_ASSIGNMENT];
    else if (flaw < 0.06) [target, expected] = [[...target, target[0]!], ErrorCode.INVALID_REPLICA_ASSIGNMENT];
    else if (flaw < 0.09) [target, expected] = [[...target, 99], ErrorCode.INVALID_REPLICA_ASSIGNMENT];
    else if (flaw < 0.12) [partitionIndex, expected] = [p.partitionId + 100, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION];
    const [errorCode] = this.submit({ topics: [{ name, partitions: [{ partitionIndex, replicas: target }] }] });
    this.note(`reassign ${name}-${partitionIndex} [${p.replicas}] -> [${target}]: ${errorCode}`);
    assert.equal(errorCode, expected, `reassign ${name}-${partitionIndex} to [${target}]`);
    this.count(expected === ErrorCode.NONE ? 'reassignment started' : `reassign error ${expected}`);
    if (expected === ErrorCode.NONE) this.targets.set(`${topicId}:${partitionIndex}`, target);
  }

  /** Every replica off one broker, as `tideline reassign` would plan it. */
  private reassignByDecommission(): void {
    const brokerId = this.rng.pick(this.processes).id;
    const plan = decommissionPlan(this.image, brokerId);
    if (plan.topics.length === 0) return;
    const codes = this.submit({ topics: plan.topics });
    this.note(`decommission broker ${brokerId}: ${codes.length} partitions, ${plan.unplaced.length} unplaced`);
    assert.ok(codes.every((c) => c === ErrorCode.NONE), 'a decommission plan is accepted');
    this.count('decommission planned');
    this.rememberTargets(plan.topics, (replicas) => assert.ok(!replicas.includes(brokerId), 'the plan moves every replica off the broker'));
  }

  /** A balanced plan for some topics over the active brokers. */
  private reassignBalanced(): void {
    const names = this.shuffled([...this.image.topicsByName.keys()]).slice(0, 2);
    const brokers = this.image.activeBrokers().map((b) => b.brokerId);
    if (names.length === 0 || brokers.length === 0) return;
    const plan = balancedAssignment(this.image, names, brokers);
    this.note(`balanced plan for ${names} over [${brokers}]: ${plan.errorCode}`);
    assert.ok(plan.errorCode === ErrorCode.NONE || plan.errorCode === ErrorCode.INVALID_REPLICATION_FACTOR, `balanced plan: ${plan.errorMessage}`);
    if (plan.errorCode !== ErrorCode.NONE) return;
    assert.ok(this.submit({ topics: plan.topics }).every((c) => c === ErrorCode.NONE), 'a balanced plan is accepted');
    this.count('balanced plan');
    this.rememberTargets(plan.topics, (replicas) => assert.ok(replicas.every((id) => brokers.includes(id)), 'only the given brokers'));
  }

  private rememberTargets(topics: { name: string; partitions: { partitionIndex: number; replicas: number[] }[] }[], check: (replicas: number[]) => void): void {
    for (const t of topics) {
      const topicId = this.image.topicsByName.get(t.name)!.topicId;
      for (const { partitionIndex, replicas } of t.partitions) {
        check(replicas);
        this.targets.set(`${topicId}:${partitionIndex}`, replicas);
      }
    }
  }

  /** Cancels a reassignment in progress (or, with none, expects NO_REASSIGNMENT_IN_PROGRESS). */
  private cancelReassignment(): void {
    const all = this.partitions();
    const moving = all.filter(({ p }) => isReassigning(p));
    if (all.length === 0) return;
    const { name, topicId, p } = moving.length > 0 && this.rng.chance(0.9) ? this.rng.pick(moving) : this.rng.pick(all);
    const original = p.replicas.filter((id) => !p.addingReplicas.includes(id));
    const isrLeft = p.isr.filter((id) => !p.addingReplicas.includes(id));
    const mayUnclean = isUncleanElectionEnabled(this.image, name, this.uncleanDefault) && original.some((id) => this.image.isActiveBroker(id));
    const expected = !isReassigning(p) ? ErrorCode.NO_REASSIGNMENT_IN_PROGRESS : isrLeft.length > 0 || mayUnclean ? ErrorCode.NONE : ErrorCode.INVALID_REPLICA_ASSIGNMENT;
    const [errorCode] = this.submit({ topics: [{ name, partitions: [{ partitionIndex: p.partitionId, replicas: null }] }] });
    this.note(`cancel reassignment of ${name}-${p.partitionId} [${p.replicas}] +[${p.addingReplicas}] -[${p.removingReplicas}]: ${errorCode}`);
    assert.equal(errorCode, expected, `cancel ${name}-${p.partitionId}`);
    this.count(expected === ErrorCode.NONE ? 'reassignment cancelled' : `cancel error ${expected}`);
    if (expected === ErrorCode.NONE) this.targets.set(`${topicId}:${p.partitionId}`, original);
  }

  /** A topic's unclean.leader.election.enable is set, cleared or removed; leaderless ones may then lead. */
  private setUnclean(): void {
    const names = [...this.image.topicsByName.keys()];
    if (names.length === 0) return;
    const name = this.rng.pick(names);
    const value = this.rng.pick(['true', 'false', null]);
    const out = alterTopicConfigs(this.image, name, [{ name: 'unclean.leader.election.enable', op: value === null ? 1 : 0, value }]);
    assert.equal(out.errorCode, ErrorCode.NONE);
    this.note(`${name}: unclean.leader.election.enable=${value} (default ${this.uncleanDefault})`);
    this.commit(out.records, 'unclean config changed');
    this.commit(electUncleanLeaders(this.image, { uncleanDefault: this.uncleanDefault }), 'unclean election after config');
  }

  /** An operator's ElectLeaders, PREFERRED or UNCLEAN, for everything or a few named partitions. */
  private electByOperator(): void {
    const electionType = this.rng.chance(0.5) ? ElectionType.UNCLEAN : ElectionType.PREFERRED;
    const named = this.rng.chance(0.5) ? null : this.shuffled(this.partitions()).slice(0, 3).map(({ name, p }) => ({ topic: name, partitionId: p.partitionId }));
    const out = electLeaders(this.image, electionType, named);
    this.note(`ElectLeaders type ${electionType} on ${named === null ? 'all' : JSON.stringify(named)}: ${out.records.length} elected`);
    this.isUncleanForced = electionType === ElectionType.UNCLEAN;
    this.commit(out.records, electionType === ElectionType.UNCLEAN ? 'unclean ElectLeaders' : 'preferred ElectLeaders');
    this.isUncleanForced = false;
    for (const r of out.results) {
      const p = this.image.topicsByName.get(r.topic)!.partitions[r.partitionId]!;
      if (r.errorCode === ErrorCode.NONE) assert.notEqual(p.leader, -1, 'an election that succeeded left a leader');
      if (r.errorCode === ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE) {
        assert.ok(p.leader === -1 && !p.replicas.some((id) => this.image.isActiveBroker(id) && !p.removingReplicas.includes(id)), 'no candidate at all');
      }
    }
  }

  // ---- applying and checking -----------------------------------------------------------------

  /** Applies a decision's records to the image, checking each partition change as it lands. */
  private commit(records: MetadataRecord[], what: string): void {
    if (records.length > 0) this.count(what);
    for (const r of records) {
      if (r.type === 'Partition') {
        assert.equal(this.image.topicsById.get(r.topicId)?.partitions[r.partitionId], undefined, 'a partition record never rewrites a partition');
      }
      const before = r.type === 'PartitionChange' ? { ...this.image.topicsById.get(r.topicId)!.partitions[r.partitionId]! } : undefined;
      this.image.apply(r);
      this.logEndOffset++;
      if (before && r.type === 'PartitionChange') {
        const after = this.image.topicsById.get(r.topicId)!.partitions[r.partitionId]!;
        assert.equal(after.partitionEpoch, before.partitionEpoch + 1, 'each change bumps the partition epoch');
        assert.equal(after.leaderEpoch, before.leaderEpoch + (after.leader !== before.leader ? 1 : 0), 'the leader epoch bumps exactly on a leader change');
        if (after.leader === -1 && before.leader !== -1) this.count('went leaderless');
        if (after.leader !== before.leader && after.leader !== -1 && !before.isr.includes(after.leader)) this.checkUnclean(r.topicId, before, after);
        if (r.replicas && !isReassigning(after) && isReassigning(before)) this.count(after.leader !== before.leader ? 'reassignment moved leader' : 'reassignment ended');
      }
    }
  }

  /** A leader from outside the old ISR: only an unclean election, where allowed, when no old ISR member that stays a replica could lead. */
  private checkUnclean(topicId: string, before: PartitionImage, after: PartitionImage): void {
    const name = this.image.topicsById.get(topicId)!.name;
    const where = `${name}-${after.partitionId}: leader ${after.leader} from outside the ISR [${before.isr}]`;
    assert.ok(this.isUncleanForced || isUncleanElectionEnabled(this.image, name, this.uncleanDefault), `${where} without unclean election allowed`);
    // A cancelled reassignment drops its adding replicas: only old ISR members that stay count.
    assert.ok(!before.isr.some((id) => after.replicas.includes(id) && this.image.isActiveBroker(id)), `${where} although an ISR member could lead`);
    assert.deepEqual(after.isr, [after.leader], `${where}: not alone in the ISR`);
    assert.ok(!after.removingReplicas.includes(after.leader), `${where}: a replica being removed`);
    this.count('unclean election');
  }

  private checkImage(): void {
    for (const topic of this.image.topicsById.values()) {
      for (const p of topic.partitions) this.checkPartition(topic.topicId, p);
    }
    assert.deepEqual(refold(this.image), this.image, 'the image equals the fold of its toRecords()');
    if (this.step % 25 === 0) {
      const viaCodec = new MetadataImage(CLUSTER_ID);
      for (const r of this.image.toRecords()) viaCodec.apply(decodeMetadataRecord(encodeMetadataRecord(r))!);
      assert.deepEqual(viaCodec, this.image, 'the snapshot survives the codec');
    }
  }

  private checkPartition(topicId: string, p: PartitionImage): void {
    const where = `partition ${topicId}-${p.partitionId} ${JSON.stringify(p)}`;
    const active = (id: number) => this.image.isActiveBroker(id);
    assert.ok(p.replicas.length > 0 && new Set(p.replicas).size === p.replicas.length, `${where}: replicas`);
    assert.ok(p.isr.length > 0 && new Set(p.isr).size === p.isr.length, `${where}: ISR non-empty, no repeats`);
    assert.ok(p.isr.every((id) => p.replicas.includes(id)), `${where}: ISR within replicas`);
    if (p.isr.length > 1) assert.ok(p.isr.every(active), `${where}: a shared ISR holds only active brokers`);
    if (p.leader === -1) assert.ok(!p.isr.some(active), `${where}: leaderless although an ISR member could lead`);
    else assert.ok(p.isr.includes(p.leader) && active(p.leader), `${where}: leader in the ISR and active`);
    const key = `${topicId}:${p.partitionId}`;
    const last = this.seen.get(key);
    this.checkReassignment(key, p, last);
    if (last) {
      assert.ok(p.partitionEpoch >= last.partitionEpoch && p.leaderEpoch >= last.leaderEpoch, `${where}: epochs went back`);
      if (p.leader !== last.leader) assert.ok(p.leaderEpoch > last.leaderEpoch, `${where}: leader changed without a new leader epoch`);
      if (p.partitionEpoch === last.partitionEpoch) assert.equal(p.leader, last.leader, `${where}: changed without a new partition epoch`);
    }
    this.seen.set(key, { leader: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, isr: [...p.isr], removingReplicas: [...p.removingReplicas] });
  }

  private checkReassignment(key: string, p: PartitionImage, last: PartitionState | undefined): void {
    const where = `partition ${key} ${JSON.stringify(p)}`;
    const { addingReplicas: adding, removingReplicas: removing } = p;
    assert.ok(new Set(adding).size === adding.length && new Set(removing).size === removing.length, `${where}: repeats`);
    assert.ok(!adding.some((id) => removing.includes(id)), `${where}: adding and removing overlap`);
    assert.ok([...adding, ...removing].every((id) => p.replicas.includes(id)), `${where}: adding or removing outside the replicas`);
    const target = this.targets.get(key);
    if (isReassigning(p)) {
      assert.ok(target, `${where}: a reassignment nobody started`);
      assert.deepEqual(p.replicas, [...target, ...removing], `${where}: replicas are not target [${target}] then removing`);
      assert.deepEqual(reassignmentTarget(p), target);
      assert.ok(adding.every((id) => target.includes(id)), `${where}: adding outside the target`);
    } else if (target) {
      assert.deepEqual(p.replicas, target, `${where}: finished, but not on its target [${target}]`);
      this.targets.delete(key);
    }
    for (const id of removing) {
      if (last?.removingReplicas.includes(id) && !last.isr.includes(id)) assert.ok(!p.isr.includes(id), `${where}: removing replica ${id} rejoined the ISR`);
    }
  }

  private note(line: string): void {
    this.trace.push(`[${this.step}] ${line}`);
    if (this.trace.length > TRACE_LINES * 4) this.trace.splice(0, this.trace.length - TRACE_LINES);
  }

  private count(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }
}

function seeds(): number[] {
  const only = process.env['SIM_SEED'];
  if (only !== undefined) return [Number(only)];
  const count = Number(process.env['SIM_SEEDS'] ?? 24);
  return [...Array.from({ length: count }, (_, i) => i + 1), ...REGRESSION_SEEDS];
}

test('controller simulation keeps its invariants over many seeds', () => {
  const totals = new Map<string, number>();
  const steps = Number(process.env['SIM_STEPS'] ?? 500);
  for (const seed of seeds()) {
    const sim = new ControllerSimulation(seed);
    try {
      sim.run(steps);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`seed ${seed} (replay: SIM_SEED=${seed}): ${message}\n${sim.trace.slice(-TRACE_LINES).join('\n')}`, { cause: err });
    }
    for (const [what, n] of sim.counts) totals.set(what, (totals.get(what) ?? 0) + n);
  }
  if (process.env['SIM_SEED'] !== undefined) return;
  // The schedules must reach the interesting paths, not only the happy one.
  const reached = [
    'registered',
    'duplicate refused',
    'takeover',
    'stale epoch',
    'unfenced',
    'fenced by expiry',
    'restart moved partitions',
    'shutdown moved leaders',
    'shutdown completed',
    'went leaderless',
    'isr expanded',
    'isr shrunk',
    `alter error ${ErrorCode.INELIGIBLE_REPLICA}`,
    `alter error ${ErrorCode.FENCED_LEADER_EPOCH}`,
    `alter error ${ErrorCode.INVALID_UPDATE_VERSION}`,
    'topic created',
    'partitions created',
    'topic deleted',
    'preferred leader moved',
    'unregistered',
    'failover',
    'reassignment started',
    'reassignment completed',
    'reassignment moved leader',
    'reassignment ended',
    'reassignment cancelled',
    `reassign error ${ErrorCode.INVALID_REPLICA_ASSIGNMENT}`,
    `reassign error ${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`,
    `cancel error ${ErrorCode.NO_REASSIGNMENT_IN_PROGRESS}`,
    'decommission planned',
    'balanced plan',
    'removing replica kept out',
    'unclean election',
    'unclean ElectLeaders',
    'unclean config changed',
  ];
  for (const what of reached) assert.ok((totals.get(what) ?? 0) > 0, `no schedule reached "${what}": ${JSON.stringify(Object.fromEntries(totals))}`);
});
