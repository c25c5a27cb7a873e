// Compression libraries are native addons of several megabytes each; most brokers never see a
// compressed batch of some codecs, so each library is loaded (synchronously, they are CommonJS)
// the first time a batch needs it. This keeps them out of start-up time and idle memory.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A getter that loads `specifier` on first call and returns the same module after. */
export function loadOnUse<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(specifier) as T);
}
