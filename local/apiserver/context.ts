/**
 * The state one running server shares between its request handlers and controllers.
 */
import type { Logger } from 'pino';
import type { Registry } from './registry.ts';
import type { ResourceStore } from './store.ts';
import type { WatchHub } from './watch.ts';

/** ServerContext is what handlers, the garbage collector and webhooks work on. */
export interface ServerContext {
  store: ResourceStore;
  registry: Registry;
  hub: WatchHub;
  logger: Logger;
  /** now is the clock (tests may pin it). */
  now(): Date;
  bookmarkIntervalMs: number;
  /** serverAddress is `127.0.0.1:<port>`, for /api. */
  serverAddress: string;
}

/** timestamp renders a metav1.Time (RFC 3339, whole seconds). */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
