// `tideline start`: one node with Kafka's config names. Prints one `tideline ready …` line on
// stdout once clients can connect; SIGTERM/SIGINT stop it cleanly (stop accepting, answer what
// is in flight, flush, write checkpoints) and exit 0. The web console (console.listeners)
// starts once the node serves clients; the ready line then ends with ` console=http://HOST:PORT`.
// When the default console port is taken the node runs without a console (and says so).

import { parseArgs } from 'node:util';
import { ConfigError, TidelineError, TidelineErrorCode } from '../common/errors.js';
import { BrokerConfig } from '../config/broker-config.js';
import { startNode } from '../broker/node.js';
import { startConsole, type RunningConsole } from '../console/index.js';

export async function runStart(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { config: { type: 'string', short: 'c' }, override: { type: 'string', multiple: true, short: 'o' } },
      allowPositionals: true,
    });
  } catch (err) {
    throw new TidelineError(TidelineErrorCode.CLI_USAGE, (err as Error).message, { cause: err });
  }
  const configFile = parsed.values.config ?? parsed.positionals[0];
  const overrides = new Map<string, string>();
  for (const o of parsed.values.override ?? []) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--override expects key=value, got "${o}"`);
    overrides.set(o.slice(0, eq).trim(), o.slice(eq + 1));
  }
  const config = BrokerConfig.load({ configFile, overrides });
  const node = await startNode(config);
  let webConsole: RunningConsole | null = null;
  try {
    webConsole = await startConsole(config, node);
  } catch (err) {
    // The default port may be taken (another broker on this host, another program): the
    // console is optional, so only an explicitly configured one stops the node.
    const problem = `cannot listen on ${config.str('console.listeners')} (${(err as Error).message})`;
    if (config.isExplicit('console.listeners')) {
      await node.stop();
      throw new ConfigError(`console.listeners: ${problem}; set another port, or an empty value to turn the console off`, { cause: err });
    }
    node.logger.warn({ err }, `console not started: ${problem}; set console.listeners to another port`);
  }
  const consoleText = webConsole === null ? '' : ` console=${webConsole.url}`;

  // The signal handlers go in before the ready line: whoever reads that line may send SIGTERM at
  // once, and a busy machine can deschedule this process between the write and the next line.
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      node.logger.info({ signal }, 'shutting down');
      const consoleClosed = (webConsole?.close() ?? Promise.resolve()).catch((err: unknown) => node.logger.warn({ err }, 'console did not close cleanly'));
      consoleClosed.then(() => node.stop()).then(() => {
        // Everything is flushed and closed; a socket or timer some peer still holds open must
        // not keep a stopped node's process alive (an unref'd timer fires only if one does).
        setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
        resolve();
      }, (err: unknown) => {
        node.logger.error({ err }, 'error during shutdown');
        process.exitCode = 1;
        resolve();
      });
    };
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
  });
  process.stdout.write(`tideline ready listeners=${node.advertisedListeners} node.id=${config.nodeId}${consoleText}\n`);
  await stopped;
  return 0;
}
