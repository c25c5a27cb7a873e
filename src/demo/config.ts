// The options of `tideline demo gps` and the subset every child process receives. Parsing is
// strict: an unknown flag or a malformed number is a usage error, not a silent default.

import { TidelineError, TidelineErrorCode } from '../common/errors.js';
import { isPostgresUrl, redactedUrl } from './location-store.js';
import { SERVICE_NAMES, type ServiceName } from './types.js';

export interface DemoOptions {
  durationSec: number;
  partners: number;
  ratePerSec: number;
  partitions: number;
  /** Nodes of the cluster the demo starts: 1 is a single embedded broker, more a local cluster. */
  nodes: number;
  /** An existing cluster; when absent the demo starts its own. */
  bootstrap: string | null;
  /** Where the broker data, the SQLite database and the check files go; a temp dir when absent. */
  dataDir: string | null;
  seed: number;
  windowSec: number;
  /** How long to wait after producing stops for every group to reach the log end. */
  catchUpTimeoutSec: number;
  /** Member processes per service, each in the service's one consumer group. */
  consumers: Record<ServiceName, number>;
  /** Producer processes, each simulating a range of partners; null: chosen from the rate (`producerCount`). */
  producers: number | null;
  /** SIGKILL the broker leading the most location partitions this many seconds in; null: never. Needs nodes ≥ 3. */
  killBrokerAtSec: number | null;
  /** Start the killed broker again this many seconds after the kill; null: leave it down. */
  restartBrokerAfterSec: number | null;
  /** Test hook: SIGKILL the db-writer this many seconds in and start a new one. */
  killDbWriterAtSec: number | null;
  /** `postgres://…`: the db-writer writes there instead of the SQLite file in the data dir. */
  databaseUrl: string | null;
}

export const defaultDemoOptions: DemoOptions = {
  durationSec: 60,
  partners: 100_000,
  ratePerSec: 20_000,
  partitions: 12,
  nodes: 3,
  bootstrap: null,
  dataDir: null,
  seed: 1,
  windowSec: 10,
  catchUpTimeoutSec: 60,
  consumers: { 'location-service': 1, analytics: 1, 'db-writer': 1 },
  producers: null,
  killBrokerAtSec: null,
  restartBrokerAfterSec: 5,
  killDbWriterAtSec: null,
  databaseUrl: null,
};

/** What a child process (producer or service) needs, passed as one JSON argument. */
export interface ChildConfig {
  /** `host:port[,host:port…]`. */
  bootstrap: string;
  runId: string;
  dataDir: string;
  partners: number;
  ratePerSec: number;
  partitions: number;
  seed: number;
  windowMs: number;
  /** 1-based member number within the service's group, or the producer's number. */
  member: number;
  /** Producer processes in all; producer n simulates the n-th range of partners. */
  producers: number;
  /** PostgreSQL for the db-writer; null: SQLite in the data dir. */
  databaseUrl: string | null;
}

/**
 * What one producer process is asked to sustain when --producers is not given. One process
 * (JSON, the client's encoding, one acks=all send in flight) keeps up with several times this on
 * an idle core; the margin is for a busy machine, where a second process helps a late one.
 */
export const PRODUCER_RATE_PER_SEC = 25_000;
const PRODUCERS_MAX = 16;

/** --producers, or one process per PRODUCER_RATE_PER_SEC of the rate (never more than partners). */
export function producerCount(options: Pick<DemoOptions, 'producers' | 'ratePerSec' | 'partners'>): number {
  return options.producers ?? Math.min(PRODUCERS_MAX, options.partners, Math.max(1, Math.ceil(options.ratePerSec / PRODUCER_RATE_PER_SEC)));
}

export const DEMO_USAGE = `usage: tideline demo gps [options]

  --duration S        seconds of producing (default 60)
  --partners N        delivery partners (default 100000)
  --rate R            updates per second in total (default 20000)
  --partitions P      partitions of delivery-location-updates (default 12)
  --nodes N           brokers of the local cluster the demo starts, 1-9 (default 3; 1 = one broker)
  --bootstrap H:P     use a running cluster instead of starting one
  --consumers L       processes per service, e.g. location=5,analytics=1,db=2 (default 1 each)
  --producers N       producer processes, partners split between them by id range
                      (default: one per ${PRODUCER_RATE_PER_SEC} updates/s of --rate)
  --kill-broker       SIGKILL the broker leading the most location partitions mid-run
  --kill-broker-at S  ... at S seconds instead (implies --kill-broker)
  --restart-broker-after S|never  start the killed broker again S seconds later (default 5)
  --data-dir DIR      broker data, SQLite database and check files (default: a temp dir)
  --database-url URL  postgres://user[:password]@host:port/db: the db-writer writes to PostgreSQL
                      (its tables partner_location and location_history are dropped and recreated)
  --seed N            simulator seed (default 1)
  --window S          analytics tumbling window (default 10)
  --catch-up-timeout S  wait this long for the groups after producing stops (default 60)
`;

export class DemoUsageError extends TidelineError {
  constructor(message: string) {
    super(TidelineErrorCode.CLI_USAGE, message);
    this.name = 'DemoUsageError';
  }
}

type NumericOption = 'durationSec' | 'partners' | 'ratePerSec' | 'partitions' | 'nodes' | 'producers' | 'seed' | 'windowSec' | 'catchUpTimeoutSec' | 'killBrokerAtSec' | 'killDbWriterAtSec';

const numericFlags: Record<string, NumericOption> = {
  '--duration': 'durationSec',
  '--partners': 'partners',
  '--rate': 'ratePerSec',
  '--partitions': 'partitions',
  '--nodes': 'nodes',
  '--producers': 'producers',
  '--seed': 'seed',
  '--window': 'windowSec',
  '--catch-up-timeout': 'catchUpTimeoutSec',
  '--kill-broker-at': 'killBrokerAtSec',
  '--kill-db-writer-at': 'killDbWriterAtSec',
};
const fractionalOptions = new Set<NumericOption>(['durationSec', 'killBrokerAtSec', 'killDbWriterAtSec']);

/** Sentinel until the duration is known: --kill-broker alone kills at half the duration. */
const KILL_AT_MIDDLE = -1;

export function parseDemoArgs(args: readonly string[]): DemoOptions {
  const options: DemoOptions = { ...defaultDemoOptions, consumers: { ...defaultDemoOptions.consumers } };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    if (flag === '--kill-broker') {
      options.killBrokerAtSec ??= KILL_AT_MIDDLE;
      continue;
    }
    const value = args[i + 1];
    if (value === undefined) throw new DemoUsageError(`${flag} needs a value`);
    i++;
    const numeric = numericFlags[flag];
    if (numeric !== undefined) options[numeric] = parseNumber(flag, value, fractionalOptions.has(numeric));
    else if (flag === '--bootstrap') options.bootstrap = value;
    else if (flag === '--data-dir') options.dataDir = value;
    else if (flag === '--database-url') options.databaseUrl = parseDatabaseUrl(value);
    else if (flag === '--consumers') options.consumers = parseConsumers(value, options.consumers);
    else if (flag === '--restart-broker-after') options.restartBrokerAfterSec = value === 'never' ? null : parseNumber(flag, value, true);
    else throw new DemoUsageError(`unknown option ${flag}`);
  }
  if (options.partners < 1 || options.ratePerSec < 1 || options.partitions < 1 || options.windowSec < 1) {
    throw new DemoUsageError('--partners, --rate, --partitions and --window must be at least 1');
  }
  if (options.nodes < 1 || options.nodes > 9) throw new DemoUsageError('--nodes must be 1..9');
  if (options.producers !== null && (options.producers < 1 || options.producers > PRODUCERS_MAX || options.producers > options.partners)) {
    throw new DemoUsageError(`--producers must be 1..${PRODUCERS_MAX} and at most --partners`);
  }
  if (options.killBrokerAtSec === KILL_AT_MIDDLE) options.killBrokerAtSec = options.durationSec / 2;
  // Two nodes are two controller voters: with one killed there is no majority left to fence it
  // and move its leaderships, so the pipeline would just stop until it returns.
  if (options.killBrokerAtSec !== null && (options.bootstrap !== null || options.nodes < 3)) {
    throw new DemoUsageError('--kill-broker needs the demo\'s own cluster of at least 3 nodes (not --bootstrap, not --nodes 1 or 2)');
  }
  return options;
}

function parseDatabaseUrl(value: string): string {
  if (!isPostgresUrl(value)) throw new DemoUsageError(`--database-url takes a postgres:// or postgresql:// URL, got "${redactedUrl(value)}"`);
  return value;
}

function parseNumber(flag: string, value: string, isFractional: boolean): number {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n < 0 || (!isFractional && !Number.isInteger(n))) {
    throw new DemoUsageError(`${flag} must be a non-negative ${isFractional ? 'number' : 'integer'}, got "${value}"`);
  }
  return n;
}

/** `location=5,analytics=1,db=2`; services not named keep their count. */
export function parseConsumers(value: string, base: Record<ServiceName, number>): Record<ServiceName, number> {
  const out = { ...base };
  for (const item of value.split(',')) {
    const [name, count] = item.split('=');
    const service = SERVICE_NAMES.find((s) => s === name || serviceGroupLabel(s) === name);
    const n = Number(count);
    if (service === undefined || count === undefined || !Number.isInteger(n) || n < 1 || n > 32) {
      throw new DemoUsageError(`--consumers takes location=N,analytics=N,db=N with N in 1..32, got "${value}"`);
    }
    out[service] = n;
  }
  return out;
}

export function serviceGroupLabel(service: ServiceName): string {
  return service === 'location-service' ? 'location' : service === 'db-writer' ? 'db' : 'analytics';
}

/** The host:port list as the platformatic clients take it. */
export function bootstrapList(bootstrap: string): string[] {
  return bootstrap.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
