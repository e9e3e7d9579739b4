/**
 * The `kubectl get` columns of the built-in kinds, close to what kube-apiserver's table
 * printers show (pure).
 */
import type { JsonObject } from './types.ts';

/** ColumnDefinition is one meta.k8s.io/v1 TableColumnDefinition. */
export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** BuiltinColumn is a column with the function computing its cell. */
export interface BuiltinColumn {
  definition: ColumnDefinition;
  cell(object: JsonObject, now: Date): unknown;
}

function obj(value: unknown): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as JsonObject : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function column(name: string, type: string, cell: (object: JsonObject, now: Date) => unknown, priority = 0): BuiltinColumn {
  return { definition: { name, type, format: '', description: `${name} of the object.`, priority }, cell };
}

/** humanDuration renders an elapsed time the way kubectl's AGE column does (`45s`, `3m10s`, `5h`, `2d`). */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (hours < 24 * 365 * 8) return `${years}y${Math.floor(hours / 24) % 365}d`;
  return `${years}y`;
}

/** ageOf renders the time since a timestamp field, or `<unknown>`. */
export function ageOf(timestamp: unknown, now: Date): string {
  if (typeof timestamp !== 'string' || timestamp === '') return '<unknown>';
  return humanDuration(now.getTime() - Date.parse(timestamp));
}

const age = column('Age', 'string', (object, now) => ageOf(obj(object.metadata).creationTimestamp, now));
const dataCount = column('Data', 'string', (object) => Object.keys(obj(object.data)).length + Object.keys(obj(object.binaryData)).length);

function podContainers(template: JsonObject): JsonObject[] {
  return list(obj(template.spec).containers).map(obj);
}

function jobStatus(object: JsonObject): string {
  const conditions = list(obj(object.status).conditions).map(obj);
  const isTrue = (type: string): boolean => conditions.some((condition) => condition.type === type && condition.status === 'True');
  if (isTrue('Complete')) return 'Complete';
  if (isTrue('Failed')) return 'Failed';
  if (isTrue('FailureTarget')) return 'FailureTarget';
  if (isTrue('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (obj(object.spec).suspend === true) return 'Suspended';
  return 'Running';
}

function jobDuration(object: JsonObject, now: Date): string {
  const status = obj(object.status);
  if (typeof status.startTime !== 'string') return '';
  const end = typeof status.completionTime === 'string' ? Date.parse(status.completionTime) : now.getTime();
  return humanDuration(end - Date.parse(status.startTime));
}

function podReady(object: JsonObject): string {
  const containers = list(obj(object.spec).containers).length;
  const ready = list(obj(object.status).containerStatuses).map(obj).filter((status) => status.ready === true).length;
  return `${ready}/${containers}`;
}

function podStatus(object: JsonObject): string {
  const status = obj(object.status);
  if (obj(object.metadata).deletionTimestamp) return 'Terminating';
  for (const container of list(status.containerStatuses).map(obj)) {
    const state = obj(container.state);
    const reason = obj(state.terminated).reason ?? obj(state.waiting).reason;
    if (typeof reason === 'string' && reason !== '') return reason;
  }
  return typeof status.reason === 'string' ? status.reason : String(status.phase ?? 'Pending');
}

function podRestarts(object: JsonObject): number {
  return list(obj(object.status).containerStatuses).map(obj).reduce<number>((sum, status) => sum + Number(status.restartCount ?? 0), 0);
}

function eventObject(object: JsonObject): string {
  const involved = obj(object.involvedObject);
  return `${String(involved.kind ?? '').toLowerCase()}/${String(involved.name ?? '')}`;
}

function eventLastSeen(object: JsonObject, now: Date): string {
  return ageOf(object.lastTimestamp ?? object.eventTime ?? obj(object.metadata).creationTimestamp, now);
}

const COLUMNS: Record<string, BuiltinColumn[]> = {
  '/namespaces': [column('Status', 'string', (object) => String(obj(object.status).phase ?? 'Active')), age],
  '/secrets': [column('Type', 'string', (object) => String(object.type ?? 'Opaque')), dataCount, age],
  '/configmaps': [dataCount, age],
  '/serviceaccounts': [column('Secrets', 'integer', (object) => list(object.secrets).length), age],
  '/persistentvolumeclaims': [
    column('Status', 'string', (object) => String(obj(object.status).phase ?? 'Pending')),
    column('Volume', 'string', (object) => String(obj(object.spec).volumeName ?? '')),
    column('Capacity', 'string', (object) => String(obj(obj(object.status).capacity).storage ?? '')),
    column('Access Modes', 'string', (object) => list(obj(object.status).accessModes).join(',')),
    column('StorageClass', 'string', (object) => String(obj(object.spec).storageClassName ?? '<unset>')),
    age,
  ],
  '/pods': [
    column('Ready', 'string', podReady), column('Status', 'string', podStatus), column('Restarts', 'integer', podRestarts), age,
    column('IP', 'string', (object) => String(obj(object.status).podIP ?? '<none>'), 1),
    column('Node', 'string', (object) => String(obj(object.spec).nodeName ?? '<none>'), 1),
  ],
  '/events': [
    column('Last Seen', 'string', eventLastSeen),
    column('Type', 'string', (object) => String(object.type ?? '')),
    column('Reason', 'string', (object) => String(object.reason ?? '')),
    column('Object', 'string', eventObject),
    column('Message', 'string', (object) => String(object.message ?? '')),
  ],
  'batch/jobs': [
    column('Status', 'string', jobStatus),
    column('Completions', 'string', (object) => `${Number(obj(object.status).succeeded ?? 0)}/${Number(obj(object.spec).completions ?? 1)}`),
    column('Duration', 'string', jobDuration),
    age,
    column('Containers', 'string', (object) => podContainers(obj(obj(object.spec).template)).map((container) => String(container.name ?? '')).join(','), 1),
    column('Images', 'string', (object) => podContainers(obj(obj(object.spec).template)).map((container) => String(container.image ?? '')).join(','), 1),
    column('Selector', 'string', (object) => Object.entries(obj(obj(obj(object.spec).selector).matchLabels)).map(([key, value]) => `${key}=${String(value)}`).join(','), 1),
  ],
  'coordination.k8s.io/leases': [column('Holder', 'string', (object) => String(obj(object.spec).holderIdentity ?? '')), age],
  'admissionregistration.k8s.io/validatingwebhookconfigurations': [column('Webhooks', 'integer', (object) => list(object.webhooks).length), age],
  'apiextensions.k8s.io/customresourcedefinitions': [
    column('Created At', 'date', (object) => String(obj(object.metadata).creationTimestamp ?? '')),
  ],
};

/** builtinColumns returns the columns after NAME for a built-in storage key (AGE alone when unknown). */
export function builtinColumns(storageKey: string): BuiltinColumn[] {
  return COLUMNS[storageKey] ?? [age];
}
