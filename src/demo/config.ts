// The options of `tideline demo gps` and the subset every child process receives. Parsing is
// strict: an unknown flag or a malformed number is a usage error, not a silent default.

import { TidelineError, TidelineErrorCode } from '../common/errors.js';
import type { ServiceName } from './types.js';

export interface DemoOptions {
  durationSec: number;
  partners: number;
  ratePerSec: number;
  partitions: number;
  /** An existing cluster; when absent the demo starts its own broker. */
  bootstrap: string | null;
  /** Where the broker log, the SQLite database and the check files go; a temp dir when absent. */
  dataDir: string | null;
  seed: number;
  windowSec: number;
  /** How long to wait after producing stops for every group to reach the log end. */
  catchUpTimeoutSec: number;
  /** Test hook: SIGKILL the db-writer this many seconds in and start a new one. */
  killDbWriterAtSec: number | null;
}

export const defaultDemoOptions: DemoOptions = {
  durationSec: 60,
  partners: 100_000,
  ratePerSec: 20_000,
  partitions: 12,
  bootstrap: null,
  dataDir: null,
  seed: 1,
  windowSec: 10,
  catchUpTimeoutSec: 60,
  killDbWriterAtSec: null,
};

/** What a child process (producer or service) needs, passed as one JSON argument. */
export interface ChildConfig {
  bootstrap: string;
  runId: string;
  dataDir: string;
  partners: number;
  ratePerSec: number;
  seed: number;
  windowMs: number;
}

export const DEMO_USAGE = `usage: tideline demo gps [options]

  --duration S        seconds of producing (default 60)
  --partners N        delivery partners (default 100000)
  --rate R            updates per second in total (default 20000)
  --partitions P      partitions of delivery-location-updates (default 12)
  --bootstrap H:P     use a running cluster instead of starting a broker
  --data-dir DIR      broker data, SQLite database and check files (default: a temp dir)
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

const numericFlags: Record<string, keyof DemoOptions> = {
  '--duration': 'durationSec',
  '--partners': 'partners',
  '--rate': 'ratePerSec',
  '--partitions': 'partitions',
  '--seed': 'seed',
  '--window': 'windowSec',
  '--catch-up-timeout': 'catchUpTimeoutSec',
  '--kill-db-writer-at': 'killDbWriterAtSec',
};

export function parseDemoArgs(args: readonly string[]): DemoOptions {
  const options: DemoOptions = { ...defaultDemoOptions };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = args[i + 1];
    if (value === undefined) throw new DemoUsageError(`${flag} needs a value`);
    i++;
    const numeric = numericFlags[flag];
    if (numeric !== undefined) {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0 || (numeric !== 'durationSec' && numeric !== 'killDbWriterAtSec' && !Number.isInteger(n))) {
        throw new DemoUsageError(`${flag} must be a non-negative number, got "${value}"`);
      }
      (options as unknown as Record<string, number>)[numeric] = n;
    } else if (flag === '--bootstrap') options.bootstrap = value;
    else if (flag === '--data-dir') options.dataDir = value;
    else throw new DemoUsageError(`unknown option ${flag}`);
  }
  if (options.partners < 1 || options.ratePerSec < 1 || options.partitions < 1 || options.windowSec < 1) {
    throw new DemoUsageError('--partners, --rate, --partitions and --window must be at least 1');
  }
  return options;
}

export function serviceGroupLabel(service: ServiceName): string {
  return service === 'location-service' ? 'location' : service === 'db-writer' ? 'db' : 'analytics';
}
