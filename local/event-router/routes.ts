/**
 * The routing table of the local event router: each route is a Knative Trigger, an exact
 * match on CloudEvent attributes (type, kind, extensions) plus the sink URL.
 */
import type { CloudEvent } from 'cloudevents';

/** Route is one Trigger: a name, attribute filters (all must match exactly; none = every event) and a sink. */
export interface Route {
  name: string;
  filter: Record<string, string>;
  sink: string;
}

/** FUNCTION_PATHS are the paths of the functions app, one per handler. */
export const FUNCTION_PATHS = {
  reconcileCatalog: '/reconcile-catalog',
  reconcileTable: '/reconcile-table',
  reconcileQuery: '/reconcile-query',
  jobFinished: '/job-finished',
  s3Object: '/s3-object',
  sweep: '/sweep',
  admission: '/admission',
} as const;

/** FEATHERMAN_GROUP_VERSION is the apiVersion of the Featherman kinds. */
export const FEATHERMAN_GROUP_VERSION = 'ducklake.featherman.dev/v1alpha1';

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/**
 * defaultApiServerRoutes are the Triggers of the Featherman wiring: each CR kind to its
 * reconcile function, the runner pod template ConfigMaps to reconcile-catalog (which
 * reconciles the catalogs naming one) and batch/v1 Jobs to job-finished (pure).
 */
export function defaultApiServerRoutes(functionsUrl: string): Route[] {
  return [
    { name: 'reconcile-catalog', filter: { kind: 'DuckLakeCatalog', apiversion: FEATHERMAN_GROUP_VERSION }, sink: joinUrl(functionsUrl, FUNCTION_PATHS.reconcileCatalog) },
    { name: 'reconcile-catalog-pod-template', filter: { kind: 'ConfigMap', apiversion: 'v1' }, sink: joinUrl(functionsUrl, FUNCTION_PATHS.reconcileCatalog) },
    { name: 'reconcile-table', filter: { kind: 'DuckLakeTable', apiversion: FEATHERMAN_GROUP_VERSION }, sink: joinUrl(functionsUrl, FUNCTION_PATHS.reconcileTable) },
    { name: 'reconcile-query', filter: { kind: 'DuckLakeQuery', apiversion: FEATHERMAN_GROUP_VERSION }, sink: joinUrl(functionsUrl, FUNCTION_PATHS.reconcileQuery) },
    { name: 'job-finished', filter: { kind: 'Job', apiversion: 'batch/v1' }, sink: joinUrl(functionsUrl, FUNCTION_PATHS.jobFinished) },
  ];
}

/** functionUrl is the URL of one handler of the functions app (pure). */
export function functionUrl(functionsUrl: string, path: string): string {
  return joinUrl(functionsUrl, path);
}

/** matchingRoutes are the routes whose every filter attribute equals the event's (pure). */
export function matchingRoutes(routes: readonly Route[], event: CloudEvent<unknown>): Route[] {
  const attributes = event as unknown as Record<string, unknown>;
  return routes.filter((route) => Object.entries(route.filter).every(([name, value]) => attributes[name] === value));
}
