// The members of the three services: `--consumers location=N,analytics=N,db=N` processes per
// service, all members of a service in its one consumer group. Keeps them, answers what the live
// view needs (each member's partitions, the db-writer transactions across members and
// incarnations) and stops or kills them all.

import { DemoChild, type ChildExit } from './children.js';
import type { ChildConfig } from './config.js';
import { SERVICE_NAMES, type ServiceName } from './types.js';

export class ServiceMembers {
  private readonly members = new Map<ServiceName, DemoChild[]>();
  private dbTransactionsOfKilled = 0;

  constructor(
    private readonly config: ChildConfig,
    counts: Record<ServiceName, number>,
  ) {
    for (const service of SERVICE_NAMES) {
      this.members.set(service, Array.from({ length: counts[service] }, (_, i) => new DemoChild(service, i + 1, config)));
    }
  }

  all(): DemoChild[] {
    return [...this.members.values()].flat();
  }

  of(service: ServiceName): DemoChild[] {
    return this.members.get(service)!;
  }

  /** Each member's partitions in member order; undefined until the member has reported. */
  assignments(service: ServiceName): (number[] | undefined)[] {
    return this.of(service).map((m) => m.stats?.partitions);
  }

  /** Database transactions of every db-writer, including members killed and replaced. */
  dbTransactions(): number {
    return this.dbTransactionsOfKilled + this.of('db-writer').reduce((sum, m) => sum + (m.stats?.dbTransactions ?? 0), 0);
  }

  /** The first member's HTTP port (the address the demo prints). */
  httpPort(service: ServiceName): number | undefined {
    return this.of(service)[0]?.stats?.httpPort;
  }

  /** A member that exited although nobody asked it to. */
  exitedMember(): DemoChild | undefined {
    return this.all().find((m) => m.hasExited);
  }

  /** SIGKILLs member `member` (1-based) of `service` and starts a new process in its place. */
  replace(service: ServiceName, member: number): void {
    const list = this.of(service);
    const old = list[member - 1]!;
    old.kill();
    if (service === 'db-writer') this.dbTransactionsOfKilled += old.stats?.dbTransactions ?? 0;
    list[member - 1] = new DemoChild(service, member, this.config);
  }

  /** Asks every member to finish and exit; the labels of those that did not exit cleanly. */
  async stop(timeoutMs: number): Promise<string[]> {
    const members = this.all();
    const exits: ChildExit[] = await Promise.all(members.map((m) => m.stop(timeoutMs)));
    return members.filter((_, i) => exits[i]!.code !== 0).map((m) => m.label);
  }

  killAll(): void {
    for (const m of this.all()) m.kill();
  }

  async exited(): Promise<void> {
    await Promise.all(this.all().map((m) => m.exited));
  }
}
