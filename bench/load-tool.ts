// Finds the load client. The preferred one is librdkafka's rdkafka_performance, built on first
// use from the source Debian's librdkafka-dev ships (never copied into this repo) plus this
// folder's stand-ins for the two private headers it includes (bench/rdkafka/src/). The binary is
// cached in <tmpdir>/tideline-bench/, keyed by a hash of everything that went into it. When it
// cannot be built, kcat is the fallback, and the reason plus what to install is reported.

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export type LoadTool =
  | { kind: 'rdkafka_performance'; path: string; librdkafkaVersion: string | null }
  | { kind: 'kcat'; path: string; librdkafkaVersion: string | null; fallbackReason: string };

const SOURCE_CANDIDATES = [
  '/usr/share/doc/librdkafka-dev/examples/rdkafka_performance.c',
  '/usr/share/doc/librdkafka-dev/examples/rdkafka_performance.c.gz',
];
const HEADER_DIR = '/usr/include/librdkafka';
export const INSTALL_HINT =
  'To benchmark with librdkafka install its headers, examples and a C compiler: ' +
  '`apt-get install librdkafka-dev gcc` (or build-essential). The kcat fallback needs `apt-get install kcat`.';

export const cacheDir = (): string => join(tmpdir(), 'tideline-bench');

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v "${cmd}"`], { encoding: 'utf8' });
  const out = r.status === 0 ? r.stdout.trim() : '';
  return out === '' ? null : out;
}

function findCompiler(): string | null {
  const fromEnv = process.env['CC'];
  if (fromEnv && which(fromEnv)) return fromEnv;
  for (const cc of ['cc', 'gcc', 'clang']) if (which(cc)) return cc;
  return null;
}

/** Builds (or reuses) rdkafka_performance; throws with the reason when it cannot. */
export function buildRdkafkaPerformance(repoRoot: string): string {
  const source = SOURCE_CANDIDATES.find((p) => existsSync(p));
  if (!source) throw new Error(`rdkafka_performance.c not found (looked in ${SOURCE_CANDIDATES.join(', ')})`);
  if (!existsSync(join(HEADER_DIR, 'rdkafka.h'))) throw new Error(`${HEADER_DIR}/rdkafka.h not found`);
  const compiler = findCompiler();
  if (!compiler) throw new Error('no C compiler (cc, gcc or clang) on PATH');
  const standIns = join(repoRoot, 'bench', 'rdkafka', 'src');
  const headers = ['rd.h', 'rdtime.h'].map((h) => readFileSync(join(standIns, h)));
  const sourceBytes = source.endsWith('.gz') ? gunzipSync(readFileSync(source)) : readFileSync(source);
  return compileCached('rdkafka_performance', compiler, [sourceBytes, ...headers], (dir) => {
    let sourcePath = source;
    if (source.endsWith('.gz')) {
      // Keep "../src/rd.h" (relative to the file) from finding anything: the -I path below must win.
      const examples = join(dir, 'src-unpacked', 'examples');
      mkdirSync(examples, { recursive: true });
      sourcePath = join(examples, 'rdkafka_performance.c');
      writeFileSync(sourcePath, sourceBytes);
    }
    return ['-O2', `-I${standIns}`, `-I${HEADER_DIR}`, sourcePath, '-lrdkafka'];
  });
}

/**
 * Compiles once per distinct input into <tmpdir>/tideline-bench/NAME-<hash of compiler and
 * inputs> and returns that path; `args(dir)` gives the compiler arguments except the output.
 * The binary is written under a temporary name and renamed, so a half-built one is never used.
 */
function compileCached(name: string, compiler: string, inputs: Buffer[], args: (dir: string) => string[]): string {
  const hash = createHash('sha256').update(compiler);
  for (const input of inputs) hash.update(input);
  const dir = cacheDir();
  const binary = join(dir, `${name}-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const partial = `${binary}.building-${process.pid}`;
  const argv = [...args(dir), '-o', partial];
  const r = spawnSync(compiler, argv, { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(partial, { force: true });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(0, 15).join('\n');
    throw new Error(`\`${compiler} ${argv.join(' ')}\` failed${r.error ? `: ${r.error.message}` : ''}\n${output}`);
  }
  renameSync(partial, binary);
  return binary;
}

/**
 * Builds (or reuses) this repo's paced producer (bench/rdkafka/paced_producer.c), the latency
 * client: it paces without spinning a core and measures from each message's due time.
 */
export function buildPacedProducer(repoRoot: string): string {
  if (!existsSync(join(HEADER_DIR, 'rdkafka.h'))) throw new Error(`${HEADER_DIR}/rdkafka.h not found. ${INSTALL_HINT}`);
  const compiler = findCompiler();
  if (!compiler) throw new Error(`no C compiler (cc, gcc or clang) on PATH. ${INSTALL_HINT}`);
  const source = join(repoRoot, 'bench', 'rdkafka', 'paced_producer.c');
  return compileCached('paced_producer', compiler, [readFileSync(source)], () => ['-O2', '-pthread', source, '-lrdkafka']);
}

/** The version the tool links against, from its usage text ("librdkafka version 2.0.2 (0x…)"). */
function librdkafkaVersionOf(binary: string): string | null {
  const r = spawnSync(binary, [], { encoding: 'utf8', timeout: 5000 });
  const m = /librdkafka version (\S+)/.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`);
  return m ? m[1]! : null;
}

function kcatVersion(): string | null {
  try {
    const text = execFileSync('kcat', ['-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /librdkafka (\d[\w.-]*)/.exec(text)?.[1] ?? 'unknown';
  } catch {
    return null;
  }
}

export function prepareLoadTool(repoRoot: string, opts: { forceKcat: boolean }): LoadTool {
  let reason: string;
  if (opts.forceKcat) {
    reason = 'kcat requested with --client kcat';
  } else {
    try {
      const path = buildRdkafkaPerformance(repoRoot);
      return { kind: 'rdkafka_performance', path, librdkafkaVersion: librdkafkaVersionOf(path) };
    } catch (err) {
      reason = `could not build rdkafka_performance: ${(err as Error).message}`;
    }
  }
  const kcat = which('kcat');
  const version = kcat ? kcatVersion() : null;
  if (!kcat || version === null) throw new Error(`${reason}\nand kcat is not installed either.\n${INSTALL_HINT}`);
  return { kind: 'kcat', path: kcat, librdkafkaVersion: version === 'unknown' ? null : version, fallbackReason: reason };
}
