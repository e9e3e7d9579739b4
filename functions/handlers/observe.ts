/**
 * The observe step shared by the handlers: read what exists for a resource (its catalog,
 * its Jobs with their runner results, the catalog volume, the tables of a catalog, the
 * runner pod overrides) so the pure decide* functions can compare it with the spec.
 * Side effects: reads through the kube adapter.
 */
import type { ControlConfig } from '../core/actions.ts';
import { observeJob, type ObservedJob } from '../core/job-state.ts';
import { catalogPvcName, LABELS, labelValue, MANAGED_BY } from '../core/names.ts';
import type { DuckLakeCatalog } from '../core/resources.ts';
import { validateCatalog } from '../core/validate-catalog.ts';
import { validatePodTemplate } from '../core/validate-pod-template.ts';
import type { Job } from '../specs/k8s-types.ts';
import type { RawObject } from '../adapters/kube.ts';
import type { HandlerDeps } from './deps.ts';

/** metaText reads a string field of a raw object's metadata (pure). */
export function metaText(object: RawObject, field: string): string | undefined {
  const value = object.metadata?.[field];
  return typeof value === 'string' ? value : undefined;
}

/** specText reads a string field of a raw object's spec (pure). */
export function specText(object: RawObject, field: string): string | undefined {
  const spec = object.spec;
  const value = typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** isJobFinished reports whether a Job completed or failed (pure). */
export function isJobFinished(job: Job): boolean {
  const finished = job.status?.conditions?.some((condition) => (condition.type === 'Complete' || condition.type === 'Failed') && condition.status === 'True');
  return finished === true || (job.status?.succeeded ?? 0) > 0;
}

/** observeJobs lists a resource's Featherman Jobs by owner uid and reads the runner result of each finished one. */
export async function observeJobs(deps: HandlerDeps, namespace: string, uid: string): Promise<ObservedJob[]> {
  const jobs = await deps.kube.listJobs(namespace, { [LABELS.managedBy]: MANAGED_BY, [LABELS.ownerUid]: labelValue(uid) });
  return Promise.all(jobs.map(async (job) => observeJob(job, isJobFinished(job) ? await deps.kube.readTerminationMessage(namespace, job.metadata.name) : undefined)));
}

/** observeCatalogChecks lists a catalog's consistency-check Jobs (op `check`) with their runner results. */
export async function observeCatalogChecks(deps: HandlerDeps, namespace: string, catalogUid: string): Promise<ObservedJob[]> {
  const jobs = await deps.kube.listJobs(namespace, { [LABELS.managedBy]: MANAGED_BY, [LABELS.ownerUid]: labelValue(catalogUid), [LABELS.operation]: 'check' });
  return Promise.all(jobs.map(async (job) => observeJob(job, isJobFinished(job) ? await deps.kube.readTerminationMessage(namespace, job.metadata.name) : undefined)));
}

/** readCatalogFor reads the catalog a table or query names: validated, 'invalid', or undefined when missing. */
export async function readCatalogFor(deps: HandlerDeps, namespace: string, catalogRef: string | undefined): Promise<DuckLakeCatalog | 'invalid' | undefined> {
  if (catalogRef === undefined) return undefined;
  const raw = await deps.kube.readResource('DuckLakeCatalog', namespace, catalogRef);
  if (raw === undefined) return undefined;
  const checked = validateCatalog(raw);
  return checked.ok ? checked.value : 'invalid';
}

/**
 * controlConfig builds the ControlConfig of Jobs for a catalog, with the pod overrides its
 * podTemplate ConfigMap holds, or podTemplateError when that ConfigMap cannot be used.
 */
export async function controlConfig(deps: HandlerDeps, catalog: DuckLakeCatalog | 'invalid' | undefined): Promise<ControlConfig> {
  const config: ControlConfig = { image: deps.runnerImage, ...(deps.jobSettings !== undefined ? { jobSettings: deps.jobSettings } : {}) };
  const ref = catalog !== undefined && catalog !== 'invalid' ? catalog.spec.podTemplate?.configMapRef : undefined;
  if (catalog === undefined || catalog === 'invalid' || ref === undefined) return config;
  const template = validatePodTemplate(catalog.metadata.namespace, ref.name, await deps.kube.readConfigMapData(catalog.metadata.namespace, ref.name));
  return template.ok ? { ...config, podOverrides: template.value } : { ...config, podTemplateError: template.message };
}

/** observeCatalogVolume reads the catalog's PVC phase; undefined when the claim does not exist. */
export async function observeCatalogVolume(deps: HandlerDeps, namespace: string, name: string): Promise<{ phase?: string | undefined } | undefined> {
  const pvc = await deps.kube.readPvc(namespace, catalogPvcName(name));
  return pvc === undefined ? undefined : { phase: pvc.status?.phase };
}

/** CatalogTables are the tables of a catalog as its decision needs them. */
export interface CatalogTables {
  names: string[];
  /** snapshot is the newest status.lastAppliedSnapshot among them, if any reported one. */
  snapshot?: number;
}

/** tablesOfCatalog lists the DuckLakeTables in a namespace whose catalogRef is `catalog`: their names and newest snapshot. */
export async function tablesOfCatalog(deps: HandlerDeps, namespace: string, catalog: string): Promise<CatalogTables> {
  const tables = (await deps.kube.listResources('DuckLakeTable', namespace)).filter((table) => specText(table, 'catalogRef') === catalog);
  const snapshots = tables.flatMap((table) => {
    const value = (table.status as { lastAppliedSnapshot?: unknown } | undefined)?.lastAppliedSnapshot;
    return typeof value === 'number' ? [value] : [];
  });
  return { names: tables.flatMap((table) => metaText(table, 'name') ?? []), ...(snapshots.length > 0 ? { snapshot: Math.max(...snapshots) } : {}) };
}
