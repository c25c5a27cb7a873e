// The repo root, found by walking up from the running bench script to the package.json named
// "tideline" (the script runs from dist/bench/, the repo two levels up, but do not rely on that).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tideline') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the tideline repo root above the bench script');
    dir = parent;
  }
}
