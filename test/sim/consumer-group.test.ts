// Goal: a seeded simulation of KIP-848 consumer groups. Clients heartbeat over a network that
// delays and loses messages, obey the reconciliation protocol (revoke what they are told, report
// what they own, take partitions only as the coordinator hands them out), change subscriptions,
// leave (dynamic, and static for a while), crash and come back, and now and then get stuck in a
// revocation past their rebalance timeout, while topics grow, appear and vanish. After every step:
// no partition is owned by two members (as the clients believe, from the assignments they acted
// on), and every client owns only what the group holds for it. Once the chaos stops and the group
// goes quiet: it is stable, and every partition of a subscribed topic is owned by exactly one
// client that subscribes to it.
//
// Runs SIM_RUNS seeds (default 500, about 7 s) starting at 1; SIM_SEED=n replays one seed, and
// SIM_TRACE=n keeps the last n trace lines (default 60) that a failure prints with its seed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/common/logger.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { ConsumerGroupHeartbeatRequest } from '../../src/protocol/generated/consumer-group-heartbeat-request.js';
import type {
  ConsumerGroupHeartbeatResponseAssignmentInput,
  ConsumerGroupHeartbeatResponseInput,
} from '../../src/protocol/generated/consumer-group-heartbeat-response.js';
import { ConsumerGroup, type ConsumerGroupConfig, type TopicsView } from '../../src/group/consumer/index.js';
import { SeededRandom } from '../../src/common/random.js';
import { FakeTopics } from '../unit/group/consumer-harness.js';

const CLIENTS = 5;
const CHAOS_MS = 300_000;
const QUIET_MS = 120_000;
const REQUEST_TIMEOUT_MS = 3_000;
const LOSS = 0.03;
const config: ConsumerGroupConfig = { sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5_000, maxSize: 20, assignors: ['uniform', 'range'] };
const BASE_TOPICS = ['orders', 'clicks', 'audit', 'later'];


/** A binary heap of timed events, ties broken by insertion order so runs are reproducible. */
class Scheduler {
  nowMs = 0;
  #heap: { at: number; seq: number; run: () => void }[] = [];
  #seq = 0;
  after(delayMs: number, run: () => void): void {
    const e = { at: this.nowMs + delayMs, seq: this.#seq++, run };
    const h = this.#heap;
    h.push(e);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }
  nextAt(): number | null {
    return this.#heap[0]?.at ?? null;
  }
  pop(): (() => void) | undefined {
    const h = this.#heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    this.nowMs = top.at;
    return top.run;
  }
}

const before = (a: { at: number; seq: number }, b: { at: number; seq: number }) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

const newSimTopics = (): FakeTopics => new FakeTopics((name, created) => `${name}#${created}`);

type Owned = Map<string, Set<number>>;

interface Client {
  readonly name: string;
  readonly apiVersion: 0 | 1;
  readonly instanceId: string | null;
  incarnation: number;
  isAlive: boolean;
  memberId: string;
  memberEpoch: number;
  hasJoined: boolean;
  names: string[];
  regex: string | null;
  isSubscriptionChanged: boolean;
  rebalanceTimeoutMs: number;
  /** What the client believes it owns and acts on. */
  owned: Owned;
  /** The last assignment the coordinator sent. */
  target: Owned | null;
  inFlight: number | null;
  needsFullRequest: boolean;
  isOwnedChanged: boolean;
  isRevoking: boolean;
  /** Its revocation callback outlives the rebalance timeout: the group fences it meanwhile. */
  isStuck: boolean;
  /** Was stuck, and no request sent since has been answered: it may be a fenced zombie. */
  isMaybeFenced: boolean;
  /** The last request id sent while stuck. */
  lastStuckRequest: number;
  isLeaving: boolean;
  /** Leaving, done revoking, waiting for the response in flight before sending the leave. */
  isLeaveReady: boolean;
  sendAfterResponse: boolean;
  timer: number;
}

const key = (topicId: string, p: number) => `${topicId}:${p}`;
const toEntries = (owned: Owned) =>
  [...owned]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([topicId, ps]) => ({ topicId, partitions: [...ps].sort((a, b) => a - b) }));
const fmt = (owned: Owned | null) =>
  owned === null ? 'null' : toEntries(owned).map((e) => `${e.topicId}[${e.partitions.join(',')}]`).join(' ') || '-';

class Simulation {
  readonly rng: SeededRandom;
  readonly sched = new Scheduler();
  readonly topics = newSimTopics();
  readonly group: ConsumerGroup;
  readonly clients: Client[] = [];
  readonly trace: string[] = [];
  #requests = 0;
  #isQuiet = false;

  constructor(readonly seed: number) {
    this.rng = new SeededRandom(seed);
    let generated = 0;
    this.group = new ConsumerGroup('sim', config, () => `gen-${++generated}`, silentLogger);
    for (const name of BASE_TOPICS.slice(0, 3)) this.topics.create(name, this.rng.int(1, 8));
    for (let i = 0; i < CLIENTS; i++) {
      const apiVersion = this.rng.chance(0.25) ? 0 : 1;
      this.clients.push({
        name: `c${i}`,
        apiVersion,
        instanceId: this.rng.chance(0.4) ? `instance-${i}` : null,
        incarnation: 0,
        isAlive: false,
        memberId: '',
        memberEpoch: 0,
        hasJoined: false,
        names: [],
        regex: null,
        isSubscriptionChanged: false,
        rebalanceTimeoutMs: this.rng.int(15_000, 60_000),
        owned: new Map(),
        target: null,
        inFlight: null,
        needsFullRequest: false,
        isOwnedChanged: false,
        isRevoking: false,
        isStuck: false,
        isMaybeFenced: false,
        lastStuckRequest: 0,
        isLeaving: false,
        isLeaveReady: false,
        sendAfterResponse: false,
        timer: 0,
      });
    }
  }

  log(line: string): void {
    this.trace.push(`${this.sched.nowMs} ${line}`);
    if (this.trace.length > Number(process.env["SIM_TRACE"] ?? 60)) this.trace.shift();
  }

  run(): void {
    for (const c of this.clients) this.sched.after(this.rng.int(0, 2_000), () => this.start(c));
    this.sched.after(this.rng.int(1_000, 8_000), () => this.chaos());
    this.sched.after(CHAOS_MS, () => {
      this.#isQuiet = true;
      this.log('quiet');
    });
    const endMs = CHAOS_MS + QUIET_MS;
    for (;;) {
      const at = this.sched.nextAt();
      const deadline = this.group.nextDeadlineMs();
      if (deadline !== null && (at === null || deadline < at) && deadline <= endMs) {
        this.sched.nowMs = deadline;
        if (this.group.expire(deadline).changed) this.log(`expire: group epoch ${this.group.groupEpoch}`);
        this.check();
        continue;
      }
      if (at === null || at > endMs) break;
      this.sched.pop()!();
      this.check();
    }
    this.sched.nowMs = endMs;
    this.checkQuiet();
  }

  // --- client lifecycle ---

  start(c: Client): void {
    c.incarnation++;
    Object.assign(c, {
      isAlive: true,
      memberId: c.apiVersion === 0 ? '' : `${c.name}.${c.incarnation}.${this.rng.int(0, 1e9).toString(36)}`,
      memberEpoch: 0,
      hasJoined: false,
      owned: new Map(),
      target: null,
      inFlight: null,
      needsFullRequest: false,
      isOwnedChanged: false,
      isRevoking: false,
      isStuck: false,
      isMaybeFenced: false,
      isLeaving: false,
      isLeaveReady: false,
      sendAfterResponse: false,
    });
    if (c.incarnation === 1 || this.rng.chance(0.3)) this.resubscribe(c);
    this.log(`${c.name} starts as ${c.memberId || '(v0)'} ${c.instanceId ?? ''}`);
    this.send(c);
  }

  resubscribe(c: Client): void {
    if (c.apiVersion === 1 && this.rng.chance(0.3)) {
      c.names = [];
      c.regex = this.rng.pick(['extra-.*', 'orders|extra-.*', '(clicks|audit)', 'later|extra-[0-9]+']);
    } else {
      c.names = BASE_TOPICS.filter(() => this.rng.chance(0.5));
      if (c.names.length === 0) c.names = [this.rng.pick(BASE_TOPICS)];
      c.regex = null;
    }
    c.isSubscriptionChanged = true;
  }

  crash(c: Client): void {
    this.log(`${c.name} crashes owning ${fmt(c.owned)}`);
    c.isAlive = false;
    c.owned = new Map();
    c.incarnation++;
    this.sched.after(this.rng.int(1_000, 60_000), () => this.start(c));
  }

  /** Revoke everything, then send the leave heartbeat and stop (KIP-848 leave: epoch -1, or -2 for a static member coming back). */
  leave(c: Client): void {
    this.log(`${c.name} starts leaving`);
    c.isLeaving = true;
    const incarnation = c.incarnation;
    this.sched.after(this.rng.int(0, 2_000), () => {
      if (c.incarnation !== incarnation) return;
      c.owned = new Map();
      if (c.inFlight === null) this.sendLeave(c);
      else c.isLeaveReady = true;
    });
  }

  sendLeave(c: Client): void {
    const epoch = c.instanceId !== null && this.rng.chance(0.7) ? -2 : -1;
    this.log(`${c.name} sends leave ${epoch}`);
    const req = this.request(c, { memberEpoch: epoch, instanceId: c.instanceId });
    this.deliver(req, c, () => {}); // the process is gone: nobody reads the answer
    c.isAlive = false;
    c.incarnation++;
    this.sched.after(this.rng.int(1_000, epoch === -2 ? 30_000 : 60_000), () => this.start(c));
  }

  // --- heartbeats ---

  scheduleHeartbeat(c: Client, delayMs: number): void {
    const timer = ++c.timer;
    const incarnation = c.incarnation;
    this.sched.after(delayMs, () => {
      if (c.incarnation === incarnation && c.timer === timer && c.inFlight === null && !c.isLeaving) this.send(c);
    });
  }

  /** Sends now, or right after the response in flight. */
  sendSoon(c: Client): void {
    if (c.inFlight === null) this.scheduleHeartbeat(c, 0);
    else c.sendAfterResponse = true;
  }

  request(c: Client, fields: Partial<ConsumerGroupHeartbeatRequest>): ConsumerGroupHeartbeatRequest {
    return {
      groupId: 'sim',
      memberId: c.memberId,
      memberEpoch: c.memberEpoch,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: -1,
      subscribedTopicNames: null,
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: null,
      ...fields,
    };
  }

  send(c: Client): void {
    const isJoin = !c.hasJoined;
    const isFull = isJoin || c.needsFullRequest;
    const sendsSubscription = isFull || c.isSubscriptionChanged;
    const req = this.request(c, {
      memberEpoch: isJoin ? 0 : c.memberEpoch,
      instanceId: c.instanceId,
      rebalanceTimeoutMs: isFull ? c.rebalanceTimeoutMs : -1,
      subscribedTopicNames: sendsSubscription ? c.names : null,
      subscribedTopicRegex: sendsSubscription && c.apiVersion === 1 ? (c.regex ?? '') : null,
      serverAssignor: isFull && c.name === 'c0' ? 'range' : null,
      topicPartitions: isJoin ? [] : isFull || c.isOwnedChanged ? toEntries(c.owned) : null,
    });
    assert.ok(!isJoin || c.owned.size === 0, `${c.name} joins owning partitions`);
    c.isSubscriptionChanged = false;
    c.isOwnedChanged = false;
    const id = ++this.#requests;
    c.inFlight = id;
    if (c.isStuck) c.lastStuckRequest = id;
    const incarnation = c.incarnation;
    this.deliver(req, c, (res) => {
      if (c.incarnation !== incarnation || c.inFlight !== id) return;
      c.inFlight = null;
      if (c.isLeaving) {
        if (c.isLeaveReady) this.sendLeave(c); // otherwise leave() sends it once revocation is done
      } else if (res === null) {
        this.log(`${c.name} request ${id} timed out`);
        c.needsFullRequest = true;
        c.isSubscriptionChanged ||= sendsSubscription;
        this.scheduleHeartbeat(c, 0);
      } else {
        if (id > c.lastStuckRequest) c.isMaybeFenced = false; // sent since: now it knows whether it is a member
        this.onResponse(c, req, res);
      }
    });
  }

  /** The network: delays, and loses requests or responses (the client then times out). */
  deliver(
    req: ConsumerGroupHeartbeatRequest,
    c: Client,
    onResult: (res: ConsumerGroupHeartbeatResponseInput | null) => void,
  ): void {
    const loss = this.#isQuiet ? 0 : LOSS;
    const timeout = () => this.sched.after(REQUEST_TIMEOUT_MS, () => onResult(null));
    if (this.rng.chance(loss)) return timeout();
    this.sched.after(this.rng.int(1, 80), () => {
      const { response } = this.group.heartbeat(this.sched.nowMs, c.apiVersion, req, this.topics);
      const owned = req.topicPartitions === null ? 'null' : fmt(fromEntries(req.topicPartitions));
      const assignment = response.assignment == null ? 'null' : fmt(fromEntries(wireEntries(response.assignment)));
      this.log(
        `${c.name} hb ${req.memberId || '(v0)'}@${req.memberEpoch} owned=${owned} -> err=${response.errorCode}` +
          ` epoch=${response.memberEpoch} assignment=${assignment} [group ${this.group.groupEpoch} ${this.group.state}]`,
      );
      if (this.rng.chance(loss)) return timeout();
      this.sched.after(this.rng.int(1, 80), () => onResult(response));
    });
  }

  onResponse(c: Client, req: ConsumerGroupHeartbeatRequest, res: ConsumerGroupHeartbeatResponseInput): void {
    switch (res.errorCode) {
      case ErrorCode.NONE: {
        if (c.memberId === '') c.memberId = res.memberId!;
        assert.equal(res.memberId, c.memberId);
        c.memberEpoch = res.memberEpoch!;
        c.hasJoined = true;
        c.needsFullRequest = false;
        if (res.assignment != null) c.target = fromEntries(wireEntries(res.assignment));
        assert.ok(c.target !== null, `${c.name} has no assignment after ${req.memberEpoch === 0 ? 'joining' : 'a heartbeat'}`);
        this.reconcile(c);
        const again = c.sendAfterResponse;
        c.sendAfterResponse = false;
        this.scheduleHeartbeat(c, again ? 0 : res.heartbeatIntervalMs!);
        return;
      }
      case ErrorCode.FENCED_MEMBER_EPOCH:
      case ErrorCode.UNKNOWN_MEMBER_ID:
        // Abandon everything (onPartitionsLost) and rejoin at epoch 0 under the same member id.
        this.log(`${c.name} fenced (${res.errorCode}), loses ${fmt(c.owned)}`);
        c.owned = new Map();
        c.target = null;
        c.hasJoined = false;
        c.memberEpoch = 0;
        c.sendAfterResponse = false;
        this.scheduleHeartbeat(c, this.rng.int(0, 100));
        return;
      case ErrorCode.UNRELEASED_INSTANCE_ID:
      case ErrorCode.GROUP_MAX_SIZE_REACHED:
        assert.ok(!c.hasJoined && c.owned.size === 0);
        this.scheduleHeartbeat(c, 1_000);
        return;
      default:
        assert.fail(`${c.name} got unexpected error ${res.errorCode}: ${res.errorMessage}`);
    }
  }

  /**
   * The client side of reconciliation. Revoking (dropping) is always safe, after the callback's
   * delay. Taking partitions is safe only from the assignment the group holds for this member right
   * now, which the client knows exactly when no heartbeat is in flight: a member's assignment
   * changes only while one of its own heartbeats is processed.
   */
  reconcile(c: Client): void {
    if (!c.isAlive || c.isLeaving || c.isRevoking || c.target === null) return;
    const target = c.target;
    const revoked: [string, number][] = [];
    for (const [topicId, ps] of c.owned) for (const p of ps) if (!target.get(topicId)?.has(p)) revoked.push([topicId, p]);
    if (revoked.length > 0) {
      c.isRevoking = true;
      c.isStuck = !this.#isQuiet && this.rng.chance(0.02);
      if (c.isStuck) {
        c.isMaybeFenced = true;
        c.lastStuckRequest = c.inFlight ?? this.#requests;
      }
      const delayMs = c.isStuck ? c.rebalanceTimeoutMs + this.rng.int(1_000, 10_000) : this.rng.int(0, 2_000);
      if (c.isStuck) this.log(`${c.name} is stuck revoking for ${delayMs} ms`);
      const incarnation = c.incarnation;
      this.sched.after(delayMs, () => {
        if (c.incarnation !== incarnation || !c.isRevoking) return;
        for (const [topicId, p] of revoked) {
          c.owned.get(topicId)?.delete(p);
          if (c.owned.get(topicId)?.size === 0) c.owned.delete(topicId);
        }
        this.log(`${c.name} revoked ${revoked.map(([t, p]) => key(t, p)).join(' ')}`);
        c.isRevoking = false;
        c.isStuck = false;
        c.isOwnedChanged = true;
        this.reconcile(c);
        this.sendSoon(c);
      });
      return;
    }
    if (c.inFlight !== null) return; // reconciled again when the response arrives
    let isAdded = false;
    for (const [topicId, ps] of target) {
      for (const p of ps) {
        let owned = c.owned.get(topicId);
        if (owned?.has(p)) continue;
        if (owned === undefined) c.owned.set(topicId, (owned = new Set()));
        owned.add(p);
        isAdded = true;
      }
    }
    if (isAdded) {
      this.log(`${c.name} now owns ${fmt(c.owned)}`);
      c.isOwnedChanged = true;
      this.sendSoon(c);
    }
  }

  // --- the world changing ---

  chaos(): void {
    if (this.#isQuiet) return;
    const alive = this.clients.filter((c) => c.isAlive && !c.isLeaving);
    const roll = this.rng.next();
    if (roll < 0.15 && alive.length > 0) this.crash(this.rng.pick(alive));
    else if (roll < 0.3 && alive.length > 0) this.leave(this.rng.pick(alive));
    else if (roll < 0.45 && alive.length > 0) {
      const c = this.rng.pick(alive);
      this.resubscribe(c);
      this.log(`${c.name} subscribes to ${c.regex ?? c.names.join(',')}`);
      this.sendSoon(c);
    } else if (roll < 0.75) this.changeTopics();
    this.sched.after(this.rng.int(1_000, 8_000), () => this.chaos());
  }

  changeTopics(): void {
    const names = this.topics.names();
    const roll = this.rng.next();
    if (roll < 0.4) {
      const name = this.rng.pick(names);
      const partitions = this.topics.byName(name)!.partitions;
      if (partitions < 12) this.topics.grow(name, partitions + this.rng.int(1, 3));
    } else if (roll < 0.7) {
      const name = this.rng.chance(0.3) ? 'later' : `extra-${this.rng.int(1, 4)}`;
      if (this.topics.byName(name) === undefined) this.topics.create(name, this.rng.int(1, 6));
    } else {
      const extras = names.filter((n) => n.startsWith('extra-'));
      if (extras.length > 0) this.topics.delete(this.rng.pick(extras));
    }
    this.log(`topics now ${this.topics.names().map((n) => `${n}:${this.topics.byName(n)!.partitions}`).join(' ')}`);
    this.group.onTopicsChanged(this.sched.nowMs, this.topics);
  }

  // --- invariants ---

  /**
   * No partition owned twice; each client owns only what the group holds for its member. The one
   * exception is a client stuck in a revocation past its rebalance timeout: the group fenced it
   * (it is no member, and may commit nothing) and it has not heard yet; such a zombie is left out.
   */
  check(): void {
    const owners = new Map<string, string>();
    const held = new Map(this.group.snapshot().members.map((m) => [m.memberId, m]));
    for (const c of this.clients) {
      if (!c.isAlive) continue;
      const member = held.get(c.memberId);
      if (member === undefined && c.owned.size > 0) {
        assert.ok(c.isMaybeFenced, `${c.name} owns partitions but is no member`);
        assert.equal(this.group.validateOffsetCommit(c.memberId, c.memberEpoch), ErrorCode.UNKNOWN_MEMBER_ID);
        continue;
      }
      for (const [topicId, ps] of c.owned) {
        for (const p of ps) {
          const other = owners.get(key(topicId, p));
          assert.equal(other, undefined, `${key(topicId, p)} owned by both ${other} and ${c.name}`);
          owners.set(key(topicId, p), c.name);
          const isHeld = [...(member?.assignedPartitions ?? []), ...(member?.partitionsPendingRevocation ?? [])].some(
            (e) => e.topicId === topicId && e.partitions.includes(p),
          );
          assert.ok(isHeld, `${c.name} owns ${key(topicId, p)} but the group does not hold it for ${c.memberId}`);
        }
      }
    }
  }

  checkQuiet(): void {
    assert.equal(this.group.state, 'stable', 'the group settles');
    const snapshot = this.group.snapshot();
    const alive = this.clients.filter((c) => c.isAlive);
    assert.deepEqual(snapshot.members.map((m) => m.memberId).sort(), alive.map((c) => c.memberId).sort(), 'members are the live clients');
    const owners = new Map<string, Client>();
    for (const c of alive) {
      const member = snapshot.members.find((m) => m.memberId === c.memberId)!;
      assert.equal(c.memberEpoch, this.group.groupEpoch, `${c.name} is at the group epoch`);
      assert.deepEqual(toEntries(c.owned), member.assignedPartitions, `${c.name} owns its assignment`);
      for (const [topicId, ps] of c.owned) for (const p of ps) owners.set(key(topicId, p), c);
    }
    for (const name of this.topics.names()) {
      const subscribers = alive.filter(
        (c) => c.names.includes(name) || (c.regex !== null && new RegExp(`^(?:${c.regex})$`).test(name)),
      );
      const { topicId, partitions } = this.topics.byName(name)!;
      for (let p = 0; p < partitions; p++) {
        const owner = owners.get(key(topicId, p));
        if (subscribers.length === 0) assert.equal(owner, undefined, `${key(topicId, p)} has no subscriber but an owner`);
        else assert.ok(owner !== undefined && subscribers.includes(owner), `${key(topicId, p)} is owned by a subscriber`);
      }
    }
  }
}

/** The response's assignment; the coordinator always fills every field. */
function wireEntries(assignment: ConsumerGroupHeartbeatResponseAssignmentInput) {
  return (assignment.topicPartitions ?? []).map((e) => ({ topicId: e.topicId!, partitions: e.partitions ?? [] }));
}

function fromEntries(entries: readonly { topicId: string; partitions: readonly number[] }[]): Owned {
  return new Map(entries.filter((e) => e.partitions.length > 0).map((e) => [e.topicId, new Set(e.partitions)]));
}

test('consumer group simulation: no partition owned twice, and a quiet group settles', () => {
  const single = process.env['SIM_SEED'];
  const runs = Number(process.env['SIM_RUNS'] ?? 500);
  const seeds = single !== undefined ? [Number(single)] : Array.from({ length: runs }, (_, i) => i + 1);
  for (const seed of seeds) {
    const sim = new Simulation(seed);
    try {
      sim.run();
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const trace = sim.trace.join('\n');
      throw new Error(`consumer group simulation failed, seed ${seed} (replay: SIM_SEED=${seed}): ${why}\nlast steps:\n${trace}`, {
        cause: err,
      });
    }
  }
});
