// The raft/ folder's public face: the pure Raft core, its log, the message and Ready types, and
// an in-memory durable store for tests. The driver (driver/ (RaftNode: disk, TCP transport, tick loop)) wires it to a
// Clock, a Transport and a Disk.

export { Raft, type ReadonlyRaftLog } from './raft.js';
export { RaftLog } from './raft-log.js';
export { MemoryRaftStorage } from './memory-storage.js';
export { majorityOf, isLogUpToDate } from './quorum.js';
export type * from './types.js';
