/**
 * FUNCTION_PROFILES: one entry per Featherman function (one Knative Service each): how
 * it scales, how long one event may take, and which events reach it. The names match
 * HANDLERS in functions/handlers/app.ts.
 */

/** EventRoute is one Trigger filter: an exact CloudEvent type plus an exact `kind` extension when set. */
export interface EventRoute {
  type: string;
  kind?: string;
}

/** FunctionProfile says how one function runs as a Knative Service. */
export interface FunctionProfile {
  name: string;
  /** minScale 0 = scale to zero; the admission webhook keeps one pod so the API server never waits on a cold start. */
  minScale: number;
  /** concurrency is containerConcurrency: in-flight requests per pod. */
  concurrency: number;
  /** timeoutSeconds bounds one request (a reconcile reads a few objects and creates at most a Job). */
  timeoutSeconds: number;
  routes: EventRoute[];
}

const REF = 'dev.knative.apiserver.ref';
const CHANGES = ['add', 'update', 'delete'].map((verb) => `${REF}.${verb}`);

function changesOf(kind: string): EventRoute[] {
  return CHANGES.map((type) => ({ type, kind }));
}

/** PING_TYPE is the CloudEvent type PingSource sends. */
export const PING_TYPE = 'dev.knative.sources.ping';
/** SQS_TYPE is the CloudEvent type of an IntegrationSource reading SQS. */
export const SQS_TYPE = 'dev.knative.connector.event.aws-sqs';

/** FUNCTION_PROFILES lists the functions in a fixed order. */
export const FUNCTION_PROFILES: readonly FunctionProfile[] = [
  // reconcile-catalog also takes the pod template ConfigMaps: a change reconciles the catalogs that name one.
  { name: 'reconcile-catalog', minScale: 0, concurrency: 10, timeoutSeconds: 60, routes: [...changesOf('DuckLakeCatalog'), ...changesOf('ConfigMap')] },
  { name: 'reconcile-table', minScale: 0, concurrency: 10, timeoutSeconds: 60, routes: changesOf('DuckLakeTable') },
  { name: 'reconcile-query', minScale: 0, concurrency: 10, timeoutSeconds: 60, routes: changesOf('DuckLakeQuery') },
  { name: 'job-finished', minScale: 0, concurrency: 10, timeoutSeconds: 60, routes: [{ type: `${REF}.update`, kind: 'Job' }] },
  // s3-object: MinIO posts straight to the Service; SQS messages come through the Broker.
  { name: 's3-object', minScale: 0, concurrency: 20, timeoutSeconds: 120, routes: [] },
  // sweep lists every resource: one at a time, with room for a large cluster.
  { name: 'sweep', minScale: 0, concurrency: 1, timeoutSeconds: 600, routes: [{ type: PING_TYPE }] },
  // admission answers the API server synchronously: warm, many at once, short.
  { name: 'admission', minScale: 1, concurrency: 50, timeoutSeconds: 10, routes: [] },
];

/** serviceName is the Knative Service (and ServiceAccount) name of a function (pure). */
export function serviceName(handler: string): string {
  return `featherman-${handler}`;
}
