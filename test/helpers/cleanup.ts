// The one registry of things integration tests start and must not leak: child processes and
// temporary directories. Each test file runs in its own process under `node --test`, so a
// root-level after() hook plus a process 'exit' handler together cover both orderly ends and
// failures: whatever a test forgot (or could not reach because it threw) is SIGKILLed and removed.

import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';

const liveChildren = new Set<ChildProcess>();
const tempDirs = new Set<string>();

/** Tracks a child until it exits; it is SIGKILLed at test-file end if still running. */
export function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

/** Creates a fresh directory under the OS temp dir, removed at test-file end. */
export function makeTempDir(prefix = 'tideline-it-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Synchronous so it can also run from process.on('exit'), where nothing async completes. */
function killAllAndRemove(): void {
  for (const child of liveChildren) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch (err) {
        // The child may have exited between the check and the kill; nothing left to do.
        void err;
      }
    }
  }
  liveChildren.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Async variant for after(): waits (bounded) for the killed children to be gone before removing
 * their directories, so a dying broker cannot recreate files under a directory being removed. */
async function killAllAndRemoveAsync(): Promise<void> {
  const exits = [...liveChildren].map(
    (child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(resolve, 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    }),
  );
  for (const child of liveChildren) child.kill('SIGKILL');
  await Promise.all(exits);
  killAllAndRemove();
}

// Registered once at import time, so it attaches to the root test of whichever file imports us.
after(killAllAndRemoveAsync);
process.once('exit', killAllAndRemove);
