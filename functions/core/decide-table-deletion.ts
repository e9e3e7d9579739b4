/**
 * decideTableDeletion: what deleting a DuckLakeTable does. A drop-table Job removes the
 * table from the catalog in one snapshot; with deletionPolicy Delete the table's objects
 * are deleted too; then the finalizer goes. Like every other runner Job, the drop Job never
 * starts with an unusable runner pod template (InvalidPodTemplate), but a deletion is not
 * held forever by one: after DROP_TEMPLATE_GRACE_SECONDS the finalizer goes without a drop,
 * as when the catalog is gone, and the data is retained. Pure.
 */
import type { DuckLakeTableStatus } from '../../api/ducklake-table.ts';
import { S3_URL } from '../../api/identifiers.ts';
import type { Action, Decision } from './actions.ts';
import { degraded, ready, reconciling, rfc3339 } from './conditions.ts';
import { createJobAction, eventAction, resourceJobName, transitioned, withConditions } from './decide-common.ts';
import type { TableObserved } from './decide-table.ts';
import { isActive } from './job-state.ts';
import { FINALIZER } from './names.ts';
import { buildApplyTablePlan, catalogDataPath, tableLocation } from './plan-build.ts';
import { ownerOf, type DuckLakeCatalog, type DuckLakeTable } from './resources.ts';

/** NOTHING_TO_DROP are runner error codes that mean the table is already gone. */
export const NOTHING_TO_DROP = ['FM_ERR_TABLE_MISSING', 'FM_ERR_CATALOG_MISSING'];

/**
 * DROP_TEMPLATE_GRACE_SECONDS is how long after its deletionTimestamp a table waits for its
 * catalog's pod template to be fixed before it is let go without a drop (the sweep, every
 * 5 minutes, sees the deadline pass; a fixed labelled ConfigMap is seen at once).
 */
export const DROP_TEMPLATE_GRACE_SECONDS = 3600;

/**
 * tableObjects is where a table's objects live (pure): bucket and key prefix (ending in
 * `/`, never empty), from its location, or `<data path><schema>/<name>/` by default.
 */
export function tableObjects(catalog: DuckLakeCatalog, table: DuckLakeTable): { bucket: string; prefix: string } {
  const location = tableLocation(table.spec);
  const schemaPath = `${catalogDataPath(catalog.spec.objectStore)}${table.spec.schema}/`;
  const url = location === undefined ? `${schemaPath}${table.spec.name}/` : S3_URL.test(location) ? location : `${schemaPath}${location}`;
  const match = S3_URL.exec(url.endsWith('/') ? url : `${url}/`);
  const bucket = match?.[1] ?? catalog.spec.objectStore.bucket;
  const prefix = match?.[2] ?? `${table.spec.schema}/${table.spec.name}/`;
  return { bucket, prefix: prefix === '' ? `${table.spec.schema}/${table.spec.name}/` : prefix };
}

/** decideTableDeletion decides about a table with a deletionTimestamp (pure). */
export function decideTableDeletion(table: DuckLakeTable, observed: TableObserved, now: Date): Decision<DuckLakeTableStatus> {
  const previous = table.status ?? {};
  if (!table.metadata.finalizers.includes(FINALIZER)) return { actions: [], status: previous };
  const generation = table.metadata.generation;
  const owner = ownerOf(table);
  const label = `${table.spec.schema}.${table.spec.name}`;
  const catalog = observed.catalog;
  if (catalog === undefined || catalog === 'invalid') {
    const why = catalog === undefined ? `its catalog ${table.spec.catalogRef} no longer exists` : `its catalog ${table.spec.catalogRef} has an invalid spec`;
    return {
      actions: [eventAction(owner, 'Warning', 'Deleting', `Table ${label} was not dropped because ${why}; its data is retained.`, `delete-g${generation}`, now), { type: 'removeFinalizer' }],
      status: previous,
    };
  }
  const name = resourceJobName(table, 'drop-table');
  const job = observed.jobs.find((candidate) => candidate.name === name);
  const finish = (status: DuckLakeTableStatus, actions: Action[], readyEvent?: Action): Decision<DuckLakeTableStatus> => ({
    actions: [...actions, ...(readyEvent && transitioned(previous.conditions, status.conditions ?? []) ? [readyEvent] : [])],
    status,
  });
  // A drop Job that already exists was built with a usable template: only creating one waits.
  const template = observed.config.podTemplateError;
  if (job === undefined && template !== undefined) {
    const deadline = new Date(Date.parse(table.metadata.deletionTimestamp ?? rfc3339(now)) + DROP_TEMPLATE_GRACE_SECONDS * 1000);
    if (now.getTime() >= deadline.getTime()) {
      const message = `Table ${label} was not dropped because the runner pod template of catalog ${catalog.metadata.name} stayed unusable for ${DROP_TEMPLATE_GRACE_SECONDS / 60} minutes; its data is retained. ${template}`;
      return { actions: [eventAction(owner, 'Warning', 'Deleting', message, `delete-template-g${generation}`, now), { type: 'removeFinalizer' }], status: previous };
    }
    const message = `${template} Table ${label} is not dropped until it is fixed; at ${rfc3339(deadline)} it is let go without a drop (data retained), or remove the finalizer to let it go now.`;
    const status = withConditions(previous, [ready(false, 'InvalidPodTemplate', message), reconciling(true, 'InvalidPodTemplate', message), degraded(false)], 'Pending', now, generation);
    return finish(status, [], eventAction(owner, 'Warning', 'InvalidPodTemplate', message, `delete-template-g${generation}`, now));
  }
  if (job === undefined || isActive(job)) {
    const message = `Dropping table ${label} with Job ${name}.`;
    const status = withConditions(previous, [ready(false, 'Deleting', message), reconciling(true, 'Deleting', message), degraded(false)], 'Running', now, generation);
    const create = job === undefined ? [createJobAction(table, catalog, buildApplyTablePlan(catalog, table, { drop: true }), 'drop-table', name, observed.config, false)] : [];
    return finish(status, create, eventAction(owner, 'Normal', 'Deleting', message, name, now));
  }
  const gone = job.state === 'Succeeded' || NOTHING_TO_DROP.includes(job.result?.error?.code ?? '');
  if (!gone) {
    const message = `${job.message ?? `Job ${name} failed.`} Table ${label} keeps its finalizer; fix the cause and delete the Job to retry, or remove the finalizer to delete without dropping.`;
    const status = withConditions(previous, [ready(false, 'DeleteFailed', message), reconciling(false), degraded(true, 'DeleteFailed', message)], 'Failed', now, generation);
    return finish(status, [], eventAction(owner, 'Warning', 'DeleteFailed', message, name, now));
  }
  const actions: Action[] = [];
  if (table.spec.deletionPolicy === 'Delete') {
    const { bucket, prefix } = tableObjects(catalog, table);
    actions.push({ type: 'deleteObjects', objectStore: table.spec.objectStore ?? catalog.spec.objectStore, bucket, prefix });
  }
  const kept = table.spec.deletionPolicy === 'Delete' ? 'its objects are deleted' : 'its data files are retained';
  actions.push(eventAction(owner, 'Normal', 'Deleted', `Table ${label} was dropped from catalog ${catalog.metadata.name}; ${kept}.`, name, now));
  actions.push({ type: 'removeFinalizer' });
  return { actions, status: previous };
}
