// Tideline's own errors (configuration, command line, start-up), each with a stable `code` that
// docs/errors.md lists and a test keeps in step. Kafka protocol outcomes are not here: they are
// error codes in src/protocol/errors.ts, returned as values.

export const TidelineErrorCode = {
  CONFIG_INVALID: 'TL_CONFIG_INVALID',
  CONFIG_UNKNOWN: 'TL_CONFIG_UNKNOWN',
  CONFIG_FILE: 'TL_CONFIG_FILE',
  CLI_USAGE: 'TL_CLI_USAGE',
  STORAGE_LOCKED: 'TL_STORAGE_LOCKED',
  STORAGE_CLUSTER_MISMATCH: 'TL_STORAGE_CLUSTER_MISMATCH',
  CLUSTER_START: 'TL_CLUSTER_START',
} as const;

export type TidelineErrorCodeValue = (typeof TidelineErrorCode)[keyof typeof TidelineErrorCode];

export class TidelineError extends Error {
  constructor(
    readonly code: TidelineErrorCodeValue,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TidelineError';
  }
}

export class ConfigError extends TidelineError {
  constructor(message: string, options?: { cause?: unknown; code?: TidelineErrorCodeValue }) {
    super(options?.code ?? TidelineErrorCode.CONFIG_INVALID, message, options);
    this.name = 'ConfigError';
  }
}
