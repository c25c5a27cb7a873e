// The one table of Kafka protocol error codes: each code's name (Kafka's, as clients print it),
// number, whether a client may retry the same request, and a short message in Tideline's words.
// Handlers return these codes as values (`errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER`); no other
// file holds an error number. `KafkaError` exists for the few code paths that must unwind to a
// handler (for example a malformed record found deep inside a decoder) and carries one of these codes.
//
// Numbers, names and retriable flags follow Kafka's `Errors` enum through Kafka 4.1 (code 133). The
// retriable flag is Kafka's: true where the client-side exception is a RetriableException. A code
// Tideline does not know maps to UNKNOWN_SERVER_ERROR, as Kafka's `Errors.forCode` does.

type Entry = readonly [code: number, retriable: boolean, message: string];

const table = {
  UNKNOWN_SERVER_ERROR: [-1, false, 'The server hit an unexpected error while handling the request.'],
  NONE: [0, false, ''],
  OFFSET_OUT_OF_RANGE: [1, false, 'The offset lies outside the range the partition holds.'],
  CORRUPT_MESSAGE: [2, true, 'A record batch failed its CRC check, has an invalid size, or is otherwise corrupt.'],
  UNKNOWN_TOPIC_OR_PARTITION: [3, true, 'This server does not host the topic-partition.'],
  INVALID_FETCH_SIZE: [4, false, 'The fetch size is invalid.'],
  LEADER_NOT_AVAILABLE: [5, true, 'The partition has no leader right now, typically during an election.'],
  NOT_LEADER_OR_FOLLOWER: [6, true, 'This server is neither the leader nor a follower of the partition.'],
  REQUEST_TIMED_OUT: [7, true, 'The request timed out.'],
  BROKER_NOT_AVAILABLE: [8, false, 'The broker is not available.'],
  REPLICA_NOT_AVAILABLE: [9, true, 'The replica is not available for the partition.'],
  MESSAGE_TOO_LARGE: [10, false, 'A record batch is larger than the server accepts.'],
  STALE_CONTROLLER_EPOCH: [11, false, 'The request came from a controller with an old epoch.'],
  OFFSET_METADATA_TOO_LARGE: [12, false, 'The metadata string of an offset commit is too large.'],
  NETWORK_EXCEPTION: [13, true, 'The connection closed before a response arrived.'],
  COORDINATOR_LOAD_IN_PROGRESS: [14, true, 'The coordinator is still loading its state.'],
  COORDINATOR_NOT_AVAILABLE: [15, true, 'The coordinator is not available.'],
  NOT_COORDINATOR: [16, true, 'This server is not the coordinator for that key.'],
  INVALID_TOPIC_EXCEPTION: [17, false, 'The request names an invalid topic.'],
  RECORD_LIST_TOO_LARGE: [18, false, 'A record batch is larger than the configured segment size.'],
  NOT_ENOUGH_REPLICAS: [19, true, 'Fewer in-sync replicas than required; the records were not written.'],
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: [20, true, 'Written, but to fewer in-sync replicas than required.'],
  INVALID_REQUIRED_ACKS: [21, false, 'The produce request has an invalid acks value.'],
  ILLEGAL_GENERATION: [22, false, 'The group generation id is not current.'],
  INCONSISTENT_GROUP_PROTOCOL: [23, false, "The member's protocols do not match those of the group."],
  INVALID_GROUP_ID: [24, false, 'The group id is invalid.'],
  UNKNOWN_MEMBER_ID: [25, false, 'The coordinator does not know this member.'],
  INVALID_SESSION_TIMEOUT: [26, false, 'The session timeout is outside the range the broker allows.'],
  REBALANCE_IN_PROGRESS: [27, false, 'The group is rebalancing; the member must rejoin.'],
  INVALID_COMMIT_OFFSET_SIZE: [28, false, 'The offset commit data has an invalid size.'],
  TOPIC_AUTHORIZATION_FAILED: [29, false, 'Not authorized for the topic.'],
  GROUP_AUTHORIZATION_FAILED: [30, false, 'Not authorized for the group.'],
  CLUSTER_AUTHORIZATION_FAILED: [31, false, 'Not authorized for the cluster.'],
  INVALID_TIMESTAMP: [32, false, 'A record timestamp is outside the accepted range.'],
  UNSUPPORTED_SASL_MECHANISM: [33, false, 'The broker does not offer that SASL mechanism.'],
  ILLEGAL_SASL_STATE: [34, false, 'The request is not allowed in the current SASL state.'],
  UNSUPPORTED_VERSION: [35, false, 'The broker does not support this API version.'],
  TOPIC_ALREADY_EXISTS: [36, false, 'A topic with this name already exists.'],
  INVALID_PARTITIONS: [37, false, 'The number of partitions is invalid.'],
  INVALID_REPLICATION_FACTOR: [38, false, 'The replication factor is invalid.'],
  INVALID_REPLICA_ASSIGNMENT: [39, false, 'The replica assignment is invalid.'],
  INVALID_CONFIG: [40, false, 'The configuration is invalid.'],
  NOT_CONTROLLER: [41, true, 'This node is not the active controller.'],
  INVALID_REQUEST: [42, false, 'The request is malformed or not valid for this broker; the broker log has details.'],
  UNSUPPORTED_FOR_MESSAGE_FORMAT: [43, false, 'The record format (magic) is not supported for this request.'],
  POLICY_VIOLATION: [44, false, 'The request breaks a configured policy.'],
  OUT_OF_ORDER_SEQUENCE_NUMBER: [45, false, 'The broker got an unexpected sequence number from the producer.'],
  DUPLICATE_SEQUENCE_NUMBER: [46, false, 'The broker got a duplicate sequence number.'],
  INVALID_PRODUCER_EPOCH: [47, false, 'The producer epoch is older than the current one.'],
  INVALID_TXN_STATE: [48, false, 'The operation is not valid in the current transaction state.'],
  INVALID_PRODUCER_ID_MAPPING: [49, false, 'The producer id does not match the transactional id.'],
  INVALID_TRANSACTION_TIMEOUT: [50, false, 'The transaction timeout exceeds the broker maximum.'],
  CONCURRENT_TRANSACTIONS: [51, true, 'Another transaction for this producer is still completing.'],
  TRANSACTION_COORDINATOR_FENCED: [52, false, 'A newer transaction coordinator has fenced this one.'],
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: [53, false, 'Not authorized for the transactional id.'],
  SECURITY_DISABLED: [54, false, 'Security features are disabled.'],
  OPERATION_NOT_ATTEMPTED: [55, false, 'The operation was skipped because a related one failed.'],
  KAFKA_STORAGE_ERROR: [56, true, 'A disk error occurred on the broker for this partition.'],
  LOG_DIR_NOT_FOUND: [57, false, 'The log directory does not exist on the broker.'],
  SASL_AUTHENTICATION_FAILED: [58, false, 'SASL authentication failed.'],
  UNKNOWN_PRODUCER_ID: [59, false, 'The broker has no state for this producer id.'],
  REASSIGNMENT_IN_PROGRESS: [60, false, 'A partition reassignment is already in progress.'],
  DELEGATION_TOKEN_AUTH_DISABLED: [61, false, 'Delegation tokens are disabled.'],
  DELEGATION_TOKEN_NOT_FOUND: [62, false, 'The delegation token does not exist.'],
  DELEGATION_TOKEN_OWNER_MISMATCH: [63, false, 'The principal is not the owner or a renewer of the token.'],
  DELEGATION_TOKEN_REQUEST_NOT_ALLOWED: [64, false, 'Delegation token requests are not allowed on this channel.'],
  DELEGATION_TOKEN_AUTHORIZATION_FAILED: [65, false, 'Not authorized for the delegation token.'],
  DELEGATION_TOKEN_EXPIRED: [66, false, 'The delegation token has expired.'],
  INVALID_PRINCIPAL_TYPE: [67, false, 'The principal type is not supported.'],
  NON_EMPTY_GROUP: [68, false, 'The group still has members.'],
  GROUP_ID_NOT_FOUND: [69, false, 'The group does not exist.'],
  FETCH_SESSION_ID_NOT_FOUND: [70, true, 'The fetch session does not exist.'],
  INVALID_FETCH_SESSION_EPOCH: [71, true, 'The fetch session epoch is not the expected one.'],
  LISTENER_NOT_FOUND: [72, true, 'The leader has no listener matching the one this request used.'],
  TOPIC_DELETION_DISABLED: [73, false, 'Topic deletion is disabled.'],
  FENCED_LEADER_EPOCH: [74, true, 'The leader epoch in the request is older than the broker one.'],
  UNKNOWN_LEADER_EPOCH: [75, true, 'The leader epoch in the request is newer than the broker one.'],
  UNSUPPORTED_COMPRESSION_TYPE: [76, false, 'The compression type is not supported for this request.'],
  STALE_BROKER_EPOCH: [77, false, 'The broker epoch has changed.'],
  OFFSET_NOT_AVAILABLE: [78, true, 'The new leader has not caught up yet, so the offset cannot be served.'],
  MEMBER_ID_REQUIRED: [79, false, 'The member must obtain a member id before joining.'],
  PREFERRED_LEADER_NOT_AVAILABLE: [80, true, 'The preferred leader is not available.'],
  GROUP_MAX_SIZE_REACHED: [81, false, 'The group has reached its maximum size.'],
  FENCED_INSTANCE_ID: [82, false, 'Another member with the same group.instance.id has replaced this one.'],
  ELIGIBLE_LEADERS_NOT_AVAILABLE: [83, true, 'No eligible leader is available for the partition.'],
  ELECTION_NOT_NEEDED: [84, true, 'The partition already has the leader the election would choose.'],
  NO_REASSIGNMENT_IN_PROGRESS: [85, false, 'No partition reassignment is in progress.'],
  GROUP_SUBSCRIBED_TO_TOPIC: [86, false, 'The group is subscribed to the topic, so its offsets cannot be deleted.'],
  INVALID_RECORD: [87, false, 'The broker rejected a record batch that failed validation.'],
  UNSTABLE_OFFSET_COMMIT: [88, true, 'Offsets for this partition are pending in a transaction.'],
  THROTTLING_QUOTA_EXCEEDED: [89, true, 'The throttling quota has been exceeded.'],
  PRODUCER_FENCED: [90, false, 'A newer producer with the same transactional id has fenced this one.'],
  RESOURCE_NOT_FOUND: [91, false, 'The request refers to a resource that does not exist.'],
  DUPLICATE_RESOURCE: [92, false, 'The request names the same resource twice.'],
  UNACCEPTABLE_CREDENTIAL: [93, false, 'The credential does not meet the acceptance criteria.'],
  INCONSISTENT_VOTER_SET: [94, false, 'The sender or receiver is not one of the expected voters.'],
  INVALID_UPDATE_VERSION: [95, false, 'The update version is invalid.'],
  FEATURE_UPDATE_FAILED: [96, false, 'Finalized features could not be updated.'],
  PRINCIPAL_DESERIALIZATION_FAILURE: [97, false, 'The forwarded request principal could not be deserialized.'],
  SNAPSHOT_NOT_FOUND: [98, false, 'The snapshot does not exist.'],
  POSITION_OUT_OF_RANGE: [99, false, 'The position lies outside the snapshot.'],
  UNKNOWN_TOPIC_ID: [100, true, 'This server does not host a topic with that id.'],
  DUPLICATE_BROKER_REGISTRATION: [101, false, 'This broker id is already registered.'],
  BROKER_ID_NOT_REGISTERED: [102, false, 'The broker id is not registered.'],
  INCONSISTENT_TOPIC_ID: [103, true, 'The topic id in the request does not match the log.'],
  INCONSISTENT_CLUSTER_ID: [104, false, 'The cluster id in the request does not match this cluster.'],
  TRANSACTIONAL_ID_NOT_FOUND: [105, false, 'The transactional id does not exist.'],
  FETCH_SESSION_TOPIC_ID_ERROR: [106, true, 'The fetch session mixed topic ids inconsistently.'],
  INELIGIBLE_REPLICA: [107, false, 'The proposed ISR contains an ineligible replica.'],
  NEW_LEADER_ELECTED: [108, false, 'The partition change was applied, but the leader has changed.'],
  OFFSET_MOVED_TO_TIERED_STORAGE: [109, false, 'The offset now lives in tiered storage.'],
  FENCED_MEMBER_EPOCH: [110, false, 'The member epoch is fenced; the member must rejoin with no partitions.'],
  UNRELEASED_INSTANCE_ID: [111, false, 'Another member still holds this instance id.'],
  UNSUPPORTED_ASSIGNOR: [112, false, 'The group does not support the assignor or its versions.'],
  STALE_MEMBER_EPOCH: [113, false, 'The member epoch is stale; heartbeat to learn the current one.'],
  MISMATCHED_ENDPOINT_TYPE: [114, false, 'The request reached an endpoint of the wrong type.'],
  UNSUPPORTED_ENDPOINT_TYPE: [115, false, 'This endpoint type is not supported.'],
  UNKNOWN_CONTROLLER_ID: [116, false, 'The controller id is unknown.'],
  UNKNOWN_SUBSCRIPTION_ID: [117, false, 'The telemetry subscription id is unknown or outdated.'],
  TELEMETRY_TOO_LARGE: [118, false, 'The telemetry push is larger than the broker accepts.'],
  INVALID_REGISTRATION: [119, false, 'The controller considers the broker registration invalid.'],
  TRANSACTION_ABORTABLE: [120, false, 'The transaction hit an error; abort it to go on with this transactional id.'],
  INVALID_RECORD_STATE: [121, false, 'The record state does not allow this acknowledgement.'],
  SHARE_SESSION_NOT_FOUND: [122, true, 'The share session does not exist.'],
  INVALID_SHARE_SESSION_EPOCH: [123, true, 'The share session epoch is not the expected one.'],
  FENCED_STATE_EPOCH: [124, false, 'The share-group state epoch does not match.'],
  INVALID_VOTER_KEY: [125, false, "The voter key does not match the receiver's key."],
  DUPLICATE_VOTER: [126, false, 'The voter is already in the voter set.'],
  VOTER_NOT_FOUND: [127, false, 'The voter is not in the voter set.'],
  INVALID_REGULAR_EXPRESSION: [128, false, 'The regular expression is invalid.'],
  REBOOTSTRAP_REQUIRED: [129, false, 'Client metadata is stale; the client should re-bootstrap.'],
  STREAMS_INVALID_TOPOLOGY: [130, false, 'The Streams topology is invalid.'],
  STREAMS_INVALID_TOPOLOGY_EPOCH: [131, false, 'The Streams topology epoch is invalid.'],
  STREAMS_TOPOLOGY_FENCED: [132, false, 'The Streams topology epoch is outdated.'],
  SHARE_SESSION_LIMIT_REACHED: [133, true, 'The broker has reached its limit of share sessions.'],
} as const satisfies Record<string, Entry>;

export type ErrorName = keyof typeof table;

/** Error codes by Kafka name, e.g. `ErrorCode.NOT_LEADER_OR_FOLLOWER === 6`. */
export const ErrorCode = Object.freeze(
  Object.fromEntries(Object.entries(table).map(([name, entry]) => [name, entry[0]])),
) as { readonly [K in ErrorName]: (typeof table)[K][0] };

export type ErrorCodeValue = (typeof ErrorCode)[ErrorName];

export interface ErrorInfo {
  readonly code: number;
  readonly name: ErrorName;
  readonly retriable: boolean;
  readonly message: string;
}

/** Every known error, ordered by code. */
export const allErrors: readonly ErrorInfo[] = Object.freeze(
  Object.entries(table)
    .map(([name, [code, retriable, message]]) =>
      Object.freeze({ code, name: name as ErrorName, retriable, message }),
    )
    .sort((a, b) => a.code - b.code),
);

const infoByCode = new Map<number, ErrorInfo>(allErrors.map((info) => [info.code, info]));
const unknownServerError = infoByCode.get(ErrorCode.UNKNOWN_SERVER_ERROR)!;

/** The table entry for `code`; an unknown code reads as UNKNOWN_SERVER_ERROR (Kafka's forCode). */
export function errorInfo(code: number): ErrorInfo {
  return infoByCode.get(code) ?? unknownServerError;
}

/** Whether `code` is one of Kafka's codes that Tideline knows. */
export function isKnownErrorCode(code: number): boolean {
  return infoByCode.has(code);
}

/**
 * A Kafka outcome thrown up to the handler that turns it into an `errorCode`. Use it only where
 * returning a value would thread through many layers (decoders, decompression); handlers catch it
 * and read `code`. Never throw it with NONE.
 */
export class KafkaError extends Error {
  readonly code: ErrorCodeValue;

  constructor(code: ErrorCodeValue, message?: string, options?: { cause?: unknown }) {
    const info = errorInfo(code);
    super(message ?? info.message, options);
    this.name = 'KafkaError';
    this.code = code;
  }

  /** Kafka's name for `code`, e.g. CORRUPT_MESSAGE. */
  get errorName(): ErrorName {
    return errorInfo(this.code).name;
  }

  get retriable(): boolean {
    return errorInfo(this.code).retriable;
  }
}
