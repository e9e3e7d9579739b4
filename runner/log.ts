import { pino, type Logger } from 'pino';

/** REDACTED_PATHS are never written to a log line: credentials and signed headers. */
export const REDACTED_PATHS = [
  'accessKeyId', 'secretAccessKey', 'sessionToken', '*.accessKeyId', '*.secretAccessKey', '*.sessionToken',
  'credentials', '*.credentials', 'headers.authorization', '*.headers.authorization', 'env.AWS_SECRET_ACCESS_KEY',
];

/**
 * createLogger builds the pino JSON logger used by the runner and the functions (no side
 * effects beyond writing to the destination). The level comes from LOG_LEVEL (default info).
 */
export function createLogger(bindings: Record<string, unknown> = {}, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: process.env.LOG_LEVEL ?? 'info',
    base: { ...bindings },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options, pino.destination(2));
}

export type { Logger };
