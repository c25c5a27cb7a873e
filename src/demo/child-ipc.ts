// The child side of the demo's process protocol: report stats to the parent over the IPC channel
// and react to its `stop` command. A child whose parent vanishes exits at once, so an interrupted
// demo never leaves consumers or producers behind.

import type { ChildCommand, ChildStats } from './types.js';

export function sendStats(stats: Omit<ChildStats, 'type'>): void {
  if (process.send !== undefined && process.connected) process.send({ type: 'stats', ...stats } satisfies ChildStats);
}

/** Calls `onStop` once, on the parent's stop command or SIGTERM. */
export function onStopRequest(onStop: () => void): void {
  let isStopping = false;
  const stop = (): void => {
    if (isStopping) return;
    isStopping = true;
    onStop();
  };
  process.on('message', (message: ChildCommand) => {
    if (message.type === 'stop') stop();
  });
  process.on('SIGTERM', stop);
  process.on('disconnect', () => {
    if (!isStopping) process.exit(1);
  });
}

/** Runs `report` every second until the returned function is called. */
export function everySecond(report: () => void): () => void {
  const timer = setInterval(report, 1000);
  return () => clearInterval(timer);
}
