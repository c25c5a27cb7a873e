// Kafka's text checkpoint files: a version line ("0"), a count line, then one entry per line with
// fields separated by single spaces. Used for `leader-epoch-checkpoint` ("epoch startOffset") and
// the log dir's `recovery-point-offset-checkpoint` and `log-start-offset-checkpoint`
// ("topic partition offset"). Parsing is strict: anything unexpected is a CheckpointFormatError,
// which loaders log and treat as a missing file.

export const CHECKPOINT_VERSION = 0;

export class CheckpointFormatError extends Error {
  override name = 'CheckpointFormatError';
}

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

function formatCheckpoint(lines: string[]): string {
  return `${CHECKPOINT_VERSION}\n${lines.length}\n${lines.map((line) => `${line}\n`).join('')}`;
}

function parseCheckpoint<T>(text: string, fieldCount: number, toEntry: (fields: string[]) => T): T[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== String(CHECKPOINT_VERSION)) throw new CheckpointFormatError(`unsupported version line ${JSON.stringify(lines[0])}`);
  const count = parseNonNegative(lines[1]);
  if (lines.length !== count + 2) throw new CheckpointFormatError(`expected ${count} entries, found ${lines.length - 2}`);
  return lines.slice(2).map((line) => {
    const fields = line.split(' ');
    if (fields.length !== fieldCount) throw new CheckpointFormatError(`malformed line ${JSON.stringify(line)}`);
    return toEntry(fields);
  });
}

function parseNonNegative(field: string | undefined): number {
  if (field === undefined || !/^\d+$/.test(field)) throw new CheckpointFormatError(`not a number: ${JSON.stringify(field)}`);
  const n = Number(field);
  if (!Number.isSafeInteger(n)) throw new CheckpointFormatError(`number out of range: ${field}`);
  return n;
}

export function formatLeaderEpochCheckpoint(entries: readonly EpochEntry[]): string {
  return formatCheckpoint(entries.map((e) => `${e.epoch} ${e.startOffset}`));
}

export function parseLeaderEpochCheckpoint(text: string): EpochEntry[] {
  return parseCheckpoint(text, 2, ([epoch, startOffset]) => ({
    epoch: parseNonNegative(epoch),
    startOffset: parseNonNegative(startOffset),
  }));
}

export function formatOffsetCheckpoint(entries: readonly PartitionOffset[]): string {
  return formatCheckpoint(entries.map((e) => `${e.topic} ${e.partition} ${e.offset}`));
}

export function parseOffsetCheckpoint(text: string): PartitionOffset[] {
  return parseCheckpoint(text, 3, ([topic, partition, offset]) => {
    if (!topic) throw new CheckpointFormatError('empty topic name');
    return { topic, partition: parseNonNegative(partition), offset: parseNonNegative(offset) };
  });
}
