// The GPS delivery-partner demo (issue 6): what the CLI needs from this folder.

export { DEMO_USAGE, parseDemoArgs, defaultDemoOptions, type DemoOptions } from './config.js';
export { runGpsDemo, STARTUP_STEPS, type DemoResult, type StartupReport } from './run-gps.js';
export { runDemoChild } from './service-main.js';
