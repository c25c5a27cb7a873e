// `tideline demo gps [options]` runs the delivery-partner scenario (docs/demo.md);
// `tideline demo gps-service <name> <config>` is how that command starts its child processes.
// Start-up (brokers, topics, a dozen child processes) takes seconds, shown as a progress bar on
// stderr until the producer runs; the demo's own lines go to stdout above it.

import { DEMO_USAGE, STARTUP_STEPS, parseDemoArgs, runDemoChild, runGpsDemo } from '../demo/index.js';
import { startProgress } from './progress.js';

export async function runDemo(args: string[]): Promise<number> {
  const [scenario, ...rest] = args;
  if (scenario === 'gps-service') {
    await runDemoChild(rest[0], rest[1]);
    // Open sockets of a closed client must not keep a finished child alive.
    process.exit(0);
  }
  if (scenario === undefined || scenario === '--help' || scenario === '-h' || (scenario === 'gps' && rest.includes('--help'))) {
    process.stdout.write(DEMO_USAGE);
    return scenario === undefined ? 2 : 0;
  }
  if (scenario !== 'gps') {
    process.stderr.write(`tideline demo: unknown scenario "${scenario}"\n${DEMO_USAGE}`);
    return 2;
  }
  const options = parseDemoArgs(rest);
  const startup = startProgress('demo gps start-up', STARTUP_STEPS);
  let isStarting = true;
  const write = (line: string): void => {
    if (isStarting) startup.log(line, process.stdout);
    else process.stdout.write(line + '\n');
  };
  const onStartup = (done: number, detail: string): void => {
    startup.update(done, detail);
    if (done < STARTUP_STEPS) return;
    startup.finish();
    isStarting = false;
  };
  const result = await runGpsDemo(options, write, onStartup).finally(() => startup.finish());
  process.stdout.write(result.summary + '\n');
  return result.exitCode;
}
