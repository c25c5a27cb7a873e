// The Raft driver's public face: RaftNode (the shell that runs the pure core with timers, TCP and
// files), and its parts for tests and tools: RaftDisk, RaftTransport and the frame codec.

export { RaftNode, type NotLeader, type RaftNodeOptions } from './raft-node.js';
export { RaftDisk } from './raft-disk.js';
export { RaftTransport, type PeerAddress, type TransportOptions } from './transport.js';
export { encodeRaftMessage, decodeRaftMessage } from './codec.js';
