// Kafka's default partitioner for keyed records: murmur2 of the key bytes, sign bit cleared,
// modulo the partition count (Java's Utils.murmur2 and BuiltInPartitioner.partitionForKey), so
// records with the same key land where a Java producer would put them. Keyless records are the
// caller's choice (the console producer sticks to one partition per batch, as KIP-480 does).

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Murmur2 (32-bit) as Kafka computes it, as a signed 32-bit integer. */
export function murmur2(data: Buffer): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The tail falls through from three bytes to one, as in the Java switch.
  const rest = length % 4;
  if (rest >= 3) h ^= data[whole + 2]! << 16;
  if (rest >= 2) h ^= data[whole + 1]! << 8;
  if (rest >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

export function partitionForKey(key: Buffer, partitionCount: number): number {
  return (murmur2(key) & 0x7fffffff) % partitionCount;
}
