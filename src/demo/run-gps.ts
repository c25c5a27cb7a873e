// `tideline demo gps`: starts a broker (unless --bootstrap), creates the topics, starts the three
// services and the producer as child processes, prints a status line a second, and after
// --duration stops the producer, waits for every group to reach the log end, stops the services
// and prints the one summary line. Exit code 0 only when every group consumed everything produced,
// nothing is lagging, and the database holds one row per partner that produced. Every process it
// started is stopped on the way out, whatever happened.

import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KafkaAdmin } from '../client/index.js';
import { externalBroker, startChildBroker, type DemoBroker } from './broker.js';
import { DemoChild } from './children.js';
import type { ChildConfig, DemoOptions } from './config.js';
import { demoFiles, readLastUpdates, removeRunFiles } from './files.js';
import { readProgress, type Progress } from './progress.js';
import { LocationStoreReader } from './sqlite.js';
import { formatStatus, type StatusSample } from './status.js';
import { SERVICE_NAMES, groupIdFor, type ServiceName } from './types.js';
import { createDemoTopics } from './topics.js';

const CHILD_STOP_TIMEOUT_MS = 20_000;
const STATUS_INTERVAL_MS = 1_000;

export interface DemoResult {
  exitCode: number;
  summary: string;
}

interface Running {
  options: DemoOptions;
  childConfig: ChildConfig;
  admin: KafkaAdmin;
  services: Map<ServiceName, DemoChild>;
  producer: DemoChild | undefined;
  groupIds: Map<ServiceName, string>;
  startMs: number;
  lastSample: StatusSample | undefined;
  dbTransactionsOfKilledWriters: number;
  isUrlsPrinted: boolean;
  write: (line: string) => void;
}

export async function runGpsDemo(options: DemoOptions, write: (line: string) => void): Promise<DemoResult> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tideline-demo-'));
  mkdirSync(dataDir, { recursive: true });
  removeRunFiles(dataDir);
  const broker: DemoBroker = options.bootstrap === null ? await startChildBroker(dataDir) : externalBroker(options.bootstrap);
  const admin = new KafkaAdmin({ clientId: 'demo-gps-progress' });
  const run: Running = {
    options,
    childConfig: {
      bootstrap: broker.bootstrap,
      runId: randomBytes(4).toString('hex'),
      dataDir,
      partners: options.partners,
      ratePerSec: options.ratePerSec,
      seed: options.seed,
      windowMs: options.windowSec * 1000,
    },
    admin,
    services: new Map(),
    producer: undefined,
    groupIds: new Map(),
    startMs: Date.now(),
    lastSample: undefined,
    dbTransactionsOfKilledWriters: 0,
    isUrlsPrinted: false,
    write,
  };
  // Ctrl-C or a SIGTERM: take every child down before leaving (a services child would notice the
  // lost IPC channel anyway, but the broker child has none).
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const child of [run.producer, ...run.services.values()]) child?.kill();
    void broker.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    write(`demo gps: broker ${broker.bootstrap}, data dir ${dataDir}, ${options.partners} partners at ${options.ratePerSec}/s for ${options.durationSec}s`);
    await createDemoTopics(broker.bootstrap, options.partitions, broker.brokerCount);
    await admin.connect(broker.bootstrap);
    return await pipeline(run);
  } finally {
    for (const child of [run.producer, ...run.services.values()]) child?.kill();
    await Promise.all([run.producer, ...run.services.values()].map((c) => c?.exited));
    await admin.close();
    await broker.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function pipeline(run: Running): Promise<DemoResult> {
  for (const service of SERVICE_NAMES) {
    run.groupIds.set(service, groupIdFor(service, run.childConfig.runId));
    run.services.set(service, new DemoChild(service, run.childConfig));
  }
  run.producer = new DemoChild('producer', run.childConfig);
  run.startMs = Date.now();
  const { killDbWriterAtSec } = run.options;
  let isDbWriterKilled = false;
  await everySecondUntil(run, () => {
    const elapsedSec = (Date.now() - run.startMs) / 1000;
    if (killDbWriterAtSec !== null && !isDbWriterKilled && elapsedSec >= killDbWriterAtSec) {
      isDbWriterKilled = true;
      restartDbWriter(run);
    }
    return elapsedSec >= run.options.durationSec;
  });
  const producerExit = await run.producer.stop(CHILD_STOP_TIMEOUT_MS);
  const acked = run.producer.finalStats?.events;
  if (producerExit.code !== 0 || acked === undefined) throw new Error(`the producer failed: ${JSON.stringify(producerExit)}`);
  const deadline = Date.now() + run.options.catchUpTimeoutSec * 1000;
  const final = await everySecondUntil(run, (progress) => Date.now() >= deadline || isCaughtUp(progress));
  const exits = await Promise.all([...run.services.values()].map((c) => c.stop(CHILD_STOP_TIMEOUT_MS)));
  const failed = [...run.services.keys()].filter((_, i) => exits[i]!.code !== 0);
  return summarize(run, final, acked, failed);
}

function restartDbWriter(run: Running): void {
  const old = run.services.get('db-writer')!;
  old.kill();
  run.dbTransactionsOfKilledWriters += old.stats?.dbTransactions ?? 0;
  run.write('demo gps: killed the db-writer (SIGKILL); starting a new one');
  run.services.set('db-writer', new DemoChild('db-writer', run.childConfig));
}

/** The services' HTTP addresses, once both have reported their ports. */
function printUrlsOnce(run: Running): void {
  const location = run.services.get('location-service')?.stats?.httpPort;
  const analytics = run.services.get('analytics')?.stats?.httpPort;
  if (run.isUrlsPrinted || location === undefined || analytics === undefined) return;
  run.isUrlsPrinted = true;
  run.write(
    `demo gps: http://127.0.0.1:${location}/partners/p000001  http://127.0.0.1:${location}/nearby?lat=52.5&lon=13.4&radiusKm=1` +
      `  http://127.0.0.1:${analytics}/zones`,
  );
}

function isCaughtUp(progress: Progress): boolean {
  return [...progress.groups.values()].every((g) => g.lag === 0 && g.consumed === progress.produced);
}

/** Samples progress and prints the status line once a second until `isDone`; fails fast on a dead child. */
async function everySecondUntil(run: Running, isDone: (progress: Progress) => boolean): Promise<Progress> {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, STATUS_INTERVAL_MS));
    for (const [name, child] of run.services) {
      if (child.hasExited) throw new Error(`the ${name} process exited unexpectedly`);
    }
    if (run.producer?.hasExited === true && run.producer.finalStats === undefined) throw new Error('the producer exited unexpectedly');
    const progress = await readProgress(run.admin, run.options.partitions, [...run.groupIds.values()]);
    const sample: StatusSample = { atMs: Date.now(), progress, dbTransactions: totalDbTransactions(run) };
    const elapsedSec = (sample.atMs - run.startMs) / 1000;
    run.write(formatStatus(elapsedSec, run.lastSample, sample, run.groupIds, (s) => run.services.get(s)?.stats?.partitions));
    run.lastSample = sample;
    printUrlsOnce(run);
    if (isDone(progress)) return progress;
  }
}

/** Transactions across db-writer incarnations: a restarted writer counts from zero again. */
function totalDbTransactions(run: Running): number {
  return run.dbTransactionsOfKilledWriters + (run.services.get('db-writer')!.stats?.dbTransactions ?? 0);
}

function summarize(run: Running, progress: Progress, acked: number, failed: ServiceName[]): DemoResult {
  const consumedBy = (s: ServiceName): number => progress.groups.get(run.groupIds.get(s)!)!.consumed;
  const lag = [...progress.groups.values()].reduce((sum, g) => sum + g.lag, 0);
  const reader = new LocationStoreReader(demoFiles.database(run.childConfig.dataDir));
  const dbRows = reader.latestRowCount();
  reader.close();
  const partnersProduced = readLastUpdates(demoFiles.lastUpdates(run.childConfig.dataDir)).length;
  const summary =
    `demo summary produced=${progress.produced} location=${consumedBy('location-service')} analytics=${consumedBy('analytics')}` +
    ` db=${consumedBy('db-writer')} db_rows=${dbRows} lag=${lag}`;
  const problems: string[] = [];
  if (progress.produced < acked) problems.push(`the log holds ${progress.produced} records but the producer had ${acked} acknowledged`);
  for (const s of SERVICE_NAMES) if (consumedBy(s) !== progress.produced) problems.push(`${s} consumed ${consumedBy(s)} of ${progress.produced}`);
  if (lag !== 0) problems.push(`lag ${lag} left`);
  if (dbRows !== partnersProduced) problems.push(`${dbRows} latest rows for ${partnersProduced} partners`);
  if (failed.length > 0) problems.push(`services exited with an error: ${failed.join(', ')}`);
  for (const p of problems) run.write(`demo gps: missing: ${p}`);
  return { exitCode: problems.length === 0 ? 0 : 1, summary };
}
