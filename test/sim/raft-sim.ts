// A deterministic simulation of a KRaft-style quorum: N Raft cores driven the way the driver
// will drive them (tick, step, then persist-send-apply each ready() and advance()), over a
// simulated network that loses, delays, duplicates and reorders messages and splits into
// partitions, with nodes that crash and restart from exactly what ready() asked to persist.
// Proposals and local snapshots happen at random. Everything random comes from one seed.
//
// After every tick and every delivered message the checkers assert:
// - election safety: at most one node is ever leader of a given epoch;
// - log matching: an (offset, epoch) pair names one entry everywhere, with one predecessor epoch,
//   so two logs that share an entry share the whole prefix before it;
// - committed entries never change: every entry below any node's high watermark, every applied
//   entry, and every installed snapshot agree with one global committed sequence;
// - leader completeness: a new leader's log holds every committed entry;
// - the high watermark never decreases within a node's incarnation and never passes its log end;
// - periodically, every committed entry is durable on a majority of voters (nothing lost).
// A liveness phase then heals the network and restarts every node: a leader must be elected
// and a proposal must commit within a bound.
//
// Some schedules add observers (non-voters), which crash, restart and get partitioned like the
// voters. They never define what is committed: every entry below an observer's high watermark,
// every entry it applies and every snapshot it installs must already be in the voters' committed
// sequence at that offset. They must never campaign, and after healing they must catch up.

import { Raft, MemoryRaftStorage, majorityOf, type Entry, type RaftConfig, type RaftMessage } from '../../src/raft/index.js';
import { SeededRandom } from '../../src/common/random.js';


export interface SimResult {
  readonly ticks: number;
  /** Ticks from healing the network to the first committed proposal. */
  readonly livenessTicks: number;
  readonly counts: Map<string, number>;
}

interface SimNode {
  raft: Raft | null;
  readonly store: MemoryRaftStorage;
  /** Per incarnation: applied state as (offset, rolling hash); the last high watermark seen. */
  appliedOffset: number;
  appliedHash: number;
  lastHighWatermark: number;
  wasLeader: boolean;
  readonly isObserver: boolean;
  lastRole: string;
}

interface InFlight {
  readonly at: number;
  readonly message: RaftMessage;
}

const chaosTicks = 1500;
const livenessTicksMax = 400;
/** After the liveness proposal commits, observers must have applied it within this many ticks. */
const observerCatchUpTicksMax = 300;
const observerIdBase = 100;

function hashStep(hash: number, key: string): number {
  let h = hash ^ 0x9e3779b9;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function keyOf(e: Entry): string {
  return `${e.epoch}:${e.data.toString()}`;
}

export class RaftSimulation {
  private readonly rng: SeededRandom;
  private readonly nodes = new Map<number, SimNode>();
  private readonly voters: number[];
  private readonly observers: number[];
  private network: InFlight[] = [];
  private now = 0;
  private partition: Map<number, number> | null = null;
  private lossRate: number;
  private duplicateRate: number;
  private delayMax: number;
  private proposals = 0;
  // The global truth the checkers compare against.
  private readonly committed: string[] = [];
  private readonly committedHash: number[] = [0];
  private readonly leaderOfEpoch = new Map<number, number>();
  private readonly entryIdentity = new Map<string, string>();
  readonly counts = new Map<string, number>();
  readonly trace: string[] = [];

  constructor(
    readonly seed: number,
    voterCount: number,
    observerCount = 0,
  ) {
    this.rng = new SeededRandom(seed);
    this.voters = Array.from({ length: voterCount }, (_, i) => i + 1);
    this.observers = Array.from({ length: observerCount }, (_, i) => observerIdBase + i + 1);
    this.lossRate = this.rng.next() * 0.2;
    this.duplicateRate = this.rng.next() * 0.1;
    this.delayMax = 1 + this.rng.nextInt(8);
    for (const id of [...this.voters, ...this.observers]) {
      const isObserver = id > observerIdBase;
      this.nodes.set(id, { raft: null, store: new MemoryRaftStorage(), appliedOffset: 0, appliedHash: 0, lastHighWatermark: 0, wasLeader: false, isObserver, lastRole: '' });
      this.start(id);
    }
  }

  private count(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  private log(line: string): void {
    this.trace.push(`t=${this.now} ${line}`);
    if (this.trace.length > 400) this.trace.splice(0, 200);
  }

  private config(id: number): RaftConfig {
    return {
      nodeId: id,
      voters: this.voters,
      electionTimeoutTicks: 10,
      electionJitterTicks: 10,
      fetchTimeoutTicks: 20,
      requestTimeoutTicks: 4,
      fetchWaitTicks: 3,
      fetchEntriesMax: 8,
      snapshotChunkBytesMax: 8,
    };
  }

  private start(id: number): void {
    const node = this.nodes.get(id)!;
    const storage = node.store.load();
    node.raft = new Raft(this.config(id), storage, this.rng);
    // A restarted state machine loads its snapshot from disk; the log after it is replayed.
    const start = storage.snapshot?.id.endOffset ?? 0;
    node.appliedOffset = start;
    node.appliedHash = start === 0 ? 0 : this.snapshotHash(storage.snapshot!.data, start);
    node.lastHighWatermark = node.raft.highWatermark;
    node.wasLeader = false;
    node.lastRole = node.raft.role;
    this.log(`start ${id} as ${node.raft.role} epoch ${node.raft.epoch}`);
    this.flush(id);
  }

  private crash(id: number): void {
    this.nodes.get(id)!.raft = null;
    // Its connections die with it: nothing in flight to it reaches the next incarnation (as with
    // TCP). What it sent before crashing may still arrive.
    this.network = this.network.filter((f) => f.message.to !== id);
    this.count('crash');
    this.log(`crash ${id}`);
  }

  // ---- driving one node ---------------------------------------------------------------------

  private flush(id: number): void {
    const node = this.nodes.get(id)!;
    const raft = node.raft!;
    if (raft.hasReady()) {
      const ready = raft.ready();
      for (const e of ready.entries) this.checkEntryIdentity(raft, e);
      node.store.persist(ready);
      for (const m of ready.messages) this.send(m);
      if (ready.applySnapshot !== null) {
        const end = ready.applySnapshot.id.endOffset;
        node.appliedHash = this.snapshotHash(ready.applySnapshot.data, end);
        node.appliedOffset = end;
        this.count(node.isObserver ? 'observer installed a snapshot' : 'snapshot installed');
      }
      for (const e of ready.committed) this.apply(node, e);
      raft.advance();
    }
    this.checkNode(id, node);
  }

  private apply(node: SimNode, e: Entry): void {
    if (e.offset < node.appliedOffset) return;
    this.assert(e.offset === node.appliedOffset, `applied ${e.offset}, expected ${node.appliedOffset}`);
    this.commit(node, e.offset, keyOf(e));
    node.appliedHash = hashStep(node.appliedHash, keyOf(e));
    node.appliedOffset++;
    this.assert(node.appliedHash === this.committedHash[node.appliedOffset], `applied state diverges at ${e.offset}`);
  }

  /** A voter's committed entry extends the global sequence; an observer's must already be in it. */
  private commit(node: SimNode, offset: number, key: string): void {
    if (!node.isObserver) return this.learnCommitted(offset, key);
    this.assert(offset < this.committed.length, `observer committed offset ${offset} before the voters did (${this.committed.length})`);
    this.assert(this.committed[offset] === key, `observer committed ${key} at ${offset}, voters ${this.committed[offset]}`);
  }

  private learnCommitted(offset: number, key: string): void {
    if (offset < this.committed.length) {
      this.assert(this.committed[offset] === key, `committed entry ${offset} changed: ${this.committed[offset]} -> ${key}`);
      return;
    }
    this.assert(offset === this.committed.length, `committed offset ${offset} skips ${this.committed.length}`);
    this.committed.push(key);
    this.committedHash.push(hashStep(this.committedHash[offset]!, key));
  }

  private snapshotHash(data: Buffer, endOffset: number): number {
    const [end, hash] = data.toString().split(':').map(Number);
    this.assert(end === endOffset, `snapshot data for ${end} labelled ${endOffset}`);
    this.assert(hash === this.committedHash[endOffset], `snapshot at ${endOffset} holds a different state`);
    return hash!;
  }

  // ---- checkers -----------------------------------------------------------------------------

  private assert(condition: boolean, message: string): asserts condition {
    if (!condition) throw new Error(`seed ${this.seed}: ${message}`);
  }

  /** Log matching, entry by entry: an (offset, epoch) pair has one body and one predecessor epoch. */
  private checkEntryIdentity(raft: Raft, e: Entry): void {
    const identity = `${e.data.toString()}|${e.isControl}|${raft.log.epochAt(e.offset - 1) ?? (e.offset === 0 ? 0 : '?')}`;
    const id = `${e.offset}@${e.epoch}`;
    const seen = this.entryIdentity.get(id);
    if (seen === undefined) this.entryIdentity.set(id, identity);
    else if (!identity.endsWith('?') && !seen.endsWith('?')) this.assert(seen === identity, `log matching broken at ${id}: ${seen} vs ${identity}`);
  }

  private checkNode(id: number, node: SimNode): void {
    const raft = node.raft!;
    const hw = raft.highWatermark;
    this.assert(hw >= node.lastHighWatermark, `node ${id} high watermark went back ${node.lastHighWatermark} -> ${hw}`);
    this.assert(hw <= raft.log.endOffset, `node ${id} high watermark ${hw} beyond log end ${raft.log.endOffset}`);
    for (let o = Math.max(node.lastHighWatermark, raft.log.startOffset); o < hw; o++) this.commit(node, o, keyOf(raft.log.entryAt(o)));
    node.lastHighWatermark = hw;
    if (node.isObserver) return this.checkObserver(id, node, raft);
    if (raft.role !== 'leader') {
      node.wasLeader = false;
      return;
    }
    const known = this.leaderOfEpoch.get(raft.epoch);
    this.assert(known === undefined || known === id, `two leaders in epoch ${raft.epoch}: ${known} and ${id}`);
    if (node.wasLeader) return;
    node.wasLeader = true;
    this.leaderOfEpoch.set(raft.epoch, id);
    this.count('leader elected');
    this.log(`leader ${id} epoch ${raft.epoch}`);
    // Leader completeness: everything committed so far is in the new leader's log.
    this.assert(raft.log.endOffset >= this.committed.length, `leader ${id} lacks committed entries`);
    for (let o = raft.log.startOffset; o < this.committed.length; o++) {
      this.assert(keyOf(raft.log.entryAt(o)) === this.committed[o], `leader ${id} has a different entry at committed ${o}`);
    }
  }

  private checkObserver(id: number, node: SimNode, raft: Raft): void {
    this.assert(raft.isObserver, `observer ${id} thinks it votes`);
    this.assert(raft.role === 'unattached' || raft.role === 'follower', `observer ${id} became ${raft.role}`);
    this.assert(raft.votedId === -1, `observer ${id} voted for ${raft.votedId}`);
    if (node.lastRole === 'follower' && raft.role === 'unattached') this.count('observer lost its leader');
    if (node.lastRole !== 'follower' && raft.role === 'follower') this.count('observer found the leader');
    node.lastRole = raft.role;
  }

  /** Every committed entry sits in the durable log or snapshot of a majority. */
  private checkDurability(): void {
    for (let o = 0; o < this.committed.length; o++) {
      let holders = 0;
      for (const node of this.nodes.values()) {
        if (node.isObserver) continue;
        const s = node.store.load();
        const start = s.snapshot?.id.endOffset ?? 0;
        if (o < start ? this.committedHash[start] === this.snapshotHash(s.snapshot!.data, start) : keyOf(s.entries[o - start] ?? { offset: o, epoch: -1, data: Buffer.alloc(0), isControl: false }) === this.committed[o]) holders++;
      }
      this.assert(holders >= majorityOf(this.voters.length), `committed offset ${o} is durable on only ${holders} voters`);
    }
  }

  // ---- the network --------------------------------------------------------------------------

  private isReachable(from: number, to: number): boolean {
    return this.partition === null || this.partition.get(from) === this.partition.get(to);
  }

  private send(m: RaftMessage): void {
    if (m.type === 'FetchResponse' && m.divergingEpoch !== null) this.count('diverging');
    if (m.type === 'FetchResponse' && m.snapshotId !== null) this.count('snapshot needed');
    if (m.type === 'FetchSnapshotResponse' && m.errorCode !== 0) this.count('snapshot fetch refused');
    if (m.type === 'EndQuorumEpochRequest') this.count('resigned');
    if (m.type === 'VoteRequest' && m.preVote) this.count('pre-vote');
    this.assert(m.from < observerIdBase || m.type === 'FetchRequest' || m.type === 'FetchSnapshotRequest', `observer ${m.from} sent a ${m.type}`);
    if (!this.isReachable(m.from, m.to) || this.rng.chance(this.lossRate)) return;
    const copies = this.rng.chance(this.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) this.network.push({ at: this.now + 1 + this.rng.nextInt(this.delayMax), message: m });
  }

  private deliverDue(): void {
    const due = this.network.filter((f) => f.at <= this.now);
    this.network = this.network.filter((f) => f.at > this.now);
    // Shuffle: same-tick messages arrive in any order.
    for (let i = due.length - 1; i > 0; i--) {
      const j = this.rng.nextInt(i + 1);
      [due[i], due[j]] = [due[j]!, due[i]!];
    }
    for (const { message } of due) {
      const node = this.nodes.get(message.to)!;
      if (node.raft === null || !this.isReachable(message.from, message.to)) continue;
      node.raft.step(message);
      this.flush(message.to);
    }
  }

  // ---- the schedule -------------------------------------------------------------------------

  private tickAll(): void {
    this.now++;
    for (const [id, node] of this.nodes) {
      if (node.raft === null) continue;
      node.raft.tick();
      this.flush(id);
    }
    this.deliverDue();
  }

  private leader(): [number, Raft] | null {
    for (const [id, node] of this.nodes) if (node.raft?.role === 'leader') return [id, node.raft];
    return null;
  }

  private propose(): void {
    const found = this.leader();
    if (found === null) return;
    const [id, raft] = found;
    raft.propose(Buffer.from(`p${this.proposals++}`));
    this.flush(id);
  }

  private maybeSnapshot(): void {
    const ids = [...this.nodes.keys()].filter((id) => this.nodes.get(id)!.raft !== null);
    if (ids.length === 0) return;
    const id = ids[this.rng.nextInt(ids.length)]!;
    const node = this.nodes.get(id)!;
    const raft = node.raft!;
    if (node.appliedOffset - raft.log.startOffset < 5) return;
    raft.snapshot(node.appliedOffset, Buffer.from(`${node.appliedOffset}:${node.appliedHash}`));
    this.count('snapshot taken');
    this.flush(id);
  }

  private injectFaults(): void {
    if (this.rng.chance(0.01)) {
      this.partition = new Map([...this.nodes.keys()].map((id) => [id, this.rng.nextInt(2)]));
      this.count('partition');
      this.log(`partition ${JSON.stringify([...this.partition])}`);
    } else if (this.partition !== null && this.rng.chance(0.02)) {
      this.partition = null;
      this.log('heal');
    }
    for (const [id, node] of this.nodes) {
      if (node.raft !== null && this.rng.chance(0.003)) this.crash(id);
      else if (node.raft === null && this.rng.chance(0.05)) this.start(id);
    }
  }

  run(): SimResult {
    for (let t = 0; t < chaosTicks; t++) {
      this.injectFaults();
      if (this.rng.chance(0.3)) this.propose();
      if (this.rng.chance(0.02)) this.maybeSnapshot();
      this.tickAll();
      if (t % 100 === 99) this.checkDurability();
    }
    const livenessTicks = this.checkLiveness();
    this.checkDurability();
    return { ticks: this.now, livenessTicks, counts: this.counts };
  }

  /** After healing everything, a leader appears and a fresh proposal commits within a bound. */
  private checkLiveness(): number {
    this.partition = null;
    this.lossRate = 0;
    this.duplicateRate = 0;
    for (const [id, node] of this.nodes) if (node.raft === null) this.start(id);
    this.log('liveness phase');
    const marker = `final-${this.seed}`;
    for (let t = 0; t < livenessTicksMax; t++) {
      const found = this.leader();
      if (found !== null && !found[1].log.slice(found[1].log.startOffset, found[1].log.endOffset).some((e) => e.data.toString() === marker)) {
        found[1].propose(Buffer.from(marker));
        this.flush(found[0]);
      }
      this.tickAll();
      if (this.committed.some((k) => k.endsWith(`:${marker}`))) {
        this.checkObserversCatchUp();
        return t + 1;
      }
    }
    throw new Error(`seed ${this.seed}: no proposal committed within ${livenessTicksMax} ticks after healing`);
  }

  /** Every observer applies everything committed so far, the liveness proposal included. */
  private checkObserversCatchUp(): void {
    const target = this.committed.length;
    const lagging = () => this.observers.filter((id) => this.nodes.get(id)!.appliedOffset < target);
    for (let t = 0; t < observerCatchUpTicksMax && lagging().length > 0; t++) {
      // Voters keep compacting, as they would: a far-behind observer may get a snapshot.
      if (this.rng.chance(0.02)) this.maybeSnapshot();
      this.tickAll();
    }
    this.assert(lagging().length === 0, `observers ${lagging().join(', ')} did not catch up to ${target} within ${observerCatchUpTicksMax} ticks`);
  }
}
