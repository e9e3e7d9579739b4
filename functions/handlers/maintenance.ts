/**
 * The sweep's maintenance, as data: each rule names a runner operation (api/plan.ts), the
 * resource it belongs to, how often it runs and its plan. The Job name's time bucket
 * makes each rule run once per period however often the sweep ticks (AlreadyExists is
 * success). Backups follow the catalog's cron schedule instead. Pure, except that
 * decideMaintenance returns createJob actions for the adapters to apply.
 */
import { CronExpressionParser } from 'cron-parser';
import { Plan, type PlanInput } from '../../api/plan.ts';
import type { Action, ControlConfig } from '../core/actions.ts';
import { findCondition } from '../core/conditions.ts';
import { createJobAction, resourceJobName } from '../core/decide-common.ts';
import { timeBucket, type JobOp } from '../core/names.ts';
import { buildCatalogPlan, buildIngestPlan, buildObjectStorePlan, CACHE_DIR } from '../core/plan-build.ts';
import type { DuckLakeCatalog, DuckLakeTable } from '../core/resources.ts';

/** MaintenanceRule is one periodic runner operation. */
export interface MaintenanceRule {
  op: JobOp;
  scope: 'catalog' | 'table';
  everySeconds: number;
  /** readOnly mounts the catalog volume read-only. */
  readOnly: boolean;
  applies(catalog: DuckLakeCatalog, table?: DuckLakeTable): boolean;
  fields(catalog: DuckLakeCatalog, table?: DuckLakeTable): Record<string, unknown>;
}

const DAY = 86_400;

/** INGEST_SWEEP_SECONDS is how often the sweep runs a catch-up ingest per table with landing files. */
export const INGEST_SWEEP_SECONDS = 900;

function tableRef(table: DuckLakeTable | undefined): { schema: string; name: string } {
  return { schema: table?.spec.schema ?? 'main', name: table?.spec.name ?? '' };
}

/**
 * MAINTENANCE_RULES: TTL hourly per table, compaction daily per table, and daily per
 * catalog snapshot expiry, the consistency check and file cleanup. Cleanup closes the
 * chain: TTL and compaction end files, snapshot expiry schedules them, cleanup deletes them
 * once past the grace period (24 h), with the orphans and open uploads that crashed runs
 * left. Without it no byte of expired data ever left the bucket.
 */
export const MAINTENANCE_RULES: readonly MaintenanceRule[] = [
  {
    op: 'expire-rows', scope: 'table', everySeconds: 3600, readOnly: false,
    applies: (_catalog, table) => table?.spec.ttlDays !== undefined && table.spec.ttlColumn !== undefined,
    fields: (_catalog, table) => ({ table: { ...tableRef(table), ttlDays: table?.spec.ttlDays, ttlColumn: table?.spec.ttlColumn } }),
  },
  { op: 'compact', scope: 'table', everySeconds: DAY, readOnly: false, applies: () => true, fields: (_catalog, table) => ({ table: tableRef(table) }) },
  { op: 'expire-snapshots', scope: 'catalog', everySeconds: DAY, readOnly: false, applies: () => true, fields: () => ({}) },
  { op: 'check', scope: 'catalog', everySeconds: DAY, readOnly: true, applies: () => true, fields: () => ({}) },
  { op: 'cleanup-files', scope: 'catalog', everySeconds: DAY, readOnly: false, applies: () => true, fields: () => ({}) },
];

/**
 * MAINTENANCE_LOCK_WAIT_SECONDS is how long a maintenance Job waits for the catalog lock.
 * A catalog's daily Jobs start in the same sweep and take turns on the lock (compaction of
 * a large table can hold it for minutes); the default minute would fail them for no fault.
 */
export const MAINTENANCE_LOCK_WAIT_SECONDS = 900;

function planOf(op: JobOp, catalog: DuckLakeCatalog, fields: Record<string, unknown>): Plan {
  const input = {
    op,
    lockTimeoutSeconds: MAINTENANCE_LOCK_WAIT_SECONDS,
    catalog: buildCatalogPlan(catalog),
    objectStore: buildObjectStorePlan(catalog.spec.objectStore, catalog.spec.encryption?.kmsKeyId),
    cacheDir: CACHE_DIR,
    author: `featherman/${catalog.metadata.namespace}`,
    ...fields,
  } as PlanInput;
  return Plan.parse(input);
}

/** isReady reports whether a resource's Ready condition is True for its current generation (pure). */
export function isReady(resource: DuckLakeCatalog | DuckLakeTable): boolean {
  const ready = findCondition(resource.status?.conditions, 'Ready');
  return ready?.status === 'True' && ready.observedGeneration === resource.metadata.generation && resource.metadata.deletionTimestamp === undefined;
}

/**
 * backupDue returns the cron tick a backup is due for, or undefined (pure): the last tick
 * of spec.backupPolicy.schedule at or before `now` (UTC), when lastBackup is older.
 */
export function backupDue(catalog: DuckLakeCatalog, now: Date): Date | undefined {
  const schedule = catalog.spec.backupPolicy?.schedule;
  if (schedule === undefined) return undefined;
  let tick: Date;
  try {
    tick = CronExpressionParser.parse(schedule, { currentDate: new Date(now.getTime() + 1000), tz: 'UTC' }).prev().toDate();
  } catch {
    return undefined;
  }
  const last = catalog.status?.lastBackup;
  return last !== undefined && Date.parse(last) >= tick.getTime() ? undefined : tick;
}

/**
 * decideMaintenance returns the maintenance Jobs due for a Ready catalog and its Ready
 * tables (pure). Job names carry the rule's time bucket, so a second sweep in the same
 * period asks for the same Jobs and the API answers AlreadyExists.
 */
export function decideMaintenance(catalog: DuckLakeCatalog, tables: readonly DuckLakeTable[], config: ControlConfig, now: Date): Action[] {
  if (!isReady(catalog) || config.podTemplateError !== undefined) return [];
  const actions: Action[] = [];
  const tick = backupDue(catalog, now);
  if (tick !== undefined) {
    const retention = catalog.spec.backupPolicy?.retentionDays;
    const name = resourceJobName(catalog, 'backup', timeBucket(tick, 60));
    actions.push(createJobAction(catalog, catalog, planOf('backup', catalog, retention !== undefined ? { retentionDays: retention } : {}), 'backup', name, config, true));
  }
  for (const table of tables.filter(isReady)) {
    // Catch-up ingest: S3 notifications can be lost (a dropped delivery, a file that landed
    // while its Job was listing), so each table with landing files gets one ingest per
    // period; a run that finds nothing new commits nothing.
    if (table.spec.ingest === undefined) continue;
    const name = resourceJobName(table, 'ingest', timeBucket(now, INGEST_SWEEP_SECONDS));
    actions.push(createJobAction(table, catalog, buildIngestPlan(catalog, table), 'ingest', name, config, false));
  }
  for (const rule of MAINTENANCE_RULES) {
    const owners = rule.scope === 'catalog' ? [undefined] : tables.filter(isReady);
    for (const table of owners) {
      if (!rule.applies(catalog, table)) continue;
      const owner = table ?? catalog;
      const name = resourceJobName(owner, rule.op, timeBucket(now, rule.everySeconds));
      actions.push(createJobAction(owner, catalog, planOf(rule.op, catalog, rule.fields(catalog, table)), rule.op, name, config, rule.readOnly));
    }
  }
  return actions;
}
