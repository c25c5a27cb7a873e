// Replica placement for new partitions, following Kafka's assignment (AdminUtils): rack-unaware
// round-robin, and its rack-aware variant when every candidate broker has a rack. Pure: the
// random start comes from the caller. Candidates are the active brokers (registered, unfenced,
// not in controlled shutdown), given in broker id order.
//
// Partition p's first replica (its preferred leader) is broker (start + p) mod n of the list; the
// followers come after it at a shift that grows every n partitions, so leaders and followers
// both spread evenly. The rack-aware variant first orders the brokers by alternating racks (the
// first broker of each rack, then the second of each, ...) so neighbours sit on different racks,
// and then skips a candidate whose rack already holds a replica while some rack holds none (and,
// of course, a broker that holds one already).

export interface PlacementBroker {
  brokerId: number;
  rack: string | null;
}

/** Rack-aware when every candidate has a rack; plain round-robin otherwise (Kafka's "safe" mode). */
export function placeReplicas(brokers: readonly PlacementBroker[], partitions: number, rf: number, start: number, firstPartition: number): number[][] {
  const hasRacks = brokers.length > 0 && brokers.every((b) => b.rack !== null);
  if (hasRacks) return rackAware(brokers, partitions, rf, start, firstPartition);
  return roundRobin(brokers.map((b) => b.brokerId), partitions, rf, start, firstPartition);
}

/** Kafka's rack-unaware placement. */
export function roundRobin(brokers: readonly number[], partitions: number, rf: number, start: number, firstPartition: number): number[][] {
  const n = brokers.length;
  const out: number[][] = [];
  for (let p = firstPartition; p < firstPartition + partitions; p++) {
    const first = (start + p) % n;
    const shift = n > 1 ? (start + Math.floor(p / n)) % (n - 1) : 0;
    const replicas = [brokers[first]!];
    for (let j = 1; j < rf; j++) replicas.push(brokers[(first + 1 + ((shift + j - 1) % (n - 1))) % n]!);
    out.push(replicas);
  }
  return out;
}

/** Kafka's rack-aware placement; every broker must have a rack. */
export function rackAware(brokers: readonly PlacementBroker[], partitions: number, rf: number, start: number, firstPartition: number): number[][] {
  const arranged = rackAlternated(brokers);
  const rackOf = new Map(brokers.map((b) => [b.brokerId, b.rack!]));
  const n = arranged.length;
  const rackCount = new Set(rackOf.values()).size;
  const out: number[][] = [];
  for (let p = firstPartition; p < firstPartition + partitions; p++) {
    const first = (start + p) % n;
    const shift = (start + Math.floor(p / n)) * rackCount;
    const replicas = [arranged[first]!];
    const racksUsed = new Set([rackOf.get(arranged[first]!)!]);
    // Visits every other broker once per n - 1 steps, so it ends whenever rf <= n.
    for (let k = 0; replicas.length < rf; k++) {
      const broker = arranged[(first + 1 + ((shift + k) % (n - 1))) % n]!;
      const rack = rackOf.get(broker)!;
      const rackFine = !racksUsed.has(rack) || racksUsed.size === rackCount;
      if (rackFine && !replicas.includes(broker)) {
        replicas.push(broker);
        racksUsed.add(rack);
      }
    }
    out.push(replicas);
  }
  return out;
}

/** Brokers ordered rack by rack in turn (racks and brokers within a rack sorted). */
export function rackAlternated(brokers: readonly PlacementBroker[]): number[] {
  const byRack = new Map<string, number[]>();
  for (const b of brokers) {
    const ids = byRack.get(b.rack!) ?? [];
    ids.push(b.brokerId);
    byRack.set(b.rack!, ids);
  }
  const racks = [...byRack.keys()].sort();
  for (const ids of byRack.values()) ids.sort((a, b) => a - b);
  const out: number[] = [];
  for (let round = 0; out.length < brokers.length; round++) {
    for (const rack of racks) {
      const id = byRack.get(rack)![round];
      if (id !== undefined) out.push(id);
    }
  }
  return out;
}
