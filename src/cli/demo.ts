// `tideline demo gps [options]` runs the delivery-partner scenario (docs/demo.md);
// `tideline demo gps-service <name> <config>` is how that command starts its child processes.

import { DEMO_USAGE, parseDemoArgs, runDemoChild, runGpsDemo } from '../demo/index.js';

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
  const result = await runGpsDemo(parseDemoArgs(rest), (line) => process.stdout.write(line + '\n'));
  process.stdout.write(result.summary + '\n');
  return result.exitCode;
}
