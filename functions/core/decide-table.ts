/**
 * decideTable: a DuckLakeTable and what exists for it → actions and the status to write.
 * Pure and idempotent: the same inputs give the same outputs, and feeding the status back
 * in gives no actions and the same status (so our own status writes cannot loop).
 */
import type { DuckLakeTableStatus } from '../../api/ducklake-table.ts';
import type { RunnerResult } from '../../api/result.ts';
import type { Action, ControlConfig, Decision } from './actions.ts';
import { degraded, findCondition, ready, reconciling, rfc3339 } from './conditions.ts';
import { catalogState, createJobAction, decideInvalid, eventAction, isDoneAt, resourceJobName, transitioned, withConditions } from './decide-common.ts';
import { decideTableDeletion, tableObjects } from './decide-table-deletion.ts';
import { isActive, latestJob, type ObservedJob } from './job-state.ts';
import { maintenanceDegraded, nextMaintenanceFailure, TABLE_MAINTENANCE, withMaintenanceFailure } from './maintenance-failure.ts';
import { FINALIZER, minuteBucket, timeBucket } from './names.ts';
import { keepObjectMissing } from './object-missing.ts';
import { buildApplyTablePlan, buildIngestPlan } from './plan-build.ts';
import { isDeleting, ownerOf, type DuckLakeCatalog, type DuckLakeTable } from './resources.ts';
import { validateTable } from './validate-table.ts';

/** TableObserved is what the handler read before deciding about a table. */
export interface TableObserved {
  /** catalog is the referenced DuckLakeCatalog (validated), 'invalid' when its spec is bad, undefined when it does not exist. */
  catalog?: DuckLakeCatalog | 'invalid' | undefined;
  /** jobs are the Featherman Jobs labelled with this table's uid, observed with observeJob. */
  jobs: readonly ObservedJob[];
  /** ingestRequested is set when landing files arrived (an S3 event) or the sweep asks for an ingest. */
  ingestRequested?: boolean;
  /** checks are the catalog's `check` Jobs, observed while the table is Degraded=ObjectMissing (object-missing.ts). */
  checks?: readonly ObservedJob[] | undefined;
  config: ControlConfig;
}

/** TableDecision is decideTable's answer. */
export type TableDecision = Decision<DuckLakeTableStatus>;

function tableLabel(table: DuckLakeTable): string {
  return `${table.spec.schema}.${table.spec.name}`;
}

// Operations whose runner result carries the table's figures after their snapshot.
const FIGURE_OPS = new Set(['apply-table', 'ingest', 'expire-rows', 'compact']);

// Table figures come from the successful Job with the newest snapshot (apply, ingest, TTL or compaction),
// and only move forward: an older Job still listed never rolls the status back.
function withFigures(status: DuckLakeTableStatus, jobs: readonly ObservedJob[], now: Date): DuckLakeTableStatus {
  const done = jobs.filter((job): job is ObservedJob & { result: RunnerResult } => job.state === 'Succeeded' && job.result?.snapshotId !== undefined);
  const best = [...done].sort((a, b) => (a.result.snapshotId ?? 0) - (b.result.snapshotId ?? 0)).pop();
  if (best === undefined) return status;
  const snapshot = best.result.snapshotId ?? 0;
  if (status.lastAppliedSnapshot !== undefined && snapshot <= status.lastAppliedSnapshot) return status;
  const table = best.result.table;
  return {
    ...status,
    lastAppliedSnapshot: snapshot,
    lastModified: best.completionTime ?? rfc3339(now),
    ...(table ? { rowCount: table.rowCount, fileCount: table.fileCount, bytesWritten: table.bytes, schemaVersion: table.schemaVersion } : {}),
  };
}

/** MAX_FOLLOW_UPS bounds the follow-up ingest Jobs of one 10-second window; past them the sweep's catch-up ingest takes the files. */
const MAX_FOLLOW_UPS = 6;

/**
 * ingestJobName picks the ingest Job for a request at `now` (pure), or undefined when a
 * Job that has not started yet will already see the new landing files. Many requests in
 * one minute share the minute's Job; a request that arrives once that Job has started
 * (it may have listed the prefix already) gets a follow-up Job per 10-second window, and a
 * request after that follow-up started gets the next one in a chain, so a late file is
 * never left waiting for an event that will not come. The names are deterministic: a
 * replayed request finds the Job of its place in the chain.
 */
function ingestJobName(table: DuckLakeTable, ingests: readonly ObservedJob[], now: Date): string | undefined {
  const window = `${minuteBucket(now)}f${timeBucket(now, 10).slice(-2)}`;
  const chain = [
    resourceJobName(table, 'ingest', minuteBucket(now)),
    ...Array.from({ length: MAX_FOLLOW_UPS }, (_, index) => resourceJobName(table, 'ingest', index === 0 ? window : `${window}n${index}`)),
  ];
  for (const name of chain) {
    const job = ingests.find((each) => each.name === name);
    if (job === undefined) return name;
    if (job.state === 'Pending') return undefined;
  }
  return undefined;
}

function decideIngest(table: DuckLakeTable, catalog: DuckLakeCatalog, observed: TableObserved, status: DuckLakeTableStatus, now: Date): TableDecision {
  const generation = table.metadata.generation;
  const owner = ownerOf(table);
  const actions: Action[] = [];
  const ingests = observed.jobs.filter((job) => job.op === 'ingest');
  const running = ingests.filter(isActive);
  if (observed.ingestRequested) {
    const name = ingestJobName(table, ingests, now);
    if (name !== undefined) {
      actions.push(createJobAction(table, catalog, buildIngestPlan(catalog, table), 'ingest', name, observed.config, false));
      running.push({ name, op: 'ingest', state: 'Pending' });
    }
  }
  const last = latestJob(ingests);
  const failed = last?.state === 'Failed';
  const maintenance = nextMaintenanceFailure(status.maintenanceFailure, observed.jobs, TABLE_MAINTENANCE, now);
  const message = `Table ${tableLabel(table)} matches generation ${generation}${status.lastAppliedSnapshot !== undefined ? ` at snapshot ${status.lastAppliedSnapshot}` : ''}.`;
  const conditions = [
    ready(true, 'Applied', message),
    running.length > 0 ? reconciling(true, 'Ingesting', `Ingesting landing files with Job ${running.map((job) => job.name).join(', ')}.`) : reconciling(false),
    failed ? degraded(true, 'IngestFailed', last.message ?? `Ingest Job ${last.name} failed.`)
      : maintenance ? maintenanceDegraded(maintenance) : degraded(false),
  ];
  const next = withConditions(withMaintenanceFailure(status, maintenance), conditions, running.length > 0 ? 'Running' : 'Succeeded', now, generation);
  const before = findCondition(status.conditions, 'Degraded');
  if (failed && before?.status !== 'True') actions.push(eventAction(owner, 'Warning', 'IngestFailed', last.message ?? 'Ingest failed.', last.name, now));
  if (maintenance && maintenance.job !== status.maintenanceFailure?.job) actions.push(eventAction(owner, 'Warning', 'MaintenanceFailed', maintenanceDegraded(maintenance).message, maintenance.job, now));
  return { actions, status: next };
}

/**
 * decideTable decides about one DuckLakeTable (pure). Invalid spec → Ready=False
 * InvalidSpec, no Job. Deleting → decideTableDeletion. Otherwise: add the finalizer;
 * wait for the catalog (CatalogMissing / CatalogNotReady); one apply-table Job per
 * generation (its name from uid + generation + op, so a replay finds it); its outcome
 * into status (Applied, JobFailed with the runner's message, DataLoss); then an ingest
 * Job per minute when requested (and once when a generation is first seen applied, for
 * files that landed before), its figures and failures into status. A Degraded=ObjectMissing
 * alarm stays until a consistency check clears it (keepObjectMissing).
 */
export function decideTable(resource: unknown, observed: TableObserved, now: Date): TableDecision {
  const checked = validateTable(resource);
  if (!checked.ok) return decideInvalid(resource, 'DuckLakeTable', checked.issues, now) as TableDecision;
  const table = checked.value;
  if (isDeleting(table)) return decideTableDeletion(table, observed, now);
  const decision = decideLiveTable(table, observed, now);
  const catalog = observed.catalog !== undefined && observed.catalog !== 'invalid' ? observed.catalog : undefined;
  const data = catalog !== undefined ? tableObjects(catalog, table) : undefined;
  const dataUrl = data !== undefined ? `s3://${data.bucket}/${data.prefix}` : undefined;
  const kept = keepObjectMissing(table.status, decision.status, observed.checks ?? [], dataUrl, now, table.metadata.generation);
  if (kept.cleared === undefined) return { actions: decision.actions, status: kept.status };
  const message = `Consistency check ${kept.cleared.job} found every object of table ${tableLabel(table)}; the ObjectMissing alarm is cleared.`;
  return { actions: [...decision.actions, eventAction(ownerOf(table), 'Normal', 'ObjectsPresent', message, kept.cleared.job, now)], status: kept.status };
}

function decideLiveTable(table: DuckLakeTable, observed: TableObserved, now: Date): TableDecision {
  const generation = table.metadata.generation;
  const owner = ownerOf(table);
  const previous = table.status ?? {};
  const actions: Action[] = table.metadata.finalizers.includes(FINALIZER) ? [] : [{ type: 'addFinalizer' }];
  // Events that tell of a Ready change go out only when Ready changes: a replay is silent.
  const finish = (status: DuckLakeTableStatus, effects: Action[] = [], readyEvents: Action[] = []): TableDecision => ({
    actions: [...actions, ...effects, ...(transitioned(previous.conditions, status.conditions ?? []) ? readyEvents : [])],
    status,
  });

  const usable = catalogState(observed.catalog, table.spec.catalogRef, observed.config);
  if (!usable.ok) {
    return finish(withConditions(previous, [ready(false, usable.reason, usable.message), reconciling(true, usable.reason, usable.message), degraded(false)], 'Pending', now, generation));
  }
  const catalog = usable.catalog;
  const status = withFigures(previous, observed.jobs.filter((job) => FIGURE_OPS.has(job.op)), now);
  const applyName = resourceJobName(table, 'apply-table');
  const apply = observed.jobs.find((job) => job.name === applyName);

  if (apply === undefined && isDoneAt(previous.conditions, generation, ['JobFailed', 'DataLoss'])) {
    if (findCondition(previous.conditions, 'Ready')?.status !== 'True') return finish(status);
    const decided = decideIngest(table, catalog, observed, status, now);
    return { actions: [...actions, ...decided.actions], status: decided.status };
  }
  if (apply === undefined || isActive(apply)) {
    const create = apply === undefined ? [createJobAction(table, catalog, buildApplyTablePlan(catalog, table), 'apply-table', applyName, observed.config, false)] : [];
    const message = `Applying generation ${generation} of table ${tableLabel(table)} with Job ${applyName}.`;
    return finish(withConditions(status, [ready(false, 'JobRunning', message), reconciling(true, 'JobRunning', message), degraded(false)], 'Running', now, generation), create);
  }
  if (apply.state === 'Failed') {
    const dataLoss = apply.result?.error?.code === 'FM_ERR_DATA_LOSS_REFUSED';
    const reason = dataLoss ? 'DataLoss' : 'JobFailed';
    const message = apply.message ?? `Job ${apply.name} failed.`;
    const next = withConditions(status, [ready(false, reason, message), reconciling(false), degraded(dataLoss, 'DataLoss', message)], 'Failed', now, generation);
    return finish(next, [], [eventAction(owner, 'Warning', reason, message, apply.name, now)]);
  }
  // Landing files that arrived before the table existed had no table to go to: the first
  // time a generation is seen applied, one ingest catches them up.
  const catchUp = table.spec.ingest !== undefined && !isDoneAt(previous.conditions, generation, []);
  const decided = decideIngest(table, catalog, catchUp ? { ...observed, ingestRequested: true } : observed, status, now);
  const applied = eventAction(owner, 'Normal', 'Applied', findCondition(decided.status.conditions, 'Ready')?.message ?? 'Applied.', apply.name, now);
  return finish(decided.status, decided.actions, [applied]);
}
