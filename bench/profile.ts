// Reads a V8 .cpuprofile (what `node --cpu-prof` writes) and ranks functions by self time.
// The format: `nodes[]` is the call tree (each with `id`, `callFrame` and `children`),
// `samples[i]` is the id of the node on top of the stack at sample i, and `timeDeltas[i]` is
// the microseconds since the previous sample. A node's self time is the sum of the deltas of
// the samples taken in it; one function appears as many nodes (one per distinct call path),
// so nodes are merged by function identity (name, script, line, column).

import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapping } from 'node:module';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a function is defined, as a reader would look it up; line is 1-based. */
export interface SourcePlace {
  file: string;
  line: number;
}

export type Locator = (frame: CallFrame) => SourcePlace;

/** The profile's own place: the script URL and its (0-based) line made 1-based. */
export const rawLocator: Locator = (f) => ({ file: f.url, line: f.lineNumber + 1 });

export interface FunctionSelfTime {
  /** `name (file:line)`. */
  label: string;
  functionName: string;
  file: string;
  line: number;
  /** For frames outside src/: the nearest project function above it that took most of its time. */
  via: { caller: string; pctOfSelf: number } | null;
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

const frameKey = (f: CallFrame): string => `${f.functionName}\u0000${f.url}\u0000${f.lineNumber}\u0000${f.columnNumber}`;
const isProject = (place: SourcePlace): boolean => place.file.startsWith('src/');

/**
 * For each node, the label of its nearest ancestor in the project's own code (src/), so that a
 * native or node: frame such as `writeBuffer` can say which of our functions it was working for.
 */
function projectCallers(profile: CpuProfile, locate: Locator): (id: number) => string | null {
  const parentOf = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const memo = new Map<number, string | null>();
  const callerOf = (id: number): string | null => {
    const cached = memo.get(id);
    if (cached !== undefined) return cached;
    let answer: string | null = null;
    const parent = parentOf.get(id);
    const frame = parent === undefined ? undefined : byId.get(parent)?.callFrame;
    if (parent !== undefined && frame) {
      const place = frame.url === '' ? null : locate(frame);
      answer = place && isProject(place) ? `${frame.functionName || '(anonymous)'} (${place.file}:${place.line})` : callerOf(parent);
    }
    memo.set(id, answer);
    return answer;
  };
  return callerOf;
}

interface FunctionTotal {
  frame: CallFrame;
  selfUs: number;
  /** Self time per project caller, for frames outside the project. */
  via: Map<string, number>;
}

export function summarizeProfile(profile: CpuProfile, topCount = 15, locate: Locator = rawLocator): ProfileSummary {
  const selfByNode = selfTimeByNode(profile);
  const callerOf = projectCallers(profile, locate);
  const byFunction = new Map<string, FunctionTotal>();
  const byScript = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const node of profile.nodes) {
    const selfUs = selfByNode.get(node.id) ?? 0;
    if (selfUs === 0) continue;
    const f = node.callFrame;
    totalUs += selfUs;
    if (f.functionName === IDLE) {
      idleUs += selfUs;
      continue;
    }
    const key = frameKey(f);
    let entry = byFunction.get(key);
    if (!entry) byFunction.set(key, (entry = { frame: f, selfUs: 0, via: new Map() }));
    entry.selfUs += selfUs;
    const place = f.url === '' ? null : locate(f);
    if (!place || !isProject(place)) {
      const via = callerOf(node.id);
      if (via) entry.via.set(via, (entry.via.get(via) ?? 0) + selfUs);
    }
    const script = place ? place.file : f.functionName.startsWith('(') ? f.functionName : '(native)';
    byScript.set(script, (byScript.get(script) ?? 0) + selfUs);
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  const top = [...byFunction.values()]
    .sort((a, b) => b.selfUs - a.selfUs)
    .slice(0, topCount)
    .map((e) => describe(e, locate, totalUs, busyUs));
  const scripts = [...byScript.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([script, selfUs]) => ({ script, selfUs, busyPct: (100 * selfUs) / busyUs }));
  return { totalUs, idleUs, top, byScript: scripts };
}

function describe({ frame, selfUs, via }: FunctionTotal, locate: Locator, totalUs: number, busyUs: number): FunctionSelfTime {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  const place = frame.url === '' ? { file: '', line: 0 } : locate(frame);
  const where = frame.url === '' ? '' : ` (${place.file}:${place.line})`;
  // The caller that accounts for most of this frame's time; GC and (program) have none.
  const topVia = [...via.entries()].sort((a, b) => b[1] - a[1])[0];
  return {
    label: `${name}${where}`,
    functionName: name,
    file: place.file,
    line: place.line,
    via: topVia ? { caller: topVia[0], pctOfSelf: (100 * topVia[1]) / Math.max(1, selfUs) } : null,
    selfUs,
    selfPct: (100 * selfUs) / Math.max(1, totalUs),
    busyPct: (100 * selfUs) / busyUs,
  };
}

/**
 * Maps frames in the repo's compiled JS back to the TypeScript they came from, through the
 * .js.map files tsc writes beside them, and shows paths relative to the repo. Frames outside
 * the repo (node: internals, dependencies) keep their own URL, shortened the same way.
 */
export function sourceMappedLocator(repoRoot: string): Locator {
  const maps = new Map<string, SourceMap | null>();
  const mapFor = (jsPath: string): SourceMap | null => {
    let map = maps.get(jsPath);
    if (map === undefined) {
      const mapPath = `${jsPath}.map`;
      map = existsSync(mapPath) ? new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8'))) : null;
      maps.set(jsPath, map);
    }
    return map;
  };
  return (f) => {
    if (!f.url.startsWith('file://')) return rawLocator(f);
    const jsPath = fileURLToPath(f.url);
    const short = relative(repoRoot, jsPath);
    const shown = short.startsWith('..') ? jsPath : short;
    const found = short.startsWith('dist/') ? mapFor(jsPath)?.findEntry(f.lineNumber, f.columnNumber) : undefined;
    // findEntry answers {} where the map has no mapping for the position.
    const entry = found && 'originalSource' in found ? (found as SourceMapping) : undefined;
    if (entry?.originalSource) {
      const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : entry.originalSource;
      // tsc writes sources relative to the map's folder; resolve them against the JS file's.
      const absolute = source.startsWith('/') ? source : new URL(source, f.url).pathname;
      return { file: relative(repoRoot, absolute), line: entry.originalLine + 1 };
    }
    return { file: shown.replace(/^.*\/node_modules\//, 'node_modules/'), line: f.lineNumber + 1 };
  };
}
