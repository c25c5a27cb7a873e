// The Raft driver's public face: RaftNode (the shell that runs the pure core with timers, TCP and
// files), the DescribeQuorum types it returns, the hello frame a shared listener checks for, and
// its parts for tests and tools: RaftDisk, RaftTransport and the frame codec.

export { RaftNode, type NotLeader, type RaftNodeOptions } from './raft-node.js';
export type { QuorumInfo, ReplicaState } from './quorum-info.js';
export { RaftDisk } from './raft-disk.js';
export { RaftTransport, RAFT_HELLO_API_KEY, encodeRaftHello, isRaftHello, type PeerAddress, type TransportOptions } from './transport.js';
export { encodeRaftMessage, decodeRaftMessage } from './codec.js';
