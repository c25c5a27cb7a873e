// --kill-broker: at the chosen second, SIGKILL the broker leading the most location partitions
// (leadership.ts picks it), then start it again on the same ports and data after
// --restart-broker-after seconds (default 5) unless that is `never`.
//
// The demo restarts it by default: with replication factor 3 and min.insync.replicas 2 the
// pipeline runs on two brokers, but one more failure would stop every acks=all write, so a demo
// that leaves a broker down ends in a state nobody would run. Restarted, the broker catches up
// from the leaders, rejoins the ISRs (isr=36/36 again in the view) and, once leader balancing
// runs, leads its preferred partitions again.

import type { LocalCluster } from '../cli/cluster-run.js';
import { brokerToKill, type LeaderView } from './leadership.js';

export interface BrokerFaultPlan {
  killAtSec: number;
  /** null: leave it down. */
  restartAfterSec: number | null;
}

export class BrokerFault {
  private killedId: number | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private isFinished = false;

  constructor(
    private readonly cluster: LocalCluster,
    private readonly plan: BrokerFaultPlan,
    private readonly write: (line: string) => void,
  ) {}

  /** The killed broker's id, once it has been killed. */
  get killed(): number | undefined {
    return this.killedId;
  }

  /** Kills the broker once `elapsedSec` reaches the plan's second; later calls do nothing. */
  async maybeKill(elapsedSec: number, view: LeaderView | undefined): Promise<void> {
    if (this.killedId !== undefined || this.isFinished || elapsedSec < this.plan.killAtSec || view === undefined) return;
    const id = brokerToKill(view);
    if (id === undefined) return;
    this.killedId = id;
    await this.cluster.kill(id, 'SIGKILL');
    const led = view.leaders.get(id) ?? 0;
    const total = [...view.leaders.values()].reduce((a, b) => a + b, 0) + view.leaderless;
    this.write(`demo gps: t=${elapsedSec.toFixed(0)}s killed broker ${id} (SIGKILL), leader of ${led} of ${total} location partitions`);
    if (this.plan.restartAfterSec !== null) {
      this.restartTimer = setTimeout(() => this.restart(id, elapsedSec + this.plan.restartAfterSec!), this.plan.restartAfterSec * 1000);
    }
  }

  /** No restart after this; one in progress ends when the cluster stops, and is not reported. */
  finish(): void {
    this.isFinished = true;
    clearTimeout(this.restartTimer);
  }

  private restart(id: number, atSec: number): void {
    if (this.isFinished) return;
    this.write(`demo gps: t=${atSec.toFixed(0)}s restarting broker ${id}`);
    const startedMs = Date.now();
    void this.cluster.restart(id).then(
      () => this.write(`demo gps: broker ${id} is back (ready after ${((Date.now() - startedMs) / 1000).toFixed(1)} s)`),
      (err: unknown) => {
        if (!this.isFinished) this.write(`demo gps: broker ${id} did not come back: ${String(err)}; see ${this.cluster.logPath(id)}`);
      },
    );
  }
}
