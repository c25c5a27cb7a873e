// A hand-driven cluster for Raft transcripts: messages queue in one FIFO and are delivered only
// when a test says so, ticks are explicit, jitter is a fixed per-node value, and each node's
// durable state is exactly what its ready() asked to persist. Observers (ids not among the
// voters) run alongside the voters when a test lists them. Not a test file itself.

import { Raft, MemoryRaftStorage, type Entry, type QuorumState, type RaftConfig, type RaftMessage, type Snapshot } from '../../../src/raft/index.js';

/** A durable store holding a quorum state and a log whose entries have the given epochs. */
export function storeWith(quorumState: QuorumState, epochs: number[], label = ''): MemoryRaftStorage {
  const store = new MemoryRaftStorage();
  const entries = epochs.map((epoch, offset) => ({ offset, epoch, data: Buffer.from(`${label}${offset}@${epoch}`), isControl: false }));
  store.persist({ snapshot: null, logFromOffset: 0, entries, quorumState, messages: [], applySnapshot: null, committed: [] });
  return store;
}

export const baseConfig = {
  electionTimeoutTicks: 10,
  electionJitterTicks: 5,
  fetchTimeoutTicks: 20,
  requestTimeoutTicks: 5,
  fetchWaitTicks: 3,
  fetchEntriesMax: 100,
  snapshotChunkBytesMax: 4,
} as const;

export class TestCluster {
  readonly nodes = new Map<number, Raft>();
  readonly stores = new Map<number, MemoryRaftStorage>();
  readonly applied = new Map<number, Entry[]>();
  readonly appliedSnapshots = new Map<number, Snapshot[]>();
  queue: RaftMessage[] = [];
  /** Node ids cut off from everyone: their messages, both ways, are dropped. */
  readonly isolated = new Set<number>();
  readonly sent: RaftMessage[] = [];
  /** Voters, then observers. */
  readonly ids: number[];

  constructor(
    readonly voters: number[],
    private readonly jitter: (id: number) => number = (id) => id % baseConfig.electionJitterTicks,
    private readonly overrides: Partial<RaftConfig> = {},
    initial: Map<number, MemoryRaftStorage> = new Map(),
    readonly observers: number[] = [],
  ) {
    this.ids = [...voters, ...observers];
    for (const id of this.ids) {
      this.stores.set(id, initial.get(id) ?? new MemoryRaftStorage());
      this.applied.set(id, []);
      this.appliedSnapshots.set(id, []);
      this.start(id);
    }
  }

  node(id: number): Raft {
    return this.nodes.get(id)!;
  }

  start(id: number): void {
    const config: RaftConfig = { ...baseConfig, ...this.overrides, nodeId: id, voters: this.voters };
    const jitter = this.jitter(id);
    this.nodes.set(id, new Raft(config, this.stores.get(id)!.load(), { nextInt: (bound) => jitter % bound }));
    this.flush(id);
  }

  /** Crash: volatile state is gone; the node comes back from its durable store. */
  restart(id: number): void {
    this.queue = this.queue.filter((m) => m.to !== id);
    this.applied.set(id, []);
    this.start(id);
  }

  flush(id: number): void {
    const raft = this.node(id);
    if (!raft.hasReady()) return;
    const ready = raft.ready();
    this.stores.get(id)!.persist(ready);
    for (const m of ready.messages) {
      this.sent.push(m);
      if (!this.isolated.has(m.from) && !this.isolated.has(m.to)) this.queue.push(m);
    }
    if (ready.applySnapshot !== null) this.appliedSnapshots.get(id)!.push(ready.applySnapshot);
    this.applied.get(id)!.push(...ready.committed);
    raft.advance();
  }

  tick(ids: number[] = this.ids, times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const id of ids) {
        this.node(id).tick();
        this.flush(id);
      }
    }
  }

  /** Delivers the oldest queued message and returns it (undefined when the queue is empty). */
  deliverOne(): RaftMessage | undefined {
    const m = this.queue.shift();
    if (m === undefined || this.isolated.has(m.from) || this.isolated.has(m.to)) return m;
    this.node(m.to).step(m);
    this.flush(m.to);
    return m;
  }

  /** Delivers queued messages (and what they cause) until the network is quiet. */
  deliverAll(roundsMax = 10_000): void {
    for (let i = 0; i < roundsMax && this.queue.length > 0; i++) {
      const m = this.queue.shift()!;
      if (this.isolated.has(m.from) || this.isolated.has(m.to)) continue;
      this.node(m.to).step(m);
      this.flush(m.to);
    }
  }

  /** Ticks everyone and delivers after each tick, `times` times. */
  run(times: number): void {
    for (let i = 0; i < times; i++) {
      this.tick();
      this.deliverAll();
    }
  }

  leaders(): Raft[] {
    return [...this.nodes.values()].filter((n) => n.role === 'leader');
  }

  propose(text: string): number {
    const [leader] = this.leaders();
    const offset = leader!.propose(Buffer.from(text));
    this.flush(leader!.nodeId);
    return offset!;
  }

  /** The data entries a node has applied, as strings (leader-change entries left out). */
  appliedData(id: number): string[] {
    return this.applied.get(id)!.filter((e) => !e.isControl).map((e) => e.data.toString());
  }
}
