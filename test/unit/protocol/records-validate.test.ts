// Goal: per-batch validation answers each malformed produce the way Kafka 4's broker does (error
// code per check, in Kafka's order), reads the header fields right for valid batches, frames a
// buffer of many batches for recovery, and the in-place patches keep the CRC valid.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../../src/protocol/errors.js';
import {
  ATTRIBUTES_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  CompressionCodec,
  LAST_OFFSET_DELTA_OFFSET,
  MAGIC_OFFSET,
  RECORDS_COUNT_OFFSET,
  type RecordsError,
  type ValidatedBatch,
  batchCrc,
  buildBatch,
  buildEndTxnMarkerBatch,
  decodeRecords,
  isRecordsError,
  iterateBatches,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  validateBatchAt,
  validateProducedRecords,
  writeInt64,
} from '../../../src/protocol/records/index.js';

function records(count: number, valueBytes = 20): Array<{ key: string; value: Buffer; timestamp: number }> {
  return Array.from({ length: count }, (_, i) => ({
    key: `k${i}`,
    value: Buffer.alloc(valueBytes, i),
    timestamp: 1_700_000_000_000 + i,
  }));
}

function batchOf(count = 3, compression: 0 | 1 | 2 | 3 | 4 = 0): Buffer {
  return buildBatch({ compression, records: records(count) });
}

/** Applies `edit` to a copy and recomputes the CRC, so only the edited field is wrong. */
function edited(batch: Buffer, edit: (copy: Buffer) => void): Buffer {
  const copy = Buffer.from(batch);
  edit(copy);
  copy.writeUInt32BE(batchCrc(copy, 0, copy.length), CRC_OFFSET);
  return copy;
}

function expectError(result: ValidatedBatch | RecordsError, code: number): void {
  assert.ok(isRecordsError(result), 'expected a refusal');
  assert.equal(result.errorCode, code, result.message);
}

function expectValid(result: ValidatedBatch | RecordsError): ValidatedBatch {
  assert.ok(!isRecordsError(result), isRecordsError(result) ? result.message : '');
  return result;
}

describe('validateProducedRecords: valid batches', () => {
  it('returns the header fields', () => {
    const batch = buildBatch({
      producerId: 4242,
      producerEpoch: 7,
      baseSequence: 100,
      isTransactional: true,
      compression: CompressionCodec.LZ4,
      records: records(5),
    });
    const header = expectValid(validateProducedRecords(batch));
    assert.equal(header.size, batch.length);
    assert.equal(header.baseOffset, 0);
    assert.equal(header.lastOffsetDelta, 4);
    assert.equal(header.recordsCount, 5);
    assert.equal(header.baseTimestamp, 1_700_000_000_000);
    assert.equal(header.maxTimestamp, 1_700_000_000_004);
    assert.equal(header.producerId, 4242);
    assert.equal(header.producerEpoch, 7);
    assert.equal(header.baseSequence, 100);
    assert.equal(header.isTransactional, true);
    assert.equal(header.isControl, false);
    assert.equal(header.compression, CompressionCodec.LZ4);
    assert.equal(header.timestampType, 0);
  });

  for (const codec of [0, 1, 2, 3, 4] as const) {
    it(`accepts codec ${codec}`, () => {
      assert.equal(expectValid(validateProducedRecords(batchOf(10, codec))).compression, codec);
    });
  }
});

describe('validateProducedRecords: refusals', () => {
  it('corrupted record bytes are CORRUPT_MESSAGE', () => {
    const batch = batchOf();
    batch[batch.length - 5]! ^= 0xff;
    expectError(validateProducedRecords(batch), ErrorCode.CORRUPT_MESSAGE);
  });

  it('a wrong stored CRC is CORRUPT_MESSAGE', () => {
    const batch = batchOf();
    batch.writeUInt32BE((batch.readUInt32BE(CRC_OFFSET) + 1) >>> 0, CRC_OFFSET);
    expectError(validateProducedRecords(batch), ErrorCode.CORRUPT_MESSAGE);
  });

  for (const magic of [0, 1]) {
    it(`magic ${magic} is UNSUPPORTED_FOR_MESSAGE_FORMAT`, () => {
      expectError(validateProducedRecords(edited(batchOf(), (b) => b.writeInt8(magic, MAGIC_OFFSET))), 43);
    });
  }

  for (const magic of [3, 99, -1]) {
    it(`magic ${magic} is CORRUPT_MESSAGE`, () => {
      expectError(validateProducedRecords(edited(batchOf(), (b) => b.writeInt8(magic, MAGIC_OFFSET))), 2);
    });
  }

  it('a truncated batch is INVALID_RECORD: no complete batch, as Kafka says', () => {
    const batch = batchOf();
    expectError(validateProducedRecords(batch.subarray(0, batch.length - 1)), ErrorCode.INVALID_RECORD);
    expectError(validateProducedRecords(batch.subarray(0, 10)), ErrorCode.INVALID_RECORD);
    expectError(validateProducedRecords(Buffer.alloc(0)), ErrorCode.INVALID_RECORD);
  });

  it('a batch length below 14 is CORRUPT_MESSAGE', () => {
    expectError(validateProducedRecords(edited(batchOf(), (b) => b.writeInt32BE(13, BATCH_LENGTH_OFFSET))), 2);
    expectError(validateProducedRecords(edited(batchOf(), (b) => b.writeInt32BE(-5, BATCH_LENGTH_OFFSET))), 2);
  });

  it('a batch smaller than the 61-byte header is CORRUPT_MESSAGE', () => {
    const short = batchOf().subarray(0, 40);
    short.writeInt32BE(40 - 12, BATCH_LENGTH_OFFSET);
    expectError(validateProducedRecords(short), ErrorCode.CORRUPT_MESSAGE);
  });

  it('two batches in one produce are INVALID_RECORD', () => {
    expectError(validateProducedRecords(Buffer.concat([batchOf(), batchOf()])), ErrorCode.INVALID_RECORD);
  });

  it('trailing bytes after the batch are INVALID_RECORD', () => {
    expectError(validateProducedRecords(Buffer.concat([batchOf(), Buffer.alloc(5)])), ErrorCode.INVALID_RECORD);
    const second = batchOf();
    const partial = Buffer.concat([batchOf(), second.subarray(0, second.length - 1)]);
    expectError(validateProducedRecords(partial), ErrorCode.INVALID_RECORD);
  });

  it('a malformed second batch is CORRUPT_MESSAGE, as Kafka\'s iterator throws', () => {
    const bad = edited(batchOf(), (b) => b.writeInt8(7, MAGIC_OFFSET));
    expectError(validateProducedRecords(Buffer.concat([batchOf(), bad])), ErrorCode.CORRUPT_MESSAGE);
  });

  it('a non-zero baseOffset is INVALID_RECORD', () => {
    expectError(validateProducedRecords(edited(batchOf(), (b) => writeInt64(b, 0, 5))), ErrorCode.INVALID_RECORD);
  });

  it('a batch over max.message.bytes is MESSAGE_TOO_LARGE', () => {
    const batch = batchOf(10);
    expectError(validateProducedRecords(batch, { maxMessageBytes: batch.length - 1 }), ErrorCode.MESSAGE_TOO_LARGE);
    expectValid(validateProducedRecords(batch, { maxMessageBytes: batch.length }));
  });

  it('zstd before Produce v7 is UNSUPPORTED_COMPRESSION_TYPE', () => {
    const batch = batchOf(3, CompressionCodec.ZSTD);
    expectError(validateProducedRecords(batch, { produceVersion: 6 }), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expectValid(validateProducedRecords(batch, { produceVersion: 7 }));
    expectValid(validateProducedRecords(batchOf(3, CompressionCodec.GZIP), { produceVersion: 3 }));
  });

  it('an unknown codec is CORRUPT_MESSAGE', () => {
    expectError(validateProducedRecords(edited(batchOf(), (b) => b.writeInt16BE(5, ATTRIBUTES_OFFSET))), 2);
  });

  for (const codec of [0, 1] as const) {
    it(`codec ${codec}: a count that disagrees with lastOffsetDelta is INVALID_RECORD`, () => {
      const batch = batchOf(3, codec);
      expectError(validateProducedRecords(edited(batch, (b) => b.writeInt32BE(2, RECORDS_COUNT_OFFSET))), 87);
      expectError(validateProducedRecords(edited(batch, (b) => b.writeInt32BE(3, LAST_OFFSET_DELTA_OFFSET))), 87);
    });
  }

  it('a count of 0 or a negative lastOffsetDelta is INVALID_RECORD', () => {
    expectError(validateProducedRecords(edited(batchOf(), (b) => b.writeInt32BE(0, RECORDS_COUNT_OFFSET))), 87);
    expectError(validateProducedRecords(edited(batchOf(), (b) => b.writeInt32BE(-1, LAST_OFFSET_DELTA_OFFSET))), 87);
  });

  it('a control batch from a client is INVALID_RECORD', () => {
    const marker = buildEndTxnMarkerBatch({
      producerId: 1,
      producerEpoch: 0,
      coordinatorEpoch: 3,
      isCommit: true,
      timestamp: 1_700_000_000_000,
    });
    expectError(validateProducedRecords(marker), ErrorCode.INVALID_RECORD);
    assert.equal(expectValid(validateBatchAt(marker, 0)).isControl, true);
  });

  it('a producer id without a base sequence is INVALID_RECORD', () => {
    const batch = buildBatch({ producerId: 9, producerEpoch: 0, records: records(2) });
    expectError(validateProducedRecords(batch), ErrorCode.INVALID_RECORD);
    expectValid(validateProducedRecords(buildBatch({ producerId: 9, producerEpoch: 0, baseSequence: 0, records: records(2) })));
  });
});

describe('iterateBatches and validateBatchAt', () => {
  function log(): { buf: Buffer; sizes: number[] } {
    const batches = [batchOf(2), batchOf(5, CompressionCodec.SNAPPY), batchOf(1)];
    let offset = 0;
    for (const batch of batches) {
      setBaseOffset(batch, 0, offset);
      offset += expectValid(validateBatchAt(batch, 0)).recordsCount;
    }
    return { buf: Buffer.concat(batches), sizes: batches.map((b) => b.length) };
  }

  it('frames every batch and validates each with its offsets', () => {
    const { buf, sizes } = log();
    const found = [...iterateBatches(buf)];
    assert.deepEqual(found.map((f) => f.size), sizes);
    assert.deepEqual(
      found.map((f) => expectValid(validateBatchAt(buf, f.pos)).baseOffset),
      [0, 2, 7],
    );
  });

  it('stops cleanly at a partial tail', () => {
    const { buf, sizes } = log();
    for (const cut of [1, 10, 20, sizes[2]! - 1]) {
      const found = [...iterateBatches(buf.subarray(0, buf.length - cut))];
      assert.equal(found.length, 2, `cut ${cut}`);
    }
    assert.deepEqual([...iterateBatches(Buffer.alloc(0))], []);
  });

  it('yields a corrupt frame once, then stops', () => {
    const { buf, sizes } = log();
    const torn = Buffer.from(buf);
    torn.writeInt32BE(3, sizes[0]! + BATCH_LENGTH_OFFSET);
    const found = [...iterateBatches(torn)];
    assert.deepEqual(found, [
      { pos: 0, size: sizes[0] },
      { pos: sizes[0], size: torn.length - sizes[0]! },
    ]);
    expectError(validateBatchAt(torn, found[1]!.pos), ErrorCode.CORRUPT_MESSAGE);
  });

  it('refuses a truncated or corrupt batch at a position', () => {
    const { buf, sizes } = log();
    expectError(validateBatchAt(buf.subarray(0, sizes[0]! - 1), 0), ErrorCode.CORRUPT_MESSAGE);
    const flipped = Buffer.from(buf);
    flipped[sizes[0]! + 70]! ^= 1;
    expectError(validateBatchAt(flipped, sizes[0]!), ErrorCode.CORRUPT_MESSAGE);
  });

  it('accepts fewer records than the offset range (compaction) but not more', () => {
    const batch = batchOf(3);
    expectValid(validateBatchAt(edited(batch, (b) => b.writeInt32BE(1, RECORDS_COUNT_OFFSET)), 0));
    expectValid(validateBatchAt(edited(batch, (b) => b.writeInt32BE(0, RECORDS_COUNT_OFFSET)), 0));
    expectError(validateBatchAt(edited(batch, (b) => b.writeInt32BE(4, RECORDS_COUNT_OFFSET)), 0), 2);
  });
});

describe('in-place patches', () => {
  it('base offset and leader epoch lie outside the CRC', () => {
    const batch = batchOf(4);
    const crc = batch.readUInt32BE(CRC_OFFSET);
    setBaseOffset(batch, 0, 2 ** 40 + 17);
    setPartitionLeaderEpoch(batch, 0, 12);
    assert.equal(batch.readUInt32BE(CRC_OFFSET), crc);
    const header = expectValid(validateBatchAt(batch, 0));
    assert.equal(header.baseOffset, 2 ** 40 + 17);
    assert.equal(header.partitionLeaderEpoch, 12);
    assert.deepEqual(
      decodeRecords(batch).records.map((r) => r.offset),
      [0, 1, 2, 3].map((d) => 2 ** 40 + 17 + d),
    );
  });

  it('setLogAppendTime sets the type and maxTimestamp and keeps the CRC valid', () => {
    for (const codec of [0, 4] as const) {
      const batch = batchOf(3, codec);
      setLogAppendTime(batch, 0, 1_800_000_000_000);
      const header = expectValid(validateProducedRecords(batch));
      assert.equal(header.timestampType, 1);
      assert.equal(header.maxTimestamp, 1_800_000_000_000);
      assert.equal(header.baseTimestamp, 1_700_000_000_000);
      assert.deepEqual(
        decodeRecords(batch).records.map((r) => r.timestamp),
        [1_800_000_000_000, 1_800_000_000_000, 1_800_000_000_000],
      );
    }
  });

  it('setLogAppendTime works at a position inside a larger buffer', () => {
    const first = batchOf(1);
    const buf = Buffer.concat([first, batchOf(2)]);
    setLogAppendTime(buf, first.length, 1_800_000_000_000);
    expectValid(validateBatchAt(buf, 0));
    assert.equal(expectValid(validateBatchAt(buf, first.length)).timestampType, 1);
  });
});

it('a batch with a valid CRC but unreadable records is CORRUPT_MESSAGE', async () => {
  const { buildBatch, validateProducedRecords, isRecordsError, batchCrc } = await import('../../../src/protocol/records/index.js');
  const good = buildBatch({ records: [{ key: 'a', value: 'b' }, { key: 'c', value: 'd' }] });
  assert.equal(isRecordsError(validateProducedRecords(good)), false);
  const bad = Buffer.from(good);
  bad[65] = 0x7e; // the first record's key length (zigzag 63) now overruns the record
  bad.writeUInt32BE(batchCrc(bad, 0, bad.length), 17);
  const result = validateProducedRecords(bad);
  assert.ok(isRecordsError(result));
  assert.equal(result.errorCode, ErrorCode.CORRUPT_MESSAGE);
});
