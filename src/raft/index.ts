// The raft/ folder's public face: the pure Raft core (voters and observers, DescribeQuorum's
// view), its log, the message and Ready types, and an in-memory durable store for tests. The
// driver (driver/: RaftNode with its disk, TCP transport and tick loop) runs it.

export { Raft, type ReadonlyRaftLog } from './raft.js';
export { RaftLog } from './raft-log.js';
export { MemoryRaftStorage } from './memory-storage.js';
export { majorityOf, isLogUpToDate } from './quorum.js';
export type * from './types.js';
