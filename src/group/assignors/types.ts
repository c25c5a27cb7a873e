// The contract between a KIP-848 consumer group and its server-side assignors. An assignor is a
// pure function: it sees every member's subscription (as topic ids) and its current target
// assignment, plus the partition count of each subscribed topic, and returns the new target
// assignment. It never sees member epochs or what members actually own; reconciling owners
// toward the target is the group's job (src/group/consumer/reconcile.ts).
//
// Output invariants every assignor keeps (checked by the property tests):
// - every member of the spec appears in the result, possibly with an empty map;
// - each partition of a topic that someone subscribes to goes to exactly one member, and that
//   member subscribes to its topic;
// - partition lists are sorted ascending and no topic maps to an empty list;
// - the result depends only on the spec's content, never on the order of `members`.

export interface AssignmentMember {
  readonly memberId: string;
  /** The member's rack (KIP-848 RackId); accepted for the interface, unused by uniform and range. */
  readonly rackId: string | null;
  /** Topic ids the member subscribes to; ids missing from `topics` are ignored. */
  readonly subscribedTopicIds: readonly string[];
  /** The member's current target assignment, topicId → partitions, kept where possible. */
  readonly assignment: ReadonlyMap<string, readonly number[]>;
}

export interface AssignmentSpec {
  readonly members: readonly AssignmentMember[];
  /** topicId → number of partitions, for the topics the members subscribe to. */
  readonly topics: ReadonlyMap<string, number>;
}

/** topicId → sorted partitions. */
export type MemberAssignment = Map<string, number[]>;

/** memberId → that member's assignment. */
export type GroupAssignment = Map<string, MemberAssignment>;

export interface PartitionAssignor {
  /** The name clients pass as ServerAssignor (`group.remote.assignor`). */
  readonly name: string;
  assign(spec: AssignmentSpec): GroupAssignment;
}
