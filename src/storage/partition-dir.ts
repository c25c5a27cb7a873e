// Partition directory names: `<topic>-<partition>` under a log dir, as Kafka names them. Topic
// names may contain '.', '_' and '-', so the partition number is what follows the last '-'.

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** Splits `<topic>-<partition>`, or null for any other name (`-delete`, `-future`, stray dirs). */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | null {
  const dash = name.lastIndexOf('-');
  if (dash <= 0 || !/^\d+$/.test(name.slice(dash + 1))) return null;
  return { topic: name.slice(0, dash), partition: Number(name.slice(dash + 1)) };
}
