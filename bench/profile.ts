// Reads a V8 .cpuprofile (what `node --cpu-prof` writes) and ranks functions by self time.
// The format: `nodes[]` is the call tree (each with `id`, `callFrame` and `children`),
// `samples[i]` is the id of the node on top of the stack at sample i, and `timeDeltas[i]` is
// the microseconds since the previous sample. A node's self time is the sum of the deltas of
// the samples taken in it; one function appears as many nodes (one per distinct call path),
// so nodes are merged by function identity (name, script, line, column).

import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface FunctionSelfTime {
  /** `name (file:line)`, file shortened by the caller's `shortenUrl`. */
  label: string;
  functionName: string;
  url: string;
  /** 1-based, as editors show it (the profile stores 0-based lines). */
  line: number;
  selfUs: number;
  /** Share of all sampled time, idle included. */
  selfPct: number;
  /** Share of sampled time when the process was not idle. */
  busyPct: number;
}

export interface ProfileSummary {
  totalUs: number;
  idleUs: number;
  top: FunctionSelfTime[];
  /** Self time summed per script (file or node: module), busiest first. */
  byScript: { script: string; selfUs: number; busyPct: number }[];
}

export function readCpuProfile(path: string): CpuProfile {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  if (!Array.isArray(profile.nodes) || !Array.isArray(profile.samples) || !Array.isArray(profile.timeDeltas)) {
    throw new Error(`${path} is not a V8 CPU profile (nodes, samples, timeDeltas missing)`);
  }
  return profile;
}

/** Self time per node id, in microseconds. */
function selfTimeByNode(profile: CpuProfile): Map<number, number> {
  const byNode = new Map<number, number>();
  const count = Math.min(profile.samples.length, profile.timeDeltas.length);
  // timeDeltas[i] is the gap *before* sample i, so it is the time the previous sample's stack
  // was running; attributing it to sample i is what Chrome DevTools does too and is exact
  // enough at the default 1 ms interval.
  for (let i = 0; i < count; i++) {
    const id = profile.samples[i]!;
    const delta = Math.max(0, profile.timeDeltas[i]!);
    byNode.set(id, (byNode.get(id) ?? 0) + delta);
  }
  return byNode;
}

const IDLE = '(idle)';

export function summarizeProfile(
  profile: CpuProfile,
  topCount = 15,
  shortenUrl: (url: string) => string = (u) => u,
): ProfileSummary {
  const selfByNode = selfTimeByNode(profile);
  const byFunction = new Map<string, { frame: CallFrame; selfUs: number }>();
  const byScript = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const node of profile.nodes) {
    const selfUs = selfByNode.get(node.id) ?? 0;
    if (selfUs === 0) continue;
    const f = node.callFrame;
    totalUs += selfUs;
    if (f.functionName === IDLE) idleUs += selfUs;
    const key = `${f.functionName}\u0000${f.url}\u0000${f.lineNumber}\u0000${f.columnNumber}`;
    const entry = byFunction.get(key);
    if (entry) entry.selfUs += selfUs;
    else byFunction.set(key, { frame: f, selfUs });
    if (f.functionName !== IDLE) {
      const script = f.url === '' ? f.functionName.startsWith('(') ? f.functionName : '(native)' : shortenUrl(f.url);
      byScript.set(script, (byScript.get(script) ?? 0) + selfUs);
    }
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  const top = [...byFunction.values()]
    .filter((e) => e.frame.functionName !== IDLE)
    .sort((a, b) => b.selfUs - a.selfUs)
    .slice(0, topCount)
    .map(({ frame, selfUs }): FunctionSelfTime => {
      const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
      const where = frame.url === '' ? '' : ` (${shortenUrl(frame.url)}:${frame.lineNumber + 1})`;
      return {
        label: `${name}${where}`,
        functionName: name,
        url: frame.url,
        line: frame.lineNumber + 1,
        selfUs,
        selfPct: (100 * selfUs) / Math.max(1, totalUs),
        busyPct: (100 * selfUs) / busyUs,
      };
    });
  const scripts = [...byScript.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([script, selfUs]) => ({ script, selfUs, busyPct: (100 * selfUs) / busyUs }));
  return { totalUs, idleUs, top, byScript: scripts };
}
