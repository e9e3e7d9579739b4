/**
 * The local stand-in for Knative's ApiServerSource + Broker + Triggers: watches the
 * Featherman kinds, Featherman's Jobs and the runner pod template ConfigMaps and POSTs binary CloudEvents to the sinks of the
 * matching routes. Like the real source, a (re)list sends nothing: objects that exist at
 * start, and changes lost in a watch gap, produce no event (the sweep covers them).
 */
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { LABELS } from '../../functions/core/names.ts';
import type { Logger } from '../../runner/log.ts';
import { buildApiServerEvent, type ApiServerEventKind, type ApiServerSourceMode } from './apiserver-event.ts';
import { binaryMessage, deliver, DEFAULT_DELIVERY, type DeliveryOutcome, type DeliveryPolicy } from './delivery.ts';
import { ResourceWatcher, type ResourceWatcherOptions, type WatchedKind, type WatchEventType } from './resource-watcher.ts';
import { FEATHERMAN_GROUP_VERSION, matchingRoutes, type Route } from './routes.ts';

/** FEATHERMAN_WATCHED_KINDS are the kinds the Featherman ApiServerSource watches. */
export const FEATHERMAN_WATCHED_KINDS: readonly WatchedKind[] = [
  { apiVersion: FEATHERMAN_GROUP_VERSION, kind: 'DuckLakeCatalog', plural: 'ducklakecatalogs' },
  { apiVersion: FEATHERMAN_GROUP_VERSION, kind: 'DuckLakeTable', plural: 'ducklaketables' },
  { apiVersion: FEATHERMAN_GROUP_VERSION, kind: 'DuckLakeQuery', plural: 'ducklakequeries' },
  { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', labelSelector: 'app.kubernetes.io/managed-by=featherman' },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', labelSelector: `${LABELS.podTemplate}=true` },
];

/** ApiServerSourceOptions configure the source. */
export interface ApiServerSourceOptions {
  kubeConfig: KubeConfig;
  routes: Route[];
  logger: Logger;
  mode?: ApiServerSourceMode;
  kinds?: readonly WatchedKind[];
  delivery?: DeliveryPolicy;
  watch?: ResourceWatcherOptions;
  /** onDelivered is told how each send ended (for tests and metrics). */
  onDelivered?: (route: Route, outcome: DeliveryOutcome) => void;
}

const CHANGES: Record<WatchEventType, ApiServerEventKind> = { ADDED: 'add', MODIFIED: 'update', DELETED: 'delete' };

/** ApiServerSource is a running source; close() stops the watches and cancels sends in flight (their retries too). */
export interface ApiServerSource {
  close(): Promise<void>;
}

/**
 * startApiServerSource starts one watch per kind and resolves once all are open
 * (side effects: watches, HTTP POSTs to the sinks, logs).
 */
export async function startApiServerSource(options: ApiServerSourceOptions): Promise<ApiServerSource> {
  const mode = options.mode ?? 'Reference';
  const policy = options.delivery ?? DEFAULT_DELIVERY;
  const source = options.kubeConfig.getCurrentCluster()?.server ?? '';
  const inFlight = new Set<Promise<unknown>>();
  const closing = new AbortController();
  const emit = (type: WatchEventType, object: KubernetesObject): void => {
    const event = buildApiServerEvent({ mode, change: CHANGES[type], object, source });
    const message = binaryMessage(event);
    for (const route of matchingRoutes(options.routes, event)) {
      const describe = { route: route.name, type: event.type, kind: object.kind, namespace: object.metadata?.namespace, name: object.metadata?.name, id: event.id };
      const sending = deliver(route.sink, message, policy, options.logger, describe, closing.signal).then((outcome) => options.onDelivered?.(route, outcome));
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
    }
  };
  const watchers = (options.kinds ?? FEATHERMAN_WATCHED_KINDS).map((kind) => new ResourceWatcher(
    options.kubeConfig,
    kind,
    { onEvent: emit },
    options.logger,
    options.watch,
  ));
  await Promise.all(watchers.map((watcher) => watcher.start()));
  options.logger.info({ mode, kinds: watchers.length, routes: options.routes.map((route) => route.name) }, 'ApiServerSource watching');
  return {
    close: async () => {
      for (const watcher of watchers) watcher.stop();
      closing.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}
