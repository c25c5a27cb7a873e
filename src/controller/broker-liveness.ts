// Broker sessions on the active controller: when each broker was last heard from. A broker is
// alive while its last contact is at most `sessionTimeoutMs` old (broker.session.timeout.ms;
// KRaft's BrokerHeartbeatManager uses the same inclusive bound). Pure: times are passed in.
// Sessions are not metadata: they live only on the active controller, so a newly active
// controller starts every registered broker with a fresh session (resetAll) rather than fencing
// brokers it has not heard from yet. Which brokers to check, and what fencing means, is the
// caller's business.

export class BrokerLiveness {
  private readonly lastContactMs = new Map<number, number>();

  constructor(readonly sessionTimeoutMs: number) {}

  /** A heartbeat or registration from `brokerId` at `nowMs`. */
  touch(brokerId: number, nowMs: number): void {
    this.lastContactMs.set(brokerId, nowMs);
  }

  /** Heard from within the session timeout; a broker never heard from is not alive. */
  isAlive(brokerId: number, nowMs: number): boolean {
    const last = this.lastContactMs.get(brokerId);
    return last !== undefined && nowMs <= last + this.sessionTimeoutMs;
  }

  /** The candidates whose session has expired (or never started), in the order given. */
  expired(nowMs: number, candidates: readonly number[]): number[] {
    return candidates.filter((id) => !this.isAlive(id, nowMs));
  }

  forget(brokerId: number): void {
    this.lastContactMs.delete(brokerId);
  }

  /** Starts a fresh session for each of `brokerIds` and forgets every other broker. */
  resetAll(brokerIds: readonly number[], nowMs: number): void {
    this.lastContactMs.clear();
    for (const id of brokerIds) this.lastContactMs.set(id, nowMs);
  }
}
