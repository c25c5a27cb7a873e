// Finds the repository root from a compiled (dist/test/helpers/) or source (test/helpers/) file,
// so the harness works both under `node --test dist/...` and under tsx.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function isTidelineRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
  return parsed.name === 'tideline';
}

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (isTidelineRoot(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no tideline package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export const repoRoot = findRepoRoot();
export const tidelineBin = join(repoRoot, 'bin', 'tideline.js');
