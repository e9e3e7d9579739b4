/**
 * decideCatalog: a DuckLakeCatalog and what exists for it → actions and the status to
 * write. Pure and idempotent, like decideTable.
 */
import type { DuckLakeCatalogStatus } from '../../api/ducklake-catalog.ts';
import type { Action, ControlConfig, Decision } from './actions.ts';
import { degraded, findCondition, ready, reconciling, type ConditionInput } from './conditions.ts';
import { createJobAction, decideInvalid, eventAction, isDoneAt, resourceJobName, transitioned, withConditions } from './decide-common.ts';
import { isActive, latestJob, type ObservedJob } from './job-state.ts';
import { CATALOG_MAINTENANCE, maintenanceDegraded, nextMaintenanceFailure, withMaintenanceFailure } from './maintenance-failure.ts';
import { FINALIZER } from './names.ts';
import { buildInitCatalogPlan, buildRestorePlan, catalogDataPath } from './plan-build.ts';
import { isDeleting, ownerOf, type DuckLakeCatalog } from './resources.ts';
import { buildCatalogPvc } from '../specs/pvc.ts';
import { validateCatalog } from './validate-catalog.ts';

/** CatalogObserved is what the handler read before deciding about a catalog. */
export interface CatalogObserved {
  /** jobs are the Featherman Jobs labelled with this catalog's uid, observed with observeJob. */
  jobs: readonly ObservedJob[];
  /** pvc is the catalog volume claim when it exists (its status.phase). */
  pvc?: { phase?: string | undefined } | undefined;
  /** tables are the DuckLakeTables whose catalogRef names this catalog (names only). */
  tables?: readonly string[] | undefined;
  /** tableSnapshot is the newest status.lastAppliedSnapshot among those tables (their Jobs commit catalog snapshots). */
  tableSnapshot?: number | undefined;
  config: ControlConfig;
}

/** CatalogDecision is decideCatalog's answer. */
export type CatalogDecision = Decision<DuckLakeCatalogStatus>;

function decideDeletion(catalog: DuckLakeCatalog, observed: CatalogObserved, now: Date): CatalogDecision {
  const previous = catalog.status ?? {};
  if (!catalog.metadata.finalizers.includes(FINALIZER)) return { actions: [], status: previous };
  const tables = [...(observed.tables ?? [])].sort();
  if (tables.length === 0) {
    const message = `Catalog ${catalog.metadata.name} has no tables left; its volume goes with it.`;
    return { actions: [eventAction(ownerOf(catalog), 'Normal', 'Deleted', message, 'delete', now), { type: 'removeFinalizer' }], status: previous };
  }
  const shown = tables.slice(0, 10).join(', ') + (tables.length > 10 ? ` and ${tables.length - 10} more` : '');
  const message = `Waiting for ${tables.length} DuckLakeTable${tables.length === 1 ? '' : 's'} to be deleted first: ${shown}.`;
  const status = withConditions(previous, [ready(false, 'WaitingForTables', message), reconciling(true, 'WaitingForTables', message), degraded(false)], 'Running', now, catalog.metadata.generation);
  const events = transitioned(previous.conditions, status.conditions ?? []) ? [eventAction(ownerOf(catalog), 'Normal', 'WaitingForTables', message, `tables-${tables.length}`, now)] : [];
  return { actions: events, status };
}

// Backups and the catalog's other maintenance are started by the sweep; their outcome
// shows as lastBackup, maintenanceFailure and Degraded (a failed backup first). `event` is
// the Warning Event of a failure not reported before.
function backupOutcome(catalog: DuckLakeCatalog, jobs: readonly ObservedJob[], status: DuckLakeCatalogStatus, now: Date): { status: DuckLakeCatalogStatus; degraded: ConditionInput; event?: { reason: 'BackupFailed' | 'MaintenanceFailed'; message: string; job: string } } {
  const previous = status.maintenanceFailure;
  const failure = nextMaintenanceFailure(previous, jobs, CATALOG_MAINTENANCE, now);
  let next = withMaintenanceFailure(status, failure);
  const failed = failure ? maintenanceDegraded(failure) : undefined;
  const otherwise = failure && failed
    ? { degraded: failed, ...(failure.job !== previous?.job ? { event: { reason: 'MaintenanceFailed' as const, message: failed.message, job: failure.job } } : {}) }
    : { degraded: degraded(false) };
  const last = latestJob(jobs.filter((job) => job.op === 'backup'));
  if (last === undefined) return { status: next, ...otherwise };
  if (last.state === 'Failed') {
    const message = last.message ?? `Backup Job ${last.name} of catalog ${catalog.metadata.name} failed.`;
    return { status: next, degraded: degraded(true, 'BackupFailed', message), event: { reason: 'BackupFailed', message, job: last.name } };
  }
  const lastBackup = last.completionTime;
  if (lastBackup !== undefined && (next.lastBackup ?? '') < lastBackup) next = { ...next, lastBackup };
  return { status: next, ...otherwise };
}

// spec.restore is honoured only when the catalog is created: before it was ever
// initialised (no snapshotId in status). A successful restore sets snapshotId, so a
// restore never runs twice; init-catalog then accepts the restored file.
function decideRestore(catalog: DuckLakeCatalog, observed: CatalogObserved, status: DuckLakeCatalogStatus, now: Date): { stop: boolean; actions: Action[]; status: DuckLakeCatalogStatus } {
  const from = catalog.spec.restore?.fromBackup;
  const previous = catalog.status ?? {};
  if (from === undefined || previous.snapshotId !== undefined) return { stop: false, actions: [], status };
  const generation = catalog.metadata.generation;
  const name = resourceJobName(catalog, 'restore');
  const job = observed.jobs.find((candidate) => candidate.name === name);
  if (job === undefined && isDoneAt(previous.conditions, generation, ['JobFailed'])) return { stop: true, actions: [], status: previous };
  if (job === undefined || isActive(job)) {
    const message = `Restoring catalog ${catalog.metadata.name} from backup ${from} with Job ${name}.`;
    const actions = job === undefined ? [createJobAction(catalog, catalog, buildRestorePlan(catalog), 'restore', name, observed.config, false)] : [];
    return { stop: true, actions, status: withConditions(status, [ready(false, 'JobRunning', message), reconciling(true, 'JobRunning', message), degraded(false)], 'Running', now, generation) };
  }
  if (job.state === 'Failed') {
    const message = `Restoring from backup ${from} failed: ${job.message ?? `Job ${name} failed.`}`;
    const next = withConditions(status, [ready(false, 'JobFailed', message), reconciling(false), degraded(false)], 'Failed', now, generation);
    const events = transitioned(previous.conditions, next.conditions ?? []) ? [eventAction(ownerOf(catalog), 'Warning', 'JobFailed', message, name, now)] : [];
    return { stop: true, actions: events, status: next };
  }
  return { stop: false, actions: [], status: { ...status, snapshotId: job.result?.snapshotId ?? 0 } };
}

// DuckLake snapshots are catalog-wide: the catalog's snapshotId is the newest one any of its
// Jobs reported, its own (init, restore, snapshot expiry) or its tables' (apply, ingest,
// compaction, TTL), and it never moves back.
function newestSnapshot(previous: number | undefined, observed: CatalogObserved): number | undefined {
  const reported = observed.jobs.flatMap((job) => (job.state === 'Succeeded' && job.result?.snapshotId !== undefined ? [job.result.snapshotId] : []));
  const all = [previous, observed.tableSnapshot, ...reported].filter((value): value is number => value !== undefined);
  return all.length > 0 ? Math.max(...all) : undefined;
}

/**
 * decideCatalog decides about one DuckLakeCatalog (pure). Invalid spec → InvalidSpec.
 * Deleting → wait until no table names it (WaitingForTables), then remove the finalizer.
 * Otherwise: add the finalizer, ensure the volume claim; with an unusable runner pod
 * template, stop at Ready=False InvalidPodTemplate; restore from a backup when the
 * catalog is created with spec.restore, run one init-catalog Job per generation
 * (idempotent in the runner), and report data path, snapshot (the newest any of its or
 * its tables' Jobs reported), table count, and backups.
 */
export function decideCatalog(resource: unknown, observed: CatalogObserved, now: Date): CatalogDecision {
  const checked = validateCatalog(resource);
  if (!checked.ok) return decideInvalid(resource, 'DuckLakeCatalog', checked.issues, now, { keepFinalizer: (observed.tables ?? []).length > 0 }) as CatalogDecision;
  const catalog = checked.value;
  if (isDeleting(catalog)) return decideDeletion(catalog, observed, now);
  const generation = catalog.metadata.generation;
  const owner = ownerOf(catalog);
  const previous = catalog.status ?? {};
  const actions: Action[] = catalog.metadata.finalizers.includes(FINALIZER) ? [] : [{ type: 'addFinalizer' }];
  if (observed.pvc === undefined) actions.push({ type: 'ensurePvc', pvc: buildCatalogPvc(catalog) });
  const snapshotId = previous.snapshotId !== undefined || observed.tableSnapshot !== undefined ? newestSnapshot(previous.snapshotId, observed) : undefined;
  const backups = backupOutcome(catalog, observed.jobs, {
    ...previous,
    dataPath: catalogDataPath(catalog.spec.objectStore),
    ...(observed.tables !== undefined ? { tableCount: observed.tables.length } : {}),
    ...(snapshotId !== undefined ? { snapshotId } : {}),
  }, now);
  let status = backups.status;
  // No runner Job may start with a pod template that cannot be used: say which rule it breaks.
  const template = observed.config.podTemplateError;
  if (template !== undefined) {
    const next = withConditions(status, [ready(false, 'InvalidPodTemplate', template), reconciling(false), degraded(false)], 'Failed', now, generation);
    const events = transitioned(previous.conditions, next.conditions ?? []) ? [eventAction(owner, 'Warning', 'InvalidPodTemplate', template, `pod-template-g${generation}`, now)] : [];
    return { actions: [...actions, ...events], status: next };
  }
  const restore = decideRestore(catalog, observed, status, now);
  if (restore.stop) return { actions: [...actions, ...restore.actions], status: restore.status };
  status = restore.status;
  const name = resourceJobName(catalog, 'init-catalog');
  const init = observed.jobs.find((job) => job.name === name);
  const lost = observed.pvc?.phase === 'Lost' ? degraded(true, 'ObjectMissing', `The catalog volume claim of ${catalog.metadata.name} lost its volume; restore the catalog from a backup.`) : undefined;
  const condition = (inputs: ConditionInput[]) => [...inputs, lost ?? backups.degraded];
  let readyEvent: Action | undefined;

  if (init === undefined && isDoneAt(previous.conditions, generation, ['JobFailed'])) {
    status = { ...status, phase: previous.phase, conditions: previous.conditions };
    status = withConditions(status, condition([]), previous.phase ?? 'Succeeded', now, generation);
  } else if (init === undefined || isActive(init)) {
    if (init === undefined) actions.push(createJobAction(catalog, catalog, buildInitCatalogPlan(catalog), 'init-catalog', name, observed.config, false));
    const message = `Initialising catalog ${catalog.metadata.name} (generation ${generation}) with Job ${name}.`;
    // A catalog that was Ready stays usable while a new generation is checked: its tables
    // and queries need not stop for a change of, say, the backup schedule.
    const wasReady = findCondition(previous.conditions, 'Ready');
    const stillReady = wasReady?.status === 'True' ? ready(true, 'Succeeded', wasReady.message) : ready(false, 'JobRunning', message);
    status = withConditions(status, condition([stillReady, reconciling(true, 'JobRunning', message)]), 'Running', now, generation);
  } else if (init.state === 'Failed') {
    const message = init.message ?? `Job ${name} failed.`;
    status = withConditions(status, condition([ready(false, 'JobFailed', message), reconciling(false)]), 'Failed', now, generation);
    readyEvent = eventAction(owner, 'Warning', 'JobFailed', message, name, now);
  } else {
    const dataPath = typeof init.result?.details?.dataPath === 'string' ? init.result.details.dataPath : status.dataPath;
    const snapshotId = Math.max(init.result?.snapshotId ?? 0, status.snapshotId ?? 0);
    const message = `Catalog ${catalog.metadata.name} is ready at ${dataPath ?? 'its data path'}.`;
    status = { ...status, snapshotId, ...(dataPath !== undefined ? { dataPath } : {}) };
    status = withConditions(status, condition([ready(true, 'Succeeded', message), reconciling(false)]), 'Succeeded', now, generation);
    readyEvent = eventAction(owner, 'Normal', 'Ready', message, name, now);
  }
  if (readyEvent && transitioned(previous.conditions, status.conditions ?? [])) actions.push(readyEvent);
  // A failure is told once: a failed backup when Degraded turns True, other maintenance when a new Job failed.
  const told = backups.event;
  const newlyDegraded = findCondition(previous.conditions, 'Degraded')?.status !== 'True';
  if (told && findCondition(status.conditions, 'Degraded')?.reason === told.reason && (told.reason === 'MaintenanceFailed' || newlyDegraded)) {
    actions.push(eventAction(owner, 'Warning', told.reason, told.message, told.job, now));
  }
  return { actions, status };
}
