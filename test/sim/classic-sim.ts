// A deterministic simulation of one classic consumer group: a ClassicGroup driven the way the
// coordinator shell drives it (timers fired at nextDeadlineMs(), snapshot() persisted when asked,
// markDead() + restore() on a coordinator fail-over) and N simulated consumers that join, sync
// (the leader range-assigns P partitions over the member list it got, as JSON), heartbeat, commit
// offsets, leave, crash, pause, restart and rejoin, with random think times and network delays,
// over a fake clock. Everything random comes from one seed.
//
// After every step the checkers assert:
// - generation ids only increase (a fail-over returns to the last persisted generation, which is
//   at least every generation that ever delivered an assignment);
// - per generation, one leader (by identity: instance id for a static member, else member id);
//   its member list holds only members that rejoined in that generation, or static ones;
// - per generation, no partition is delivered by SyncGroup to two members, and an accepted offset
//   commit comes only from the member the partition was delivered to in that generation;
// - whenever the group is Stable, its members' assignments cover every partition exactly once;
// - the group's leader is one of its members, and there is one iff there are members;
// - every member was issued by a JoinGroup to some consumer incarnation, is not one that left
//   (unless a reload resurrected it), and disappears within a bound once abandoned;
// - no JoinGroup/SyncGroup stays parked beyond the rebalance timeout plus the session timeout.
// Then a settle phase (no faults) must end Stable with exactly the live consumers as members,
// each holding its share at the current generation, and a quiesce phase (every consumer gone)
// must leave the group Empty, without deadlines and with nothing parked.

import { ClassicGroup, type ClassicGroupConfig, type GroupOutput, type GroupSnapshot, type JoinResponse, type SyncResponse } from '../../src/group/classic/index.js';
import type { Logger } from '../../src/common/logger.js';
import { SeededRandom } from '../../src/common/random.js';
import { ErrorCode, errorInfo } from '../../src/protocol/errors.js';

// --- seeded randomness ---


export class SimFailure extends Error {
  override name = 'SimFailure';
}

// --- parameters ---

const SESSION_MIN_MS = 6_000;
const SESSION_MAX_MS = 30_000;
const REBALANCE_MAX_MS = 30_000;
const NET_DELAY_MAX_MS = 2_000;
/** How long the group may keep a JoinGroup/SyncGroup parked. */
const PARKED_MAX_MS = REBALANCE_MAX_MS + SESSION_MAX_MS;

export interface SimParams {
  clients: number;
  partitions: number;
  initialRebalanceDelayMs: number;
  newMemberJoinTimeoutMs: number;
  maxSize: number;
  chaosMs: number;
  failovers: number;
}

function paramsFor(rng: SeededRandom): SimParams {
  const clients = rng.int(2, 6);
  return {
    clients,
    partitions: rng.int(1, 9),
    initialRebalanceDelayMs: rng.chance(0.5) ? 3000 : rng.int(0, 500),
    newMemberJoinTimeoutMs: rng.chance(0.5) ? 300_000 : rng.int(5000, 40_000),
    maxSize: rng.chance(0.2) ? clients - 1 : 100,
    chaosMs: 60_000,
    failovers: rng.chance(0.3) ? rng.int(1, 2) : 0,
  };
}

// --- the consumers ---

/** assigning: has its JoinGroup answer and is computing (leader) or about to send its SyncGroup. */
type Phase = 'idle' | 'joining' | 'assigning' | 'syncing' | 'stable';

interface Client {
  index: number;
  name: string;
  instanceId: string | null;
  apiVersion: number;
  protocols: string[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatMs: number;
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
  /** Counts JoinGroup answers, so that a SyncGroup prepared for an earlier one is not sent. */
  round: number;
  /** Turned away with GROUP_MAX_SIZE_REACHED; retries now and then. */
  isRejected: boolean;
  /** Member ids this consumer stopped using, and when. */
  dropped: Map<string, number>;
}

type Request =
  | { kind: 'join'; memberId: string }
  | { kind: 'sync'; memberId: string; generationId: number; assignments: { memberId: string; assignment: Buffer }[] }
  | { kind: 'heartbeat'; memberId: string; generationId: number }
  | { kind: 'commit'; memberId: string; generationId: number; partitions: number[] }
  | { kind: 'leave'; memberId: string };

interface InFlight {
  requestId: number;
  client: Client;
  incarnation: number;
  epoch: number;
  req: Request;
}

type Event =
  | { kind: 'deliver'; flight: InFlight }
  | { kind: 'respond'; flight: InFlight; errorCode: number; join?: JoinResponse; sync?: SyncResponse }
  | { kind: 'tick'; client: Client; incarnation: number }
  | { kind: 'sendSync'; client: Client; incarnation: number; round: number; assignments: { memberId: string; assignment: Buffer }[] }
  | { kind: 'restart'; client: Client }
  | { kind: 'failover' };

export interface SimResult {
  steps: number;
  generations: number;
  /** How often interesting things happened, to show the schedules reach them. */
  counts: Map<string, number>;
}

/** How many trace lines a failure prints (SIM_TRACE, default 80). */
const TRACE_LINES = Number(process.env['SIM_TRACE'] ?? 80);

/** One simulation run; throws SimFailure (with the seed and a trace) when a checker fails. */
export function runSimulation(seed: number): SimResult {
  return new Simulation(seed).run();
}

/** Group log messages worth counting. */
const countedMessages = new Map([
  ['static member fenced', 'fenced'],
  ['removed dynamic members that did not rejoin', 'dropped non-rejoiners'],
  ['leader did not rejoin; elected a new leader', 'new leader'],
  ['member session expired; removing it', 'session expired'],
  ['static member replaced without a rebalance', 'static restart without rebalance'],
  ['pending member did not rejoin in time', 'pending member expired'],
  ['group is now empty', 'became empty'],
]);

class Simulation {
  private readonly rng: SeededRandom;
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
  /** JoinGroup/SyncGroup requests the group holds, by request id: when they arrived, and whether a join added a member. */
  private readonly parked = new Map<number, { at: number; flight: InFlight; isNewMember: boolean }>();
  /** When each MEMBER_ID_REQUIRED id was handed out. */
  private readonly pendingSince = new Map<string, number>();
  private joiner: InFlight | null = null;
  private idSuffix = 0;
  private readonly idOwners = new Map<string, { client: Client; incarnation: number }>();
  /** When each consumer incarnation ended, by "index/incarnation". */
  private readonly incarnationEnds = new Map<string, number>();
  private readonly leftAt = new Map<string, number>();
  private maxGeneration = 0;
  /** The highest generation a SyncGroup delivered an assignment for. */
  private maxAssignedGeneration = 0;
  private readonly leaders = new Map<number, string>();
  private readonly joined = new Map<number, Set<string>>();
  private readonly owners = new Map<number, Map<number, string>>();
  private readonly counts = new Map<string, number>();
  private readonly trace: string[] = [];
  private isChaos = true;

  constructor(private readonly seed: number) {
    this.rng = new SeededRandom(seed);
    this.params = paramsFor(this.rng);
    this.config = {
      initialRebalanceDelayMs: this.params.initialRebalanceDelayMs,
      minSessionTimeoutMs: SESSION_MIN_MS,
      maxSessionTimeoutMs: SESSION_MAX_MS,
      maxSize: this.params.maxSize,
      newMemberJoinTimeoutMs: this.params.newMemberJoinTimeoutMs,
    };
    this.group = new ClassicGroup('g', this.config, () => this.newId(), this.logger());
    this.persisted = this.group.snapshot();
    for (let i = 0; i < this.params.clients; i++) this.clients.push(this.newClient(i));
    for (let f = 0; f < this.params.failovers; f++) this.schedule(this.rng.int(5000, this.params.chaosMs), { kind: 'failover' });
  }

  private newClient(index: number): Client {
    const isStatic = this.rng.chance(0.35);
    const sessionTimeoutMs = this.rng.int(SESSION_MIN_MS, SESSION_MAX_MS);
    const client: Client = {
      index,
      name: `c${index}`,
      instanceId: isStatic ? `i${index}` : null,
      apiVersion: isStatic ? 5 : this.rng.int(3, 5),
      // Every consumer offers both protocols, in its own order, so the vote decides. (A consumer
      // offering fewer could be refused after a reload: a reloaded member only knows the selected
      // protocol, as in Kafka, since GroupMetadataValue keeps no other.)
      protocols: this.rng.chance(0.5) ? ['roundrobin', 'range'] : ['range', 'roundrobin'],
      sessionTimeoutMs,
      rebalanceTimeoutMs: this.rng.int(5000, REBALANCE_MAX_MS),
      heartbeatMs: Math.min(3000, Math.floor(sessionTimeoutMs / 3)),
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
      round: 0,
      isRejected: false,
      dropped: new Map(),
    };
    this.schedule(this.rng.int(0, 2000), { kind: 'tick', client, incarnation: 0 });
    return client;
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
          `replay with SIM_SEED=${this.seed} (SIM_TRACE=<lines> shows more)\nlast events:\n  ${this.trace.slice(-TRACE_LINES).join('\n  ')}`,
        { cause: err },
      );
    }
    return { steps: this.steps, generations: this.maxGeneration, counts: this.counts };
  }

  private count(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
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
      if (Math.min(deadline ?? Infinity, head?.t ?? Infinity) > endMs) break;
      this.steps++;
      if (deadline !== null && deadline <= (head?.t ?? Infinity)) {
        // The shell's timer: fire the group's deadline when it is due.
        this.now = Math.max(this.now, deadline);
        this.note('expire');
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
      case 'sendSync':
        return this.sendSync(event);
      case 'restart':
        return this.restart(event.client);
      case 'failover':
        return this.failover();
    }
  }

  private note(line: string): void {
    this.trace.push(`t=${this.now} ${line}`);
    if (this.trace.length > 2 * TRACE_LINES) this.trace.splice(0, TRACE_LINES);
  }

  /** The group's log lines go to the trace, stamped with the simulated time. */
  private logger(): Logger {
    const record =
      (level: string) =>
      (obj: object, msg: string): void => {
        const counted = countedMessages.get(msg);
        if (counted !== undefined) this.count(counted);
        if (msg === 'preparing to rebalance' && String((obj as { reason?: string }).reason).includes('pending sync')) this.count('pending sync expired');
        this.note(`[group ${level}] ${msg} ${JSON.stringify(obj)}`);
      };
    const log: Logger = { debug: () => {}, info: record('info'), warn: record('warn'), error: record('error'), child: () => log };
    return log;
  }

  /** Member ids: the group asks for a suffix while handling a JoinGroup, so we know whose it is. */
  private newId(): string {
    const suffix = String(++this.idSuffix);
    if (this.joiner === null) throw new Error('newId() called outside a JoinGroup');
    this.idOwners.set(suffix, { client: this.joiner.client, incarnation: this.joiner.incarnation });
    return suffix;
  }

  /** Whether `instanceId` already had a member among `memberIds` (a restart replaces it). */
  private replaced(memberIds: Set<string>, instanceId: string): boolean {
    for (const id of memberIds) if (this.ownerOf(id)?.client.instanceId === instanceId) return true;
    return false;
  }

  private ownerOf(memberId: string): { client: Client; incarnation: number } | undefined {
    return this.idOwners.get(memberId.slice(memberId.lastIndexOf('-') + 1));
  }

  /** Who owns partitions: the instance for a static member (it survives restarts), else the member. */
  private identity(memberId: string): string {
    return this.ownerOf(memberId)?.client.instanceId ?? memberId;
  }

  // --- the coordinator side ---

  private send(client: Client, req: Request): number {
    const flight: InFlight = { requestId: this.nextRequestId++, client, incarnation: client.incarnation, epoch: client.epoch, req };
    this.schedule(this.netDelay(), { kind: 'deliver', flight });
    this.note(`${client.name}#${client.incarnation} sends ${req.kind} #${flight.requestId} ${JSON.stringify({ ...req, kind: undefined, assignments: undefined })}`);
    return flight.requestId;
  }

  private netDelay(): number {
    return this.rng.chance(0.05) ? this.rng.int(200, NET_DELAY_MAX_MS) : this.rng.int(1, 150);
  }

  private deliver(flight: InFlight): void {
    const { client, req } = flight;
    if (flight.epoch !== this.epoch) return this.respond(flight, ErrorCode.NOT_COORDINATOR);
    const who = { memberId: req.memberId, groupInstanceId: client.instanceId };
    switch (req.kind) {
      case 'join': {
        const parked = { at: this.now, flight, isNewMember: false };
        this.parked.set(flight.requestId, parked);
        const before = new Set(this.group.memberIds());
        this.joiner = flight;
        const out = this.group.join(this.now, {
          ...who,
          requestId: flight.requestId,
          apiVersion: client.apiVersion,
          clientId: client.name,
          clientHost: '/127.0.0.1',
          sessionTimeoutMs: client.sessionTimeoutMs,
          rebalanceTimeoutMs: client.rebalanceTimeoutMs,
          protocolType: 'consumer',
          protocols: client.protocols.map((name) => ({ name, metadata: Buffer.from(JSON.stringify({ c: client.name, v: client.metadataVersion })) })),
          reason: null,
        });
        this.joiner = null;
        const added = this.group.memberIds().filter((id) => !before.has(id));
        // A new member (not a static member taking over its instance's place) is on the clock.
        parked.isNewMember = added.length === 1 && (client.instanceId === null || !this.replaced(before, client.instanceId));
        return this.handleOutput(out);
      }
      case 'sync':
        this.parked.set(flight.requestId, { at: this.now, flight, isNewMember: false });
        return this.handleOutput(
          this.group.sync(this.now, {
            ...who,
            requestId: flight.requestId,
            generationId: req.generationId,
            protocolType: 'consumer',
            protocolName: client.protocolName,
            assignments: req.assignments,
          }),
        );
      case 'heartbeat': {
        const { errorCode } = this.group.heartbeat(this.now, { ...who, generationId: req.generationId });
        // NONE and REBALANCE_IN_PROGRESS are for current members of the current generation only.
        const isCurrent = this.group.hasMember(req.memberId) && req.generationId === this.group.generationId;
        if ((errorCode === ErrorCode.NONE || errorCode === ErrorCode.REBALANCE_IN_PROGRESS) && !isCurrent) {
          throw new Error(`heartbeat of ${req.memberId} for generation ${req.generationId} answered ${errorInfo(errorCode).name}`);
        }
        if ((errorCode === ErrorCode.REBALANCE_IN_PROGRESS) !== (isCurrent && this.group.state === 'PreparingRebalance')) {
          throw new Error(`heartbeat answered ${errorInfo(errorCode).name} in ${this.group.state}`);
        }
        return this.respond(flight, errorCode);
      }
      case 'commit':
        return this.respond(flight, this.commit(flight, req));
      case 'leave': {
        const { response, output } = this.group.leave(this.now, { members: [{ ...who, reason: 'sim' }] });
        const errorCode = response.members[0]?.errorCode ?? response.errorCode;
        if (errorCode === ErrorCode.NONE) this.leftAt.set(req.memberId, this.now);
        this.handleOutput(output);
        return this.respond(flight, errorCode);
      }
    }
  }

  /** OffsetCommit: an accepted commit must come from the partitions' owner in that generation. */
  private commit(flight: InFlight, req: Extract<Request, { kind: 'commit' }>): number {
    const errorCode = this.group.validateOffsetCommit(req.memberId, flight.client.instanceId, req.generationId);
    this.count(errorCode === ErrorCode.NONE ? 'commit accepted' : 'commit refused');
    if (errorCode !== ErrorCode.NONE) return errorCode;
    if (req.generationId !== this.group.generationId) throw new Error(`commit for generation ${req.generationId} accepted at ${this.group.generationId}`);
    const owners = this.owners.get(req.generationId);
    for (const p of req.partitions) {
      const owner = owners?.get(p);
      if (owner !== this.identity(req.memberId)) throw new Error(`commit of partition ${p} by ${req.memberId} accepted in generation ${req.generationId}, owned by ${owner}`);
    }
    return errorCode;
  }

  private handleOutput(out: GroupOutput): void {
    if (out.metadataChanged) {
      this.persisted = this.group.snapshot();
      this.note(`persist gen=${this.persisted.generation} members=${this.persisted.members.map((m) => m.memberId).join(',')}`);
    }
    const leaderLists: JoinResponse[] = [];
    for (const c of out.completions) {
      const parked = this.parked.get(c.requestId);
      if (parked === undefined) throw new Error(`completion for request #${c.requestId}, which is not parked`);
      this.parked.delete(c.requestId);
      const flight = parked.flight;
      if (flight.req.kind !== c.kind) throw new Error(`request #${c.requestId} is a ${flight.req.kind}, completed as ${c.kind}`);
      if (this.now - parked.at > PARKED_MAX_MS) throw new Error(`request #${c.requestId} was parked ${this.now - parked.at} ms`);
      if (parked.isNewMember && this.now - parked.at > this.params.newMemberJoinTimeoutMs) {
        throw new Error(`a new member's join #${c.requestId} was parked ${this.now - parked.at} ms`);
      }
      if (c.kind === 'join') {
        this.checkJoinResponse(c.response);
        if (c.response.members.length > 0) leaderLists.push(c.response);
        this.respond(flight, c.response.errorCode, { join: c.response });
      } else {
        this.checkSyncResponse(flight, c.response);
        this.respond(flight, c.response.errorCode, { sync: c.response });
      }
    }
    // A leader assigns to the members that rejoined in its generation, and to static members.
    for (const r of leaderLists) {
      const joined = this.joined.get(r.generationId)!;
      for (const m of r.members) {
        if (m.groupInstanceId === null && !joined.has(m.memberId)) throw new Error(`generation ${r.generationId} lists ${m.memberId}, which did not rejoin`);
      }
    }
  }

  private respond(flight: InFlight, errorCode: number, body: { join?: JoinResponse; sync?: SyncResponse } = {}): void {
    this.note(`group answers ${flight.req.kind} #${flight.requestId} of ${flight.client.name}: ${errorInfo(errorCode).name}`);
    if (errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.count('member id required');
      this.pendingSince.set(body.join!.memberId, this.now);
    }
    if (errorCode === ErrorCode.GROUP_MAX_SIZE_REACHED) this.count('max size reached');
    if (errorCode === ErrorCode.FENCED_INSTANCE_ID) this.count('fenced answer');
    this.schedule(this.netDelay(), { kind: 'respond', flight, errorCode, ...body });
  }

  private failover(): void {
    if (!this.isChaos) return;
    this.count('failover');
    this.note(`FAILOVER: the coordinator moves; it reloads generation ${this.persisted.generation}`);
    this.handleOutput(this.group.markDead());
    if (this.parked.size > 0) throw new Error('markDead() left requests parked');
    this.epoch++;
    this.lastRestoreAt = this.now;
    this.group = ClassicGroup.restore(this.persisted, this.now, this.config, () => this.newId(), this.logger(), 'g');
    if (this.group.generationId !== this.persisted.generation) throw new Error('restore() changed the generation');
    if (this.group.generationId < this.maxAssignedGeneration) throw new Error(`generation ${this.maxAssignedGeneration} delivered assignments but was not persisted`);
    // Later generations never delivered an assignment; the new coordinator reuses their numbers.
    this.maxGeneration = this.group.generationId;
    for (const map of [this.leaders, this.joined, this.owners]) for (const g of [...map.keys()]) if (g > this.maxGeneration) map.delete(g);
  }

  // --- the consumers ---

  private tick(client: Client, incarnation: number): void {
    if (!client.isAlive || client.incarnation !== incarnation) return;
    this.schedule(client.heartbeatMs + this.rng.int(-300, 300), { kind: 'tick', client, incarnation });
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
        client.pausedUntil = this.now + this.rng.int(2000, 40_000);
        this.note(`${client.name} pauses until ${client.pausedUntil}`);
        return;
      }
      if (r < 0.06) {
        if (this.rng.chance(0.5)) client.metadataVersion++;
        return this.join(client);
      }
    }
    this.send(client, { kind: 'heartbeat', memberId: client.memberId, generationId: client.generationId });
    if (client.phase === 'stable' && this.rng.chance(0.3)) {
      this.send(client, { kind: 'commit', memberId: client.memberId, generationId: client.generationId, partitions: client.assignment ?? [] });
    }
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

  private kill(client: Client): void {
    client.isAlive = false;
    client.diedAt = this.now;
    this.incarnationEnds.set(`${client.index}/${client.incarnation}`, this.now);
  }

  private crash(client: Client): void {
    this.note(`${client.name}#${client.incarnation} crashes`);
    this.kill(client);
    this.schedule(this.rng.int(500, 30_000), { kind: 'restart', client });
  }

  private leave(client: Client): void {
    if (client.memberId !== '') this.send(client, { kind: 'leave', memberId: client.memberId });
    this.dropMemberId(client);
    Object.assign(client, { phase: 'idle', awaiting: null, assignment: null });
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
      // Find the new coordinator; a JoinGroup/SyncGroup round starts over.
      client.epoch = this.epoch;
      if (flight.requestId === client.awaiting) this.join(client);
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
      case 'commit':
      case 'leave':
        return;
    }
  }

  /** A fenced static member stops (this incarnation, as a Kafka consumer does); it is restarted later. */
  private fenced(client: Client): void {
    this.note(`${client.name}#${client.incarnation} is fenced`);
    this.kill(client);
    this.schedule(this.rng.int(500, 10_000), { kind: 'restart', client });
  }

  private onJoinResponse(client: Client, r: JoinResponse): void {
    client.awaiting = null;
    switch (r.errorCode) {
      case ErrorCode.NONE: {
        client.memberId = r.memberId;
        client.generationId = r.generationId;
        client.protocolName = r.protocolName;
        client.phase = 'assigning';
        const isLeader = r.leader === r.memberId;
        const assignments = isLeader ? rangeAssign(r.members.map((m) => m.memberId), this.params.partitions) : [];
        // Usually prompt; sometimes slow, or (a fault) slower than the rebalance timeout allows.
        const roll = this.isChaos ? this.rng.next() : 0;
        const thinkMs = roll < 0.85 ? this.rng.int(0, 50) : roll < 0.95 ? this.rng.int(50, 5000) : this.rng.int(client.rebalanceTimeoutMs, PARKED_MAX_MS + REBALANCE_MAX_MS);
        if (this.isChaos && this.rng.chance(0.03)) return this.crash(client);
        this.schedule(thinkMs, { kind: 'sendSync', client, incarnation: client.incarnation, round: ++client.round, assignments });
        return;
      }
      case ErrorCode.MEMBER_ID_REQUIRED:
        client.memberId = r.memberId;
        return this.join(client);
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.dropMemberId(client);
        return this.join(client);
      case ErrorCode.REBALANCE_IN_PROGRESS:
        return this.join(client);
      case ErrorCode.FENCED_INSTANCE_ID:
        return this.fenced(client);
      case ErrorCode.GROUP_MAX_SIZE_REACHED:
        this.dropMemberId(client);
        client.phase = 'idle';
        client.isRejected = true;
        return;
      default:
        throw new Error(`${client.name} got an unexpected JoinGroup error ${errorInfo(r.errorCode).name}`);
    }
  }

  private sendSync(event: Extract<Event, { kind: 'sendSync' }>): void {
    const client = event.client;
    if (!client.isAlive || client.incarnation !== event.incarnation || client.round !== event.round || client.phase !== 'assigning') return;
    client.phase = 'syncing';
    client.awaiting = this.send(client, { kind: 'sync', memberId: client.memberId, generationId: client.generationId, assignments: event.assignments });
  }

  private onSyncResponse(client: Client, flight: InFlight, r: SyncResponse): void {
    client.awaiting = null;
    switch (r.errorCode) {
      case ErrorCode.NONE:
        client.phase = 'stable';
        client.isRejected = false;
        client.assignment = JSON.parse(r.assignment.toString() || '[]') as number[];
        if (this.isChaos && this.rng.chance(0.03)) this.crash(client);
        return;
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.dropMemberId(client);
        return this.join(client);
      case ErrorCode.REBALANCE_IN_PROGRESS:
      case ErrorCode.ILLEGAL_GENERATION:
        return this.join(client);
      case ErrorCode.FENCED_INSTANCE_ID:
        return this.fenced(client);
      default:
        throw new Error(`${client.name} got an unexpected SyncGroup error ${errorInfo(r.errorCode).name} (#${flight.requestId})`);
    }
  }

  private onHeartbeatResponse(client: Client, flight: InFlight, errorCode: number): void {
    const req = flight.req as Extract<Request, { kind: 'heartbeat' }>;
    // Answers to heartbeats of an older membership or generation are stale.
    if (req.memberId !== client.memberId || req.generationId !== client.generationId || client.phase === 'joining' || client.phase === 'idle') return;
    switch (errorCode) {
      case ErrorCode.NONE:
        return;
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.dropMemberId(client);
        return this.join(client);
      case ErrorCode.REBALANCE_IN_PROGRESS:
      case ErrorCode.ILLEGAL_GENERATION:
        // Before its SyncGroup is answered, the SyncGroup's answer decides.
        if (client.phase === 'stable') this.join(client);
        return;
      case ErrorCode.FENCED_INSTANCE_ID:
        return this.fenced(client);
      default:
        throw new Error(`${client.name} got an unexpected Heartbeat error ${errorInfo(errorCode).name}`);
    }
  }

  // --- the checkers ---

  private checkJoinResponse(r: JoinResponse): void {
    if (r.errorCode !== ErrorCode.NONE) return;
    if (r.skipAssignment) throw new Error('skipAssignment must stay false');
    if (r.generationId !== this.group.generationId) throw new Error(`join answered for generation ${r.generationId}, the group is at ${this.group.generationId}`);
    const leader = this.identity(r.leader);
    const known = this.leaders.get(r.generationId);
    if (known === undefined) this.leaders.set(r.generationId, leader);
    else if (known !== leader) throw new Error(`generation ${r.generationId} has two leaders: ${known} and ${leader}`);
    if (r.leader === r.memberId && !r.members.some((m) => m.memberId === r.leader)) throw new Error('the leader is missing from its member list');
    let joined = this.joined.get(r.generationId);
    if (joined === undefined) this.joined.set(r.generationId, (joined = new Set()));
    joined.add(r.memberId);
  }

  private checkSyncResponse(flight: InFlight, r: SyncResponse): void {
    if (r.errorCode !== ErrorCode.NONE) return;
    const req = flight.req as Extract<Request, { kind: 'sync' }>;
    if (this.persisted.generation < req.generationId) throw new Error(`generation ${req.generationId} delivers assignments before it is persisted`);
    this.maxAssignedGeneration = Math.max(this.maxAssignedGeneration, req.generationId);
    const owner = this.identity(req.memberId);
    let byPartition = this.owners.get(req.generationId);
    if (byPartition === undefined) this.owners.set(req.generationId, (byPartition = new Map()));
    for (const p of JSON.parse(r.assignment.toString() || '[]') as number[]) {
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

    const abandonedMaxMs = Math.max(this.config.initialRebalanceDelayMs, REBALANCE_MAX_MS) + REBALANCE_MAX_MS + SESSION_MAX_MS + 2 * NET_DELAY_MAX_MS;
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
      if (abandonedAt !== undefined && this.now - Math.max(abandonedAt, this.lastRestoreAt) > abandonedMaxMs) {
        throw new Error(`member ${id} of ${client.name}#${incarnation} was abandoned at ${abandonedAt} but is still in the group`);
      }
    }
    for (const { at, flight } of this.parked.values()) {
      if (this.now - at > PARKED_MAX_MS) throw new Error(`${flight.req.kind} #${flight.requestId} of ${flight.client.name} parked since ${at}`);
    }
    // A MEMBER_ID_REQUIRED id is forgotten after its session timeout if it never joins.
    for (const id of g.pendingMemberIds()) {
      const since = this.pendingSince.get(id);
      if (since === undefined) throw new Error(`pending member ${id} was never handed out`);
      if (this.now - Math.max(since, this.lastRestoreAt) > SESSION_MAX_MS + NET_DELAY_MAX_MS) throw new Error(`pending member ${id} from ${since} is still pending`);
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

  /** No more faults: every consumer comes back, and the group must settle on all of them. */
  private settle(): void {
    this.isChaos = false;
    this.note('SETTLE');
    for (const client of this.clients) {
      client.pausedUntil = 0;
      if (!client.isAlive) this.restart(client);
    }
    this.runUntil(this.now + 4 * (REBALANCE_MAX_MS + SESSION_MAX_MS));
    const g = this.group;
    if (g.state !== 'Stable') throw new Error(`not Stable after settling: ${g.state}`);
    const members = this.clients.filter((c) => c.phase === 'stable');
    const expected = members.map((c) => c.memberId).sort();
    if (JSON.stringify(g.memberIds().sort()) !== JSON.stringify(expected)) {
      throw new Error(`after settling the members are ${g.memberIds().join(',')}, the consumers hold ${expected.join(',')}`);
    }
    const wanted = Math.min(this.params.clients, this.params.maxSize);
    if (members.length !== wanted) throw new Error(`${members.length} consumers are in the group, expected ${wanted}`);
    const held = members.flatMap((c) => c.assignment ?? []).sort((a, b) => a - b);
    if (JSON.stringify(held) !== JSON.stringify([...Array(this.params.partitions).keys()])) throw new Error(`consumers hold partitions ${held.join(',')}`);
    for (const c of members) if (c.generationId !== g.generationId) throw new Error(`${c.name} is at generation ${c.generationId}, the group at ${g.generationId}`);
  }

  /** Every consumer goes away: the group must end Empty with nothing parked. */
  private quiesce(): void {
    this.note('QUIESCE');
    for (const client of this.clients) if (client.isAlive) this.kill(client);
    this.runUntil(this.now + 3 * (REBALANCE_MAX_MS + SESSION_MAX_MS));
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
