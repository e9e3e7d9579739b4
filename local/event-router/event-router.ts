/**
 * The local event router: the three sources of the Featherman wiring (ApiServerSource with
 * its Triggers, the S3 notification, the PingSource) pointed at one functions app.
 */
import type { EventEmitter } from 'node:events';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../runner/log.ts';
import type { ApiServerSourceMode } from './apiserver-event.ts';
import { startApiServerSource } from './apiserver-source.ts';
import type { DeliveryPolicy } from './delivery.ts';
import { startPingSource } from './ping-source.ts';
import { defaultApiServerRoutes, FUNCTION_PATHS, functionUrl, type Route } from './routes.ts';
import type { S3NotificationShape } from './s3-notification.ts';
import { startS3Source } from './s3-source.ts';

/** EventRouterOptions configure the router. */
export interface EventRouterOptions {
  kubeConfig: KubeConfig;
  /** functionsUrl is the base URL of the functions app (handlers at FUNCTION_PATHS). */
  functionsUrl: string;
  logger: Logger;
  mode?: ApiServerSourceMode;
  /** routes replace the default Triggers. */
  routes?: Route[];
  /** s3 turns on the S3 notification for an embedded server's events. */
  s3?: { events: EventEmitter; endpoint: string; shape?: S3NotificationShape; authToken?: string; buckets?: readonly string[] };
  /** ping configures the resync PingSource; `false` turns it off. */
  ping?: false | { schedule?: string; initialDelayMs?: number; jitterMs?: number };
  delivery?: DeliveryPolicy;
}

/** EventRouter is the running router; close() stops all three sources. */
export interface EventRouter {
  close(): Promise<void>;
}

/** startEventRouter starts the sources (side effects: watches, timers, HTTP POSTs). */
export async function startEventRouter(options: EventRouterOptions): Promise<EventRouter> {
  const logger = options.logger;
  const apiServer = await startApiServerSource({
    kubeConfig: options.kubeConfig,
    routes: options.routes ?? defaultApiServerRoutes(options.functionsUrl),
    logger,
    mode: options.mode,
    delivery: options.delivery,
  });
  const s3 = options.s3
    ? startS3Source({ ...options.s3, sink: functionUrl(options.functionsUrl, FUNCTION_PATHS.s3Object), logger, delivery: options.delivery })
    : undefined;
  const ping = options.ping === false
    ? undefined
    : startPingSource({ ...options.ping, sink: functionUrl(options.functionsUrl, FUNCTION_PATHS.sweep), logger, delivery: options.delivery });
  return {
    close: async () => {
      await Promise.all([apiServer.close(), s3?.close(), ping?.close()]);
    },
  };
}
