// Goal: self time is summed per function across the call-tree nodes it appears in, idle time is
// kept out of the ranking, and native frames name the project function they ran for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeProfile, type CpuProfile, type Locator } from '../profile.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '0' });

// root → handle (src) → writeBuffer (native); root → handle → helper (node:) ; root → (idle)
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 5, 6] },
    { id: 2, callFrame: frame('handle', 'file:///repo/src/a.js', 9), children: [3, 4] },
    { id: 3, callFrame: frame('writeBuffer') },
    { id: 4, callFrame: frame('helper', 'node:internal/x', 1), children: [7] },
    { id: 5, callFrame: frame('(idle)') },
    { id: 6, callFrame: frame('handle', 'file:///repo/src/a.js', 9) },
    { id: 7, callFrame: frame('writeBuffer') },
  ],
  samples: [3, 3, 7, 2, 6, 5, 5, 4],
  timeDeltas: [100, 100, 50, 30, 20, 500, 500, 10],
  startTime: 0,
  endTime: 1310,
};

const locate: Locator = (f) => ({ file: f.url.replace('file:///repo/', ''), line: f.lineNumber + 1 });

test('ranks functions by merged self time, idle excluded', () => {
  const s = summarizeProfile(profile, 10, locate);
  assert.equal(s.totalUs, 1310);
  assert.equal(s.idleUs, 1000);
  assert.deepEqual(
    s.top.map((f) => [f.label, f.selfUs]),
    [
      ['writeBuffer', 250],
      ['handle (src/a.js:10)', 50],
      ['helper (node:internal/x:2)', 10],
    ],
  );
  assert.equal(s.top[0]!.busyPct, (100 * 250) / 310);
});

test('native frames name their nearest project caller, project frames none', () => {
  const s = summarizeProfile(profile, 10, locate);
  assert.deepEqual(s.top[0]!.via, { caller: 'handle (src/a.js:10)', pctOfSelf: 100 });
  assert.equal(s.top[1]!.via, null);
  assert.equal(s.byScript[0]!.script, '(native)');
});
