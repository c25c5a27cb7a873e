// `tideline demo gps`: starts a broker or a local cluster (unless --bootstrap), creates the
// topics, starts the services (--consumers members each) and the producers as child processes,
// prints a status line a second (plus a line whenever the location topic's leaders or a service's
// assignment change), optionally kills a broker mid-run, and after --duration stops the producers,
// waits for every group to reach the log end, stops the services and prints the one summary
// line. Exit code 0 only when every group consumed everything produced, nothing is lagging, and
// the database holds one row per partner that produced. Every process it started is stopped on
// the way out, whatever happened.

import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { externalBroker, startDemoBrokers, type DemoBroker } from './broker.js';
import { BrokerFault } from './broker-fault.js';
import { DemoChild } from './children.js';
import { producerCount, type ChildConfig, type DemoOptions } from './config.js';
import { demoFiles, readLastUpdates, removeRunFiles } from './files.js';
import { formatLeaders, type LeaderView } from './leadership.js';
import { ProgressReader, type Progress } from './progress.js';
import { ServiceMembers } from './services.js';
import { databaseTarget, describeDatabase, openLocationReader, resetDatabase } from './database.js';
import { formatAssignment, formatStatus, type StatusSample } from './status.js';
import { SERVICE_NAMES, groupIdFor, type ServiceName } from './types.js';
import { createDemoTopics } from './topics.js';

const CHILD_STOP_TIMEOUT_MS = 20_000;
const STATUS_INTERVAL_MS = 1_000;
const PRODUCER_START_TIMEOUT_MS = 60_000;

/** Start-up steps, reported as (steps done, what runs now) until STARTUP_STEPS are done. */
export const STARTUP_STEPS = 3;
export type StartupReport = (done: number, detail: string) => void;

export interface DemoResult {
  exitCode: number;
  summary: string;
}

interface Running {
  options: DemoOptions;
  childConfig: ChildConfig;
  reader: ProgressReader;
  services: ServiceMembers | undefined;
  /** The producer processes, each simulating its range of partners. */
  producers: DemoChild[];
  fault: BrokerFault | undefined;
  groupIds: Map<ServiceName, string>;
  /** When every producer reported that it runs: --duration and --kill-*-at count from here. */
  startMs: number | undefined;
  lastSample: StatusSample | undefined;
  /** The latest leadership read, which --kill-broker picks its broker from. */
  leaderView: LeaderView | undefined;
  /** The last leaders and assignment lines printed, to print only changes. */
  printedLeaders: string | undefined;
  printedAssignments: Map<ServiceName, string>;
  /** Child label → incidents already reported. */
  printedIncidents: Map<string, number>;
  isUrlsPrinted: boolean;
  write: (line: string) => void;
  onStartup: StartupReport;
}

export async function runGpsDemo(options: DemoOptions, write: (line: string) => void, onStartup: StartupReport = () => {}): Promise<DemoResult> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tideline-demo-'));
  mkdirSync(dataDir, { recursive: true });
  removeRunFiles(dataDir);
  const runId = randomBytes(4).toString('hex');
  let run: Running | undefined;
  onStartup(0, options.bootstrap === null ? `starting ${options.nodes === 1 ? 'the broker' : `${options.nodes} brokers`}` : 'connecting');
  const starting = startBrokers(options, dataDir, write);
  // Ctrl-C or a SIGTERM: take every child down before leaving (a service or producer would notice
  // the lost IPC channel anyway, but the brokers have none), also while the brokers are starting.
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const p of run?.producers ?? []) p.kill();
    run?.services?.killAll();
    void starting
      .then((broker) => broker.stop(), () => {})
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  let broker: DemoBroker | undefined;
  // Should this process die of an uncaught error, no broker or child may outlive it.
  const onExit = (): void => {
    for (const p of run?.producers ?? []) p.kill();
    run?.services?.killAll();
    broker?.killNow();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.on('exit', onExit);
  try {
    broker = await starting;
    onStartup(1, 'creating topics');
    const layout = await createDemoTopics(broker.bootstrap, options.partitions, broker.brokerCount);
    const database = databaseTarget(dataDir, options.databaseUrl);
    await resetDatabase(database);
    write(
      `demo gps: ${broker.brokerCount === 1 ? 'broker' : `${broker.brokerCount} brokers`} ${broker.bootstrap}, data dir ${dataDir}, ` +
        `${options.partners} partners at ${options.ratePerSec}/s for ${options.durationSec}s from ${producerCount(options)} producer(s), ` +
        `${options.partitions} partitions x ${layout.replicas} replicas (min.insync.replicas=${layout.minInsyncReplicas}), db-writer into ${describeDatabase(database)}`,
    );
    if (broker.consoleUrls.length > 0) write(`demo gps: web console ${broker.consoleUrls[0]}/#/map (every node: ${broker.consoleUrls.join(' ')})`);
    onStartup(2, 'starting the services and the producer');
    run = newRun(options, broker, dataDir, runId, write, onStartup);
    return await pipeline(run);
  } finally {
    run?.fault?.finish();
    for (const p of run?.producers ?? []) p.kill();
    run?.services?.killAll();
    await Promise.all([...(run?.producers ?? []).map((p) => p.exited), run?.services?.exited()]);
    await run?.reader.close();
    await broker?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
}

function newRun(options: DemoOptions, broker: DemoBroker, dataDir: string, runId: string, write: (line: string) => void, onStartup: StartupReport): Running {
  const groupIds = new Map(SERVICE_NAMES.map((s) => [s, groupIdFor(s, runId)]));
  const { killBrokerAtSec, restartBrokerAfterSec } = options;
  return {
    options,
    childConfig: {
      bootstrap: broker.bootstrap,
      runId,
      dataDir,
      partners: options.partners,
      ratePerSec: options.ratePerSec,
      partitions: options.partitions,
      seed: options.seed,
      windowMs: options.windowSec * 1000,
      member: 1,
      producers: producerCount(options),
      databaseUrl: options.databaseUrl,
    },
    reader: new ProgressReader(broker.bootstrap, options.partitions, [...groupIds.values()]),
    services: undefined,
    producers: [],
    fault:
      killBrokerAtSec === null || broker.cluster === null
        ? undefined
        : new BrokerFault(broker.cluster, { killAtSec: killBrokerAtSec, restartAfterSec: restartBrokerAfterSec }, write),
    groupIds,
    startMs: undefined,
    lastSample: undefined,
    leaderView: undefined,
    printedLeaders: undefined,
    printedAssignments: new Map(),
    printedIncidents: new Map(),
    isUrlsPrinted: false,
    write,
    onStartup,
  };
}

/** The demo's own broker or cluster, or the one at --bootstrap. */
async function startBrokers(options: DemoOptions, dataDir: string, write: (line: string) => void): Promise<DemoBroker> {
  if (options.bootstrap !== null) {
    const reader = new ProgressReader(options.bootstrap, options.partitions, []);
    try {
      return await externalBroker(options.bootstrap, await reader.brokerCount());
    } finally {
      await reader.close();
    }
  }
  const broker = await startDemoBrokers(dataDir, options.nodes, (id, exit) =>
    write(`demo gps: broker ${id} exited unexpectedly (${exit}); see ${join(demoFiles.clusterDir(dataDir), `node-${id}.log`)}`),
  );
  return broker;
}

async function pipeline(run: Running): Promise<DemoResult> {
  run.services = new ServiceMembers(run.childConfig, run.options.consumers);
  run.producers = Array.from({ length: run.childConfig.producers }, (_, i) => new DemoChild('producer', i + 1, run.childConfig));
  // Starting a dozen Node processes takes seconds on a small machine; the clock starts when the
  // producers do, so that --duration is time spent producing.
  const spawnedMs = Date.now();
  void Promise.all(run.producers.map((p) => p.started)).then(() => {
    run.startMs = Date.now();
    run.onStartup(STARTUP_STEPS, 'producing');
  });
  const { killDbWriterAtSec } = run.options;
  let isDbWriterKilled = false;
  await everySecondUntil(run, async () => {
    if (run.startMs === undefined && Date.now() - spawnedMs > PRODUCER_START_TIMEOUT_MS) throw new Error('the producers did not start');
    const elapsedSec = elapsedSecOf(run);
    if (killDbWriterAtSec !== null && !isDbWriterKilled && elapsedSec >= killDbWriterAtSec) {
      isDbWriterKilled = true;
      run.services!.replace('db-writer', 1);
      run.write('demo gps: killed the db-writer (SIGKILL); starting a new one');
    }
    await run.fault?.maybeKill(elapsedSec, run.leaderView);
    return elapsedSec >= run.options.durationSec;
  });
  const producerExits = await Promise.all(run.producers.map((p) => p.stop(CHILD_STOP_TIMEOUT_MS)));
  let acked = 0;
  for (const [i, p] of run.producers.entries()) {
    if (producerExits[i]!.code !== 0 || p.finalStats === undefined) throw new Error(`${p.label} failed: ${JSON.stringify(producerExits[i])}`);
    acked += p.finalStats.events;
  }
  const deadline = Date.now() + run.options.catchUpTimeoutSec * 1000;
  const final = await everySecondUntil(run, (progress) => Date.now() >= deadline || (progress !== undefined && isCaughtUp(progress)));
  if (final === undefined) throw new Error('could not read the groups\' progress from the cluster');
  const failed = await run.services.stop(CHILD_STOP_TIMEOUT_MS);
  return summarize(run, final, acked, failed, await databaseRowCount(run));
}

function elapsedSecOf(run: Running): number {
  return run.startMs === undefined ? 0 : (Date.now() - run.startMs) / 1000;
}

function isCaughtUp(progress: Progress): boolean {
  return [...progress.groups.values()].every((g) => g.lag === 0 && g.consumed === progress.produced);
}

/**
 * Samples progress and prints the view once a second until `isDone`; fails fast on a dead child.
 * A round where the cluster cannot answer (a broker just died) prints that and goes on; the
 * result is the last progress read.
 */
async function everySecondUntil(run: Running, isDone: (progress: Progress | undefined) => boolean | Promise<boolean>): Promise<Progress | undefined> {
  let last: Progress | undefined;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, STATUS_INTERVAL_MS));
    const dead = run.services!.exitedMember();
    if (dead !== undefined) throw new Error(`the ${dead.label} process exited unexpectedly`);
    const lostProducer = run.producers.find((p) => p.hasExited && p.finalStats === undefined);
    if (lostProducer !== undefined) throw new Error(`the ${lostProducer.label} process exited unexpectedly`);
    const elapsedSec = elapsedSecOf(run);
    const [progress, view] = await Promise.all([
      run.reader.progress().catch((err: unknown) => err as Error),
      run.reader.leaders().catch(() => undefined),
    ]);
    if (progress instanceof Error) run.write(`demo gps: t=${elapsedSec.toFixed(0)}s progress not available: ${progress.message}`);
    else printStatus(run, elapsedSec, progress);
    printChanges(run, elapsedSec, view);
    if (!(progress instanceof Error)) last = progress;
    if (await isDone(progress instanceof Error ? undefined : progress)) return last;
  }
}

function printStatus(run: Running, elapsedSec: number, progress: Progress): void {
  const sample: StatusSample = { atMs: Date.now(), progress, dbTransactions: run.services!.dbTransactions() };
  run.write(formatStatus(elapsedSec, run.lastSample, sample, run.groupIds, (s) => run.services!.assignments(s)));
  run.lastSample = sample;
  const location = run.services!.httpPort('location-service');
  const analytics = run.services!.httpPort('analytics');
  if (run.isUrlsPrinted || location === undefined || analytics === undefined) return;
  run.isUrlsPrinted = true;
  run.write(
    `demo gps: http://127.0.0.1:${location}/partners/p000001  http://127.0.0.1:${location}/nearby?lat=52.5&lon=13.4&radiusKm=1` +
      `  http://127.0.0.1:${location}/live  http://127.0.0.1:${analytics}/zones`,
  );
}

/** A line when the location topic's leadership or a service's assignment has changed. */
function printChanges(run: Running, elapsedSec: number, view: LeaderView | undefined): void {
  const at = `demo gps: t=${elapsedSec.toFixed(0)}s`;
  if (view !== undefined) {
    run.leaderView = view;
    const leaders = formatLeaders(view);
    if (leaders !== run.printedLeaders) run.write(`${at} ${leaders}`);
    run.printedLeaders = leaders;
  }
  for (const child of [...run.producers, ...run.services!.all()]) {
    const incident = incidentOf(child);
    if (incident === undefined || incident.count <= (run.printedIncidents.get(child!.label) ?? 0)) continue;
    run.printedIncidents.set(child!.label, incident.count);
    run.write(`${at} ${incident.text} (${incident.count} so far; see ${demoFiles.servicesLog(run.childConfig.dataDir)})`);
  }
  for (const service of SERVICE_NAMES) {
    const members = run.services!.assignments(service);
    if (members.some((m) => m === undefined)) continue;
    const line = formatAssignment(service, members);
    if (line !== run.printedAssignments.get(service)) run.write(`${at} ${line}`);
    run.printedAssignments.set(service, line);
  }
}

/** What a child has had to recover from: the producer's re-sent batches, a member's new consumers. */
function incidentOf(child: DemoChild | undefined): { count: number; text: string } | undefined {
  const stats = child?.stats;
  if (stats === undefined) return undefined;
  if (child!.name === 'producer') return { count: stats.sendRetries ?? 0, text: `${child!.label}: a send failed; its unacknowledged partitions were sent again` };
  return { count: stats.restarts ?? 0, text: `${child!.label}: its consumer failed; a new one joined the group` };
}

async function databaseRowCount(run: Running): Promise<number> {
  const reader = await openLocationReader(databaseTarget(run.childConfig.dataDir, run.childConfig.databaseUrl));
  try {
    return await reader.latestRowCount();
  } finally {
    await reader.close();
  }
}

function summarize(run: Running, progress: Progress, acked: number, failed: string[], dbRows: number): DemoResult {
  const consumedBy = (s: ServiceName): number => progress.groups.get(run.groupIds.get(s)!)!.consumed;
  const lag = [...progress.groups.values()].reduce((sum, g) => sum + g.lag, 0);
  const partnersProduced = readLastUpdates(run.childConfig.dataDir).length;
  const summary =
    `demo summary produced=${progress.produced} location=${consumedBy('location-service')} analytics=${consumedBy('analytics')}` +
    ` db=${consumedBy('db-writer')} db_rows=${dbRows} lag=${lag}`;
  const problems: string[] = [];
  if (acked === 0) problems.push('nothing was produced');
  if (progress.produced < acked) problems.push(`the log holds ${progress.produced} records but the producers had ${acked} acknowledged`);
  // The producers are idempotent and retry until acknowledged, so more would be duplicates.
  if (progress.produced > acked) problems.push(`the log holds ${progress.produced} records but the producers sent ${acked} (duplicates)`);
  for (const s of SERVICE_NAMES) if (consumedBy(s) !== progress.produced) problems.push(`${s} consumed ${consumedBy(s)} of ${progress.produced}`);
  if (lag !== 0) problems.push(`lag ${lag} left`);
  if (dbRows !== partnersProduced) problems.push(`${dbRows} latest rows for ${partnersProduced} partners`);
  if (failed.length > 0) problems.push(`services exited with an error: ${failed.join(', ')}`);
  for (const p of problems) run.write(`demo gps: missing: ${p}`);
  return { exitCode: problems.length === 0 ? 0 : 1, summary };
}
