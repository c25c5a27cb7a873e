// Errors the log throws for requests it cannot serve. Each names the Kafka error a handler answers
// with (`kafkaError`, spelled as in src/protocol/errors.ts); the handler maps it to the code there,
// so no error number lives here. Broken invariants are asserts, and I/O errors pass through as the
// Node errors they are.

export class StorageRequestError extends Error {
  constructor(
    readonly kafkaError: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A fetch, DeleteRecords or follower truncation asked for an offset the log does not hold. */
export class OffsetOutOfRangeError extends StorageRequestError {
  constructor(
    readonly offset: number,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
  ) {
    super('OFFSET_OUT_OF_RANGE', `offset ${offset} is outside [${logStartOffset}, ${logEndOffset}]`);
  }
}

/** Appended bytes are not whole, well-formed v2 batches with a good CRC. */
export class CorruptRecordError extends StorageRequestError {
  constructor(message: string) {
    super('CORRUPT_MESSAGE', message);
  }
}

/** A follower append whose first offset lies below the log end offset. */
export class UnexpectedAppendOffsetError extends StorageRequestError {
  constructor(
    readonly firstOffset: number,
    readonly logEndOffset: number,
  ) {
    super('UNKNOWN_SERVER_ERROR', `append at offset ${firstOffset} below the log end offset ${logEndOffset}`);
  }
}

/** A batch larger than a whole segment can never be stored. */
export class RecordBatchTooLargeError extends StorageRequestError {
  constructor(sizeBytes: number, segmentBytes: number) {
    super('RECORD_BATCH_TOO_LARGE', `batch of ${sizeBytes} bytes exceeds segment.bytes ${segmentBytes}`);
  }
}
