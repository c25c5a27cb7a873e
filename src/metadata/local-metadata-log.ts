// The metadata log of a single-node quorum: committed metadata records, stored as record
// batches in the partition `__cluster_metadata-0` of the first log dir, fsynced before they
// count as committed. On start-up the image is rebuilt by replaying it. The cluster issue puts
// the Raft quorum behind the same `MetadataQuorum` interface; callers do not change.

import type { Logger } from '../common/logger.js';
import { buildBatch, decodeRecords } from '../protocol/records/index.js';
import { batchSizeAt } from '../protocol/records/batch-header.js';
import type { PartitionLog } from '../storage/index.js';
import { MetadataImage } from './image.js';
import { decodeMetadataRecord, encodeMetadataRecord } from './metadata-codec.js';
import type { MetadataRecord } from './records.js';

export const METADATA_TOPIC = '__cluster_metadata';
const REPLAY_READ_BYTES = 1 << 20;

export interface MetadataQuorum {
  readonly image: MetadataImage;
  /** Makes the records durable, applies them to the image, tells listeners; in order. */
  commit(records: MetadataRecord[]): Promise<void>;
  onCommit(listener: (records: MetadataRecord[]) => void): void;
}

export class LocalMetadataLog implements MetadataQuorum {
  readonly image: MetadataImage;
  private readonly listeners: ((records: MetadataRecord[]) => void)[] = [];
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: PartitionLog,
    clusterId: string,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {
    this.image = new MetadataImage(clusterId);
    this.replay();
  }

  private replay(): void {
    let offset = this.log.logStartOffset;
    let count = 0;
    while (offset < this.log.logEndOffset) {
      const { records } = this.log.read(offset, REPLAY_READ_BYTES, this.log.logEndOffset, true);
      if (records.length === 0) break;
      for (let pos = 0; pos < records.length; ) {
        const size = batchSizeAt(records, pos);
        const decoded = decodeRecords(records.subarray(pos, pos + size));
        for (const rec of decoded.records) {
          if (rec.value) {
            const m = decodeMetadataRecord(rec.value);
            if (m) this.image.apply(m);
            count++;
          }
          offset = rec.offset + 1;
        }
        pos += size;
      }
    }
    this.logger.info({ records: count, topics: this.image.topicsByName.size }, 'metadata log replayed');
  }

  onCommit(listener: (records: MetadataRecord[]) => void): void {
    this.listeners.push(listener);
  }

  commit(records: MetadataRecord[]): Promise<void> {
    if (records.length === 0) return this.tail;
    const next = this.tail.then(async () => {
      const batch = buildBatch({ records: records.map((r) => ({ value: encodeMetadataRecord(r), timestamp: this.now() })) });
      this.log.appendAsLeader(batch, 0, this.now());
      await this.log.flush();
      for (const r of records) this.image.apply(r);
      for (const l of this.listeners) l(records);
    });
    this.tail = next.catch(() => {});
    return next;
  }
}
