// Entry of a demo child process (`tideline demo gps-service <name> <config-json>`): picks the
// producer or one of the three services and runs it until the parent stops it.

import type { ChildConfig } from './config.js';
import { DemoUsageError } from './config.js';
import { runAnalyticsService } from './analytics-service.js';
import { runDbWriterService } from './db-writer-service.js';
import { runLocationService } from './location-service.js';
import { runProducerService } from './producer-service.js';

export async function runDemoChild(name: string | undefined, configJson: string | undefined): Promise<void> {
  if (configJson === undefined) throw new DemoUsageError('usage: tideline demo gps-service <name> <config-json> (started by tideline demo gps)');
  const config = JSON.parse(configJson) as ChildConfig;
  switch (name) {
    case 'producer':
      return runProducerService(config);
    case 'location-service':
      return runLocationService(config);
    case 'analytics':
      return runAnalyticsService(config);
    case 'db-writer':
      return runDbWriterService(config);
    default:
      throw new DemoUsageError(`unknown demo service "${name ?? ''}"`);
  }
}
