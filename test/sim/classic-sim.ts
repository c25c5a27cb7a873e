// A deterministic simulation of one classic consumer group: a ClassicGroup driven the way the
// coordinator shell drives it (timers fired at nextDeadlineMs(), snapshot() persisted when asked,
// markDead() + restore() on a coordinator fail-over) and N simulated consumers that join, sync
// (the leader range-assigns P partitions over the member list it got, as JSON), heartbeat, leave,
// crash, pause, restart and rejoin, over a fake clock with random network delays. Everything
// random comes from one seed.
//
// After every step the checkers assert:
// - generation ids only increase (a fail-over returns to the last persisted generation);
// - per generation, one leader (by member identity: instance id for static members, else member
//   id) and, from the SyncGroup responses, no partition delivered to two members;
// - whenever the group is Stable, its members' assignments cover every partition exactly once;
// - the group's leader is one of its members, and there is one iff there are members;
// - every member the group knows was issued by a JoinGroup to some consumer incarnation, is not
//   one that left (unless a reload resurrected it), and disappears within a bounded time once its
//   consumer crashed or abandoned it;
// - no JoinGroup/SyncGroup stays parked beyond the rebalance timeout plus the session timeout.
// Then a settle phase (no faults) must end Stable with exactly the live consumers as members,
// each holding its share, and a quiesce phase (all consumers gone) must leave the group Empty with
// nothing parked.

import { ClassicGroup, type ClassicGroupConfig, type GroupOutput, type GroupSnapshot, type JoinResponse, type SyncResponse } from '../../src/group/classic/index.js';
import type { Logger } from '../../src/common/logger.js';
import { ErrorCode, errorInfo } from '../../src/protocol/errors.js';

// --- seeded randomness ---

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** mulberry32: uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export class SimFailure extends Error {
  override name = 'SimFailure';
}

// --- parameters ---

const SESSION_MS = 10_000;
const REBALANCE_MS = 15_000;
const HEARTBEAT_MS = 3_000;
const NET_DELAY_MAX_MS = 2_000;

export interface SimParams {
  clients: number;
  partitions: number;
  initialRebalanceDelayMs: number;
  maxSize: number;
  chaosMs: number;
  settleMs: number;
  failovers: number;
}

export function paramsFor(rng: Rng): SimParams {
  const clients = rng.int(2, 6);
  return {
    clients,
    partitions: rng.int(1, 9),
    initialRebalanceDelayMs: rng.chance(0.5) ? 3000 : rng.int(0, 500),
    maxSize: rng.chance(0.2) ? clients - 1 : 100,
    chaosMs: 60_000,
    settleMs: 4 * (REBALANCE_MS + SESSION_MS),
    failovers: rng.chance(0.3) ? rng.int(1, 2) : 0,
  };
}

// --- the consumers ---

type Phase = 'idle' | 'joining' | 'syncing' | 'stable';

interface Client {
  index: number;
  name: string;
  instanceId: string | null;
  apiVersion: number;
  protocols: string[];
  incarnation: number;
  isAlive: boolean;
  diedAt: number;
  phase: Phase;
  memberId: string;
  generationId: number;
  protocolName: string | null;
  /** The JoinGroup/SyncGroup this consumer waits for. */
  awaiting: number | null;
  /** The coordinator epoch this consumer talks to; a stale one gets NOT_COORDINATOR. */
  epoch: number;
  pausedUntil: number;
  metadataVersion: number;
  assignment: number[] | null;
  /** Gave up after GROUP_MAX_SIZE_REACHED; retries later. */
  isRejected: boolean;
  /** Member ids this consumer dropped: when, and whether through a successful LeaveGroup. */
  dropped: Map<string, number>;
}

type Request =
  | { kind: 'join'; memberId: string }
  | { kind: 'sync'; memberId: string; generationId: number; assignments: { memberId: string; assignment: Buffer }[] }
  | { kind: 'heartbeat'; memberId: string; generationId: number }
  | { kind: 'leave'; memberId: string };

interface InFlight {
  requestId: number;
  client: Client;
  incarnation: number;
  epoch: number;
  sentAt: number;
  req: Request;
}

type Event =
  | { kind: 'deliver'; flight: InFlight }
  | { kind: 'respond'; flight: InFlight; errorCode: number; join?: JoinResponse; sync?: SyncResponse }
  | { kind: 'tick'; client: Client; incarnation: number }
  | { kind: 'restart'; client: Client }
  | { kind: 'failover' };

export interface SimResult {
  steps: number;
  generations: number;
  failovers: number;
}

/** One simulation run; throws SimFailure (with the seed and a trace) when a checker fails. */
export function runSimulation(seed: number): SimResult {
  return new Simulation(seed).run();
}

class Simulation {
  private readonly rng: Rng;
  private readonly params: SimParams;
  private readonly config: ClassicGroupConfig;
  private now = 0;
  private seq = 0;
  private steps = 0;
  private readonly queue: { t: number; seq: number; event: Event }[] = [];
  private readonly clients: Client[] = [];
  private group: ClassicGroup;
  private epoch = 0;
  private persisted: GroupSnapshot;
  private lastRestoreAt = -1;
  private nextRequestId = 1;
  private readonly flights = new Map<number, InFlight>();
  /** JoinGroup/SyncGroup requests the group holds, by request id, with when they arrived. */
  private readonly parked = new Map<number, { at: number; flight: InFlight }>();
  private joiner: InFlight | null = null;
  private idSuffix = 0;
  private readonly idOwners = new Map<string, { client: Client; incarnation: number }>();
  private readonly leftAt = new Map<string, number>();
  private maxGeneration = 0;
  private readonly leaders = new Map<number, string>();
  private readonly owners = new Map<number, Map<number, string>>();
  private readonly trace: string[] = [];
  /** When each consumer incarnation ended, by "index/incarnation". */
  private readonly incarnationEnds = new Map<string, number>();
  private isChaos = true;

  constructor(private readonly seed: number) {
    this.rng = new Rng(seed);
    this.params = paramsFor(this.rng);
    this.config = {
      initialRebalanceDelayMs: this.params.initialRebalanceDelayMs,
      minSessionTimeoutMs: 6000,
      maxSessionTimeoutMs: 300_000,
      maxSize: this.params.maxSize,
    };
    this.group = new ClassicGroup('g', this.config, () => this.newId(), this.logger());
    this.persisted = this.group.snapshot();
    for (let i = 0; i < this.params.clients; i++) {
      const isStatic = this.rng.chance(0.35);
      const client: Client = {
        index: i,
        name: `c${i}`,
        instanceId: isStatic ? `i${i}` : null,
        apiVersion: isStatic ? 5 : this.rng.int(3, 5),
        // Every consumer offers both, in its own order, so the vote decides. (A consumer offering
        // fewer could be refused after a reload: a reloaded member only knows the selected
        // protocol, as in Kafka, since GroupMetadataValue keeps no other.)
        protocols: this.rng.chance(0.5) ? ['roundrobin', 'range'] : ['range', 'roundrobin'],
        incarnation: 0,
        isAlive: true,
        diedAt: -1,
        phase: 'idle',
        memberId: '',
        generationId: -1,
        protocolName: null,
        awaiting: null,
        epoch: 0,
        pausedUntil: 0,
        metadataVersion: 0,
        assignment: null,
        isRejected: false,
        dropped: new Map(),
      };
      this.clients.push(client);
      this.schedule(this.rng.int(0, 2000), { kind: 'tick', client, incarnation: 0 });
    }
    for (let f = 0; f < this.params.failovers; f++) this.schedule(this.rng.int(5000, this.params.chaosMs), { kind: 'failover' });
  }

  run(): SimResult {
    try {
      this.runUntil(this.params.chaosMs);
      this.settle();
      this.quiesce();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new SimFailure(
        `seed=${this.seed} t=${this.now} params=${JSON.stringify(this.params)}: ${message}\n` +
          `replay with SIM_SEED=${this.seed}\nlast events:\n  ${this.trace.slice(-60).join('\n  ')}`,
        { cause: err },
      );
    }
    return { steps: this.steps, generations: this.maxGeneration, failovers: this.params.failovers };
  }

  // --- the event loop ---

  private schedule(delayMs: number, event: Event): void {
    const item = { t: this.now + delayMs, seq: this.seq++, event };
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const q = this.queue[mid]!;
      if (q.t < item.t || (q.t === item.t && q.seq < item.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, item);
  }

  private runUntil(endMs: number): void {
    for (;;) {
      const deadline = this.group.nextDeadlineMs();
      const head = this.queue[0];
      const nextT = Math.min(deadline ?? Infinity, head?.t ?? Infinity);
      if (nextT > endMs) break;
      this.steps++;
      if (deadline !== null && deadline <= (head?.t ?? Infinity)) {
        this.now = Math.max(this.now, deadline);
        this.note(`expire`);
        this.handleOutput(this.group.expire(this.now));
      } else {
        this.queue.shift();
        this.now = head!.t;
        this.dispatch(head!.event);
      }
      this.check();
    }
    this.now = endMs;
  }

  private dispatch(event: Event): void {
    switch (event.kind) {
      case 'deliver':
        return this.deliver(event.flight);
      case 'respond':
        return this.receive(event);
      case 'tick':
        return this.tick(event.client, event.incarnation);
      case 'restart':
        return this.restart(event.client);
      case 'failover':
        return this.failover();
    }
  }

  private note(line: string): void {
    this.trace.push(`t=${this.now} ${line}`);
    if (this.trace.length > 200) this.trace.splice(0, 100);
  }

  private logger(): Logger {
    const record =
      (level: string) =>
      (obj: object, msg: string): void =>
        this.note(`[group ${level}] ${msg} ${JSON.stringify(obj)}`);
    const log: Logger = { debug: () => {}, info: record('info'), warn: record('warn'), error: record('error'), child: () => log };
    return log;
  }

  /** Member ids: the group asks for a suffix while handling a JoinGroup, so we know whose it is. */
  private newId(): string {
    const suffix = String(++this.idSuffix);
    const joiner = this.joiner;
    if (joiner === null) throw new Error('newId() called outside a JoinGroup');
    this.idOwners.set(suffix, { client: joiner.client, incarnation: joiner.incarnation });
    return suffix;
  }

  private ownerOf(memberId: string): { client: Client; incarnation: number } | undefined {
    return this.idOwners.get(memberId.slice(memberId.lastIndexOf('-') + 1));
  }

  // --- the coordinator side ---

  private send(client: Client, req: Request): number {
    const flight: InFlight = { requestId: this.nextRequestId++, client, incarnation: client.incarnation, epoch: client.epoch, sentAt: this.now, req };
    this.flights.set(flight.requestId, flight);
    this.schedule(this.netDelay(), { kind: 'deliver', flight });
    this.note(`${client.name}#${client.incarnation} sends ${req.kind} #${flight.requestId} ${JSON.stringify({ ...req, assignments: undefined })}`);
    return flight.requestId;
  }

  private netDelay(): number {
    return this.rng.chance(0.05) ? this.rng.int(200, NET_DELAY_MAX_MS) : this.rng.int(1, 150);
  }

  private deliver(flight: InFlight): void {
    const { client, req } = flight;
    if (flight.epoch !== this.epoch) return this.respond(flight, ErrorCode.NOT_COORDINATOR);
    const common = { memberId: req.memberId, groupInstanceId: client.instanceId };
    switch (req.kind) {
      case 'join': {
        this.parked.set(flight.requestId, { at: this.now, flight });
        this.joiner = flight;
        const out = this.group.join(this.now, {
          ...common,
          requestId: flight.requestId,
          apiVersion: client.apiVersion,
          clientId: client.name,
          clientHost: '/127.0.0.1',
          sessionTimeoutMs: SESSION_MS,
          rebalanceTimeoutMs: REBALANCE_MS,
          protocolType: 'consumer',
          protocols: client.protocols.map((name) => ({ name, metadata: Buffer.from(JSON.stringify({ c: client.name, v: client.metadataVersion })) })),
          reason: null,
        });
        this.joiner = null;
        return this.handleOutput(out);
      }
      case 'sync':
        this.parked.set(flight.requestId, { at: this.now, flight });
        return this.handleOutput(
          this.group.sync(this.now, {
            ...common,
            requestId: flight.requestId,
            generationId: req.generationId,
            protocolType: 'consumer',
            protocolName: client.protocolName,
            assignments: req.assignments,
          }),
        );
      case 'heartbeat':
        return this.respond(flight, this.group.heartbeat(this.now, { ...common, generationId: req.generationId }).errorCode);
      case 'leave': {
        const { response, output } = this.group.leave(this.now, { members: [{ ...common, reason: 'sim' }] });
        const errorCode = response.members[0]?.errorCode ?? response.errorCode;
        if (errorCode === ErrorCode.NONE) this.leftAt.set(req.memberId, this.now);
        this.handleOutput(output);
        return this.respond(flight, errorCode);
      }
    }
  }

  private handleOutput(out: GroupOutput): void {
    if (out.metadataChanged) {
      this.persisted = this.group.snapshot();
      this.note(`persist gen=${this.persisted.generation} members=${this.persisted.members.map((m) => m.memberId).join(',')}`);
    }
    for (const c of out.completions) {
      const parked = this.parked.get(c.requestId);
      if (parked === undefined) throw new Error(`completion for request #${c.requestId}, which is not parked`);
      this.parked.delete(c.requestId);
      const flight = parked.flight;
      if (flight.req.kind !== c.kind) throw new Error(`request #${c.requestId} is a ${flight.req.kind}, completed as ${c.kind}`);
      if (this.now - parked.at > REBALANCE_MS + SESSION_MS) throw new Error(`request #${c.requestId} was parked ${this.now - parked.at} ms`);
      if (c.kind === 'join') {
        this.checkJoinResponse(c.response);
        this.respond(flight, c.response.errorCode, { join: c.response });
      } else {
        this.checkSyncResponse(flight, c.response);
        this.respond(flight, c.response.errorCode, { sync: c.response });
      }
    }
  }

  private respond(flight: InFlight, errorCode: number, body: { join?: JoinResponse; sync?: SyncResponse } = {}): void {
    this.note(`group answers ${flight.req.kind} #${flight.requestId} of ${flight.client.name}: ${errorInfo(errorCode).name}`);
    this.schedule(this.netDelay(), { kind: 'respond', flight, errorCode, ...body });
  }

  private failover(): void {
    if (!this.isChaos) return;
    this.note(`FAILOVER: coordinator moves; reloading gen=${this.persisted.generation}`);
    this.handleOutput(this.group.markDead());
    if (this.parked.size > 0) throw new Error('markDead() left requests parked');
    this.epoch++;
    this.lastRestoreAt = this.now;
    this.group = ClassicGroup.restore(this.persisted, this.now, this.config, () => this.newId(), this.logger(), 'g');
    if (this.group.generationId !== this.persisted.generation) throw new Error('restore() changed the generation');
    // Generations after the persisted one were never Stable and are redone by the new coordinator.
    this.maxGeneration = this.group.generationId;
    for (const g of [...this.leaders.keys()]) if (g > this.maxGeneration) this.leaders.delete(g);
    for (const g of [...this.owners.keys()]) if (g > this.maxGeneration) this.owners.delete(g);
  }

  // --- the consumers ---

  private tick(client: Client, incarnation: number): void {
    if (!client.isAlive || client.incarnation !== incarnation) return;
    this.schedule(HEARTBEAT_MS + this.rng.int(-500, 500), { kind: 'tick', client, incarnation });
    if (this.now < client.pausedUntil) return;
    if (client.phase === 'idle') {
      if (!client.isRejected || this.rng.chance(0.3)) this.join(client);
      return;
    }
    if (client.phase === 'joining') return;
    if (this.isChaos) {
      const r = this.rng.next();
      if (r < 0.015) return this.crash(client);
      if (r < 0.03) return this.leave(client);
      if (r < 0.045) {
        client.pausedUntil = this.now + this.rng.int(2000, 25_000);
        this.note(`${client.name} pauses until ${client.pausedUntil}`);
        return;
      }
      if (r < 0.065) {
        if (this.rng.chance(0.5)) client.metadataVersion++;
        return this.join(client);
      }
    }
    this.send(client, { kind: 'heartbeat', memberId: client.memberId, generationId: client.generationId });
  }

  private join(client: Client): void {
    client.phase = 'joining';
    client.assignment = null;
    client.awaiting = this.send(client, { kind: 'join', memberId: client.memberId });
  }

  private dropMemberId(client: Client): void {
    if (client.memberId !== '') client.dropped.set(client.memberId, this.now);
    client.memberId = '';
    client.generationId = -1;
  }

  private crash(client: Client): void {
    this.note(`${client.name}#${client.incarnation} crashes`);
    this.kill(client);
    this.schedule(this.rng.int(500, 30_000), { kind: 'restart', client });
  }

  private kill(client: Client): void {
    client.isAlive = false;
    client.diedAt = this.now;
    this.incarnationEnds.set(`${client.index}/${client.incarnation}`, this.now);
  }

  private leave(client: Client): void {
    if (client.memberId !== '') this.send(client, { kind: 'leave', memberId: client.memberId });
    this.dropMemberId(client);
    client.phase = 'idle';
    client.awaiting = null;
    client.assignment = null;
  }

  private restart(client: Client): void {
    if (client.isAlive) return;
    client.incarnation++;
    this.note(`${client.name} restarts as #${client.incarnation}`);
    Object.assign(client, { isAlive: true, phase: 'idle', memberId: '', generationId: -1, awaiting: null, pausedUntil: 0, assignment: null, isRejected: false });
    this.schedule(this.rng.int(0, 500), { kind: 'tick', client, incarnation: client.incarnation });
  }

  private receive(event: Extract<Event, { kind: 'respond' }>): void {
    const { flight, errorCode } = event;
    const client = flight.client;
    if (!client.isAlive || client.incarnation !== flight.incarnation) return;
    if (errorCode === ErrorCode.NOT_COORDINATOR || errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE) {
      // Rediscover the coordinator; a JoinGroup/SyncGroup round starts over.
      client.epoch = this.epoch;
      if (flight.requestId === client.awaiting) this.join(client);
      return;
    }
    if (errorCode === ErrorCode.FENCED_INSTANCE_ID) {
      // A fenced static member stops for good (this incarnation); an operator restarts it.
      if (flight.req.memberId !== client.memberId) return;
      this.note(`${client.name}#${client.incarnation} is fenced`);
      this.kill(client);
      this.schedule(this.rng.int(500, 10_000), { kind: 'restart', client });
      return;
    }
    switch (flight.req.kind) {
      case 'join':
        if (flight.requestId === client.awaiting) this.onJoinResponse(client, event.join!);
        return;
      case 'sync':
        if (flight.requestId === client.awaiting) this.onSyncResponse(client, flight, event.sync!);
        return;
      case 'heartbeat':
        return this.onHeartbeatResponse(client, flight, errorCode);
      case 'leave':
        return;
    }
  }

  private onJoinResponse(client: Client, r: JoinResponse): void {
    client.awaiting = null;
    switch (r.errorCode) {
      case ErrorCode.NONE:
        client.memberId = r.memberId;
        client.generationId = r.generationId;
        client.protocolName = r.protocolName;
        client.phase = 'syncing';
        client.awaiting = this.send(client, {
          kind: 'sync',
          memberId: r.memberId,
          generationId: r.generationId,
          assignments: r.leader === r.memberId ? rangeAssign(r.members.map((m) => m.memberId), this.params.partitions) : [],
        });
        return;
      case ErrorCode.MEMBER_ID_REQUIRED:
        client.memberId = r.memberId;
        return this.join(client);
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.dropMemberId(client);
        return this.join(client);
      case ErrorCode.REBALANCE_IN_PROGRESS:
        return this.join(client);
      case ErrorCode.GROUP_MAX_SIZE_REACHED:
        this.dropMemberId(client);
        client.phase = 'idle';
        client.isRejected = true;
        return;
      default:
        throw new Error(`${client.name} got an unexpected JoinGroup error ${errorInfo(r.errorCode).name}`);
    }
  }

  private onSyncResponse(client: Client, flight: InFlight, r: SyncResponse): void {
    client.awaiting = null;
    switch (r.errorCode) {
      case ErrorCode.NONE:
        client.phase = 'stable';
        client.isRejected = false;
        client.assignment = JSON.parse(r.assignment.toString() || '[]') as number[];
        return;
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.dropMemberId(client);
        return this.join(client);
      case ErrorCode.REBALANCE_IN_PROGRESS:
      case ErrorCode.ILLEGAL_GENERATION:
        return this.join(client);
      default:
        throw new Error(`${client.name} got an unexpected SyncGroup error ${errorInfo(r.errorCode).name} (#${flight.requestId})`);
    }
  }

  private onHeartbeatResponse(client: Client, flight: InFlight, errorCode: number): void {
    const req = flight.req as Extract<Request, { kind: 'heartbeat' }>;
    // Answers to heartbeats of an older membership or generation are stale.
    if (req.memberId !== client.memberId || req.generationId !== client.generationId || client.phase === 'joining') return;
    switch (errorCode) {
      case ErrorCode.NONE:
        return;
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.dropMemberId(client);
        return this.join(client);
      case ErrorCode.REBALANCE_IN_PROGRESS:
      case ErrorCode.ILLEGAL_GENERATION:
        // While its SyncGroup is out, the SyncGroup's answer decides.
        if (client.phase === 'stable') this.join(client);
        return;
      default:
        throw new Error(`${client.name} got an unexpected Heartbeat error ${errorInfo(errorCode).name}`);
    }
  }

  // --- the checkers ---

  private identity(memberId: string, instanceId: string | null): string {
    return instanceId ?? memberId;
  }

  private checkJoinResponse(r: JoinResponse): void {
    if (r.errorCode !== ErrorCode.NONE) return;
    if (r.skipAssignment) throw new Error('skipAssignment must stay false');
    const leader = this.ownerOf(r.leader)?.client.instanceId ?? r.leader;
    const known = this.leaders.get(r.generationId);
    if (known === undefined) this.leaders.set(r.generationId, leader);
    else if (known !== leader) throw new Error(`generation ${r.generationId} has two leaders: ${known} and ${leader}`);
    if (r.leader === r.memberId && !r.members.some((m) => m.memberId === r.leader)) throw new Error('the leader is missing from its member list');
  }

  private checkSyncResponse(flight: InFlight, r: SyncResponse): void {
    if (r.errorCode !== ErrorCode.NONE) return;
    const req = flight.req as Extract<Request, { kind: 'sync' }>;
    const owner = this.identity(req.memberId, flight.client.instanceId);
    const partitions = JSON.parse(r.assignment.toString() || '[]') as number[];
    let byPartition = this.owners.get(req.generationId);
    if (byPartition === undefined) this.owners.set(req.generationId, (byPartition = new Map()));
    for (const p of partitions) {
      const current = byPartition.get(p);
      if (current !== undefined && current !== owner) throw new Error(`generation ${req.generationId}: partition ${p} delivered to ${current} and ${owner}`);
      byPartition.set(p, owner);
    }
  }

  private check(): void {
    const g = this.group;
    if (g.generationId < this.maxGeneration) throw new Error(`generation went back from ${this.maxGeneration} to ${g.generationId}`);
    this.maxGeneration = g.generationId;

    const ids = g.memberIds();
    if ((g.leaderId === null) !== (ids.length === 0)) throw new Error(`leader ${g.leaderId} with ${ids.length} members`);
    if (g.leaderId !== null && !ids.includes(g.leaderId)) throw new Error(`leader ${g.leaderId} is not a member`);
    if (g.state === 'Stable') this.checkStableAssignment();

    const memberBound = Math.max(this.config.initialRebalanceDelayMs, REBALANCE_MS) + REBALANCE_MS + SESSION_MS + 2 * NET_DELAY_MAX_MS;
    for (const id of ids) {
      const owner = this.ownerOf(id);
      if (owner === undefined) throw new Error(`member ${id} was never issued by a JoinGroup`);
      const left = this.leftAt.get(id);
      if (left !== undefined && left > this.lastRestoreAt) throw new Error(`member ${id} left at ${left} but is still in the group`);
      const { client, incarnation } = owner;
      // When the member id stopped being used: its incarnation ended, or the consumer dropped it.
      const abandonedAt =
        client.incarnation !== incarnation ? this.incarnationEnds.get(`${client.index}/${incarnation}`)
        : !client.isAlive ? client.diedAt
        : client.dropped.get(id);
      if (abandonedAt !== undefined && this.now - Math.max(abandonedAt, this.lastRestoreAt) > memberBound) {
        throw new Error(`member ${id} of ${client.name}#${incarnation} was abandoned at ${abandonedAt} but is still in the group`);
      }
    }
    for (const { at, flight } of this.parked.values()) {
      if (this.now - at > REBALANCE_MS + SESSION_MS) throw new Error(`${flight.req.kind} #${flight.requestId} of ${flight.client.name} parked since ${at}`);
    }
  }

  private checkStableAssignment(): void {
    const seen = new Map<number, string>();
    for (const m of this.group.describe().members) {
      for (const p of JSON.parse(m.assignment.toString() || '[]') as number[]) {
        if (seen.has(p)) throw new Error(`Stable generation ${this.group.generationId}: partition ${p} assigned to ${seen.get(p)} and ${m.memberId}`);
        seen.set(p, m.memberId);
      }
    }
    if (seen.size !== this.params.partitions) throw new Error(`Stable generation ${this.group.generationId} assigns ${seen.size} of ${this.params.partitions} partitions`);
  }

  // --- end phases ---

  /** No more faults: every consumer comes back and the group must settle on all of them. */
  private settle(): void {
    this.isChaos = false;
    this.note('SETTLE');
    for (const client of this.clients) {
      client.pausedUntil = 0;
      if (!client.isAlive) this.restart(client);
    }
    this.runUntil(this.now + this.params.settleMs);
    const g = this.group;
    if (g.state !== 'Stable') throw new Error(`not Stable after settling: ${g.state}`);
    const members = this.clients.filter((c) => c.phase === 'stable');
    const expected = members.map((c) => c.memberId).sort();
    if (JSON.stringify(g.memberIds().sort()) !== JSON.stringify(expected)) {
      throw new Error(`after settling the members are ${g.memberIds().join(',')}, the consumers hold ${expected.join(',')}`);
    }
    if (members.length !== Math.min(this.params.clients, this.params.maxSize)) {
      throw new Error(`${members.length} consumers are in the group, expected ${Math.min(this.params.clients, this.params.maxSize)}`);
    }
    const held = members.flatMap((c) => c.assignment ?? []).sort((a, b) => a - b);
    if (JSON.stringify(held) !== JSON.stringify([...Array(this.params.partitions).keys()])) throw new Error(`consumers hold partitions ${held.join(',')}`);
    for (const c of members) if (c.generationId !== g.generationId) throw new Error(`${c.name} is at generation ${c.generationId}, the group at ${g.generationId}`);
  }

  /** Every consumer goes away: the group must end Empty with nothing parked. */
  private quiesce(): void {
    this.note('QUIESCE');
    for (const client of this.clients) if (client.isAlive) this.kill(client);
    this.runUntil(this.now + 3 * (REBALANCE_MS + SESSION_MS));
    if (this.parked.size > 0) throw new Error(`${this.parked.size} requests still parked`);
    if (this.group.state !== 'Empty') throw new Error(`group is ${this.group.state} with ${this.group.size} members after everyone left`);
    if (this.group.nextDeadlineMs() !== null) throw new Error(`an Empty group still has a deadline at ${this.group.nextDeadlineMs()}`);
  }
}

/** The range assignor's arithmetic: consecutive runs, the first members get one more. */
function rangeAssign(memberIds: string[], partitions: number): { memberId: string; assignment: Buffer }[] {
  const n = memberIds.length;
  let next = 0;
  return memberIds.map((memberId, i) => {
    const count = Math.floor(partitions / n) + (i < partitions % n ? 1 : 0);
    const assigned = Array.from({ length: count }, (_, k) => next + k);
    next += count;
    return { memberId, assignment: Buffer.from(JSON.stringify(assigned)) };
  });
}
