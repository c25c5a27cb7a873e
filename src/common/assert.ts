// assert(): the one way to state an invariant. A broken invariant is a bug, so this throws an
// AssertionError that nobody catches; the simulation tests rely on it crashing loudly.

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}
