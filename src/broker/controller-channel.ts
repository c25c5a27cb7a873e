// How a broker reaches the active controller. When this node is the active controller the
// call goes straight to the in-process Controller; otherwise it is sent as the Kafka request over
// the controller listener of the voter the metadata quorum names as leader. NOT_CONTROLLER,
// a lost connection or an unknown leader are retried (the quorum learns the new leader) until the
// call's deadline; past it the call fails with REQUEST_TIMED_OUT in every result. Each request
// has a short timeout of its own, and a leader change closes the connection to the old one, so a
// heartbeat never waits on a controller that was cut off.
//
// Read-your-writes: after a remote change the broker waits (bounded) until its own metadata image
// has applied everything the controller had committed when it answered (DescribeQuorum's high
// watermark), so a client that creates a topic through this broker sees it here at once.

import type { Logger } from '../common/logger.js';
import { sleep, KafkaConnection } from '../client/connection.js';
import { mentionsNotController, CONTROLLER_API_VERSIONS, type ControllerApi } from '../controller/api.js';
import type { Controller } from '../controller/controller.js';
import { refusal } from '../controller/server/handlers.js';
import { NotControllerError, type RaftMetadataQuorum } from '../metadata/metadata-quorum.js';
import { ErrorCode } from '../protocol/errors.js';
import { ApiKey } from '../protocol/generated/api-keys.js';
import type { DescribeQuorumResponse } from '../protocol/generated/describe-quorum-response.js';
import type { PeerAddress } from '../raft/driver/transport.js';

const RETRY_BACKOFF_MS = 50;
const LEADER_WATCH_MS = 50;
const CATCH_UP_TIMEOUT_MS = 5000;
const CONNECT_TIMEOUT_MS = 2000;
const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * One request to the controller: it decides and commits in well under a second, so a longer wait
 * means it is gone or cut off, and the retry loop should look for the current leader instead.
 */
const REQUEST_TIMEOUT_MS = 5000;

export class ControllerChannel implements ControllerApi {
  private connection: { leaderId: number; conn: KafkaConnection } | null = null;
  private isClosed = false;

  constructor(
    private readonly nodeId: number,
    private readonly quorum: RaftMetadataQuorum,
    private readonly local: Controller | null,
    private readonly logger: Logger,
  ) {}

  close(): void {
    this.isClosed = true;
    this.connection?.conn.close();
    this.connection = null;
  }

  createTopics = (req: Parameters<ControllerApi['createTopics']>[0]) => this.send(ApiKey.CreateTopics, req, true, (c) => c.createTopics(req), req.timeoutMs);
  deleteTopics = (req: Parameters<ControllerApi['deleteTopics']>[0]) => this.send(ApiKey.DeleteTopics, req, true, (c) => c.deleteTopics(req), req.timeoutMs);
  createPartitions = (req: Parameters<ControllerApi['createPartitions']>[0]) =>
    this.send(ApiKey.CreatePartitions, req, true, (c) => c.createPartitions(req), req.timeoutMs);
  incrementalAlterConfigs = (req: Parameters<ControllerApi['incrementalAlterConfigs']>[0]) =>
    this.send(ApiKey.IncrementalAlterConfigs, req, true, (c) => c.incrementalAlterConfigs(req));
  allocateProducerIds = (req: Parameters<ControllerApi['allocateProducerIds']>[0]) =>
    this.send(ApiKey.AllocateProducerIds, req, false, (c) => c.allocateProducerIds(req));
  brokerRegistration = (req: Parameters<ControllerApi['brokerRegistration']>[0]) =>
    this.send(ApiKey.BrokerRegistration, req, false, (c) => c.brokerRegistration(req));
  brokerHeartbeat = (req: Parameters<ControllerApi['brokerHeartbeat']>[0]) => this.send(ApiKey.BrokerHeartbeat, req, false, (c) => c.brokerHeartbeat(req), 5000);
  unregisterBroker = (req: Parameters<ControllerApi['unregisterBroker']>[0]) => this.send(ApiKey.UnregisterBroker, req, true, (c) => c.unregisterBroker(req));
  alterPartition = (req: Parameters<ControllerApi['alterPartition']>[0]) => this.send(ApiKey.AlterPartition, req, false, (c) => c.alterPartition(req));
  electLeaders = (req: Parameters<ControllerApi['electLeaders']>[0]) => this.send(ApiKey.ElectLeaders, req, true, (c) => c.electLeaders(req), req.timeoutMs);
  alterPartitionReassignments = (req: Parameters<ControllerApi['alterPartitionReassignments']>[0]) =>
    this.send(ApiKey.AlterPartitionReassignments, req, true, (c) => c.alterPartitionReassignments(req), req.timeoutMs);
  listPartitionReassignments = (req: Parameters<ControllerApi['listPartitionReassignments']>[0]) =>
    this.send(ApiKey.ListPartitionReassignments, req, false, (c) => c.listPartitionReassignments(req), req.timeoutMs);
  describeQuorum = () => this.send(ApiKey.DescribeQuorum, { topics: [] }, false, (c) => c.describeQuorum(), 5000);

  private async send<T extends object>(apiKey: number, req: object, mutates: boolean, localCall: (c: Controller) => Promise<T>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    const deadline = Date.now() + Math.max(1000, timeoutMs > 0 ? timeoutMs : DEFAULT_TIMEOUT_MS);
    while (!this.isClosed && Date.now() < deadline) {
      const leaderId = this.quorum.leaderId;
      if (leaderId === this.nodeId && this.local !== null) {
        try {
          return await localCall(this.local);
        } catch (err) {
          if (!(err instanceof NotControllerError)) throw err;
        }
      } else if (leaderId >= 0) {
        // A request in flight to a voter that stops leading fails at once instead of timing out.
        const watch = setInterval(() => {
          if (this.quorum.leaderId !== leaderId) this.dropConnection();
        }, LEADER_WATCH_MS);
        try {
          const conn = await this.connectionTo(leaderId);
          const response = await conn.request<T>(apiKey, CONTROLLER_API_VERSIONS.get(apiKey)!, req);
          if (!mentionsNotController(response)) {
            if (mutates) await this.catchUp(conn);
            return response;
          }
          this.dropConnection(); // that voter no longer leads: ask the quorum again

        } catch (err) {
          this.logger.debug({ err, leaderId, apiKey }, 'controller request failed; retrying');
          this.dropConnection();
        } finally {
          clearInterval(watch);
        }
      }
      await sleep(RETRY_BACKOFF_MS);
    }
    return refusal(apiKey, req, ErrorCode.REQUEST_TIMED_OUT) as T;
  }

  /** Waits until the local image has what the controller had committed when it answered. */
  private async catchUp(conn: KafkaConnection): Promise<void> {
    try {
      const dq = await conn.request<DescribeQuorumResponse>(ApiKey.DescribeQuorum, CONTROLLER_API_VERSIONS.get(ApiKey.DescribeQuorum)!, { topics: [] });
      const hw = dq.topics[0]?.partitions[0]?.highWatermark ?? -1;
      if (hw > 0) await this.quorum.waitForApplied(hw, CATCH_UP_TIMEOUT_MS);
    } catch (err) {
      this.logger.debug({ err }, 'could not learn the controller high watermark');
    }
  }

  /** One connection, to the leader the quorum names now; a leader change closes the old one. */
  private async connectionTo(leaderId: number): Promise<KafkaConnection> {
    const current = this.connection;
    if (current !== null && current.leaderId === leaderId && !current.conn.isClosed) return current.conn;
    this.dropConnection();
    const address: PeerAddress | null | undefined = this.quorum.voterAddresses.get(leaderId);
    if (address === null || address === undefined) throw new Error(`no controller address for voter ${leaderId}`);
    const conn = await KafkaConnection.open({
      host: address.host,
      port: address.port,
      clientId: `tideline-broker-${this.nodeId}`,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      inflightRequestsMax: 100,
      frameBytesMax: 100 << 20,
    });
    // Another call may have connected meanwhile, or the leader moved on: keep one, current connection.
    if (this.isClosed || this.quorum.leaderId !== leaderId || (this.connection !== null && this.connection.conn !== conn)) {
      conn.close();
      throw new Error(`controller leader changed while connecting to ${leaderId}`);
    }
    this.connection = { leaderId, conn };
    return conn;
  }

  private dropConnection(): void {
    this.connection?.conn.close();
    this.connection = null;
  }
}
