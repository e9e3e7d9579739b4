/**
 * reconcileResource runs the handler steps for one Featherman resource: read it fresh →
 * observe what exists → decide (pure core) → apply the actions → write the status once
 * (optimistic lock, no-op writes skipped) → remove the finalizer last. Every reconcile-*
 * handler, job-finished, s3-object and the sweep go through here, so they all behave the
 * same. Side effects: reads and writes through the adapters.
 */
import type { Action, Decision } from '../core/actions.ts';
import { findCondition } from '../core/conditions.ts';
import { decideCatalog } from '../core/decide-catalog.ts';
import { decideQuery } from '../core/decide-query.ts';
import { decideTable } from '../core/decide-table.ts';
import { FINALIZER } from '../core/names.ts';
import { isObjectMissing } from '../core/object-missing.ts';
import { validateCatalog } from '../core/validate-catalog.ts';
import type { Condition } from '../../api/condition.ts';
import type { FeathermanKind, RawObject, StatusWrite } from '../adapters/kube.ts';
import { Coalescer } from './coalesce.ts';
import type { HandlerDeps } from './deps.ts';
import { controlConfig, metaText, observeCatalogChecks, observeCatalogVolume, observeJobs, readCatalogFor, specText, tablesOfCatalog } from './observe.ts';

/** ReconcileOptions tune one reconcile. */
export interface ReconcileOptions {
  /** ingestRequested asks decideTable for an ingest Job (landing files arrived). */
  ingestRequested?: boolean;
  /** skipCurrent skips a resource whose status already reflects its generation (our own status write echoed back). */
  skipCurrent?: boolean;
  /** reportedSnapshot is a catalog snapshot a table's finished Job reported (the table may be gone since: a drop). */
  reportedSnapshot?: number;
}

/** ReconcileOutcome says what one reconcile did, for the HTTP answer and the log line. */
export interface ReconcileOutcome {
  kind: FeathermanKind;
  namespace: string;
  name: string;
  result: 'missing' | 'current' | 'reconciled';
  /** catalogRef is the catalog a table or query names (as read), so a caller can reconcile it next. */
  catalogRef?: string;
  actions: string[];
  status?: StatusWrite;
  jobsCreated: string[];
}

type Decide = (fresh: unknown) => Decision<unknown>;

// One coalescer per app (per deps): concurrent events for one resource share reconciles.
const coalescers = new WeakMap<HandlerDeps, Coalescer>();

/** isCurrent reports whether a resource's status and Ready condition already reflect its generation and it is not being deleted (pure). */
export function isCurrent(object: RawObject): boolean {
  const generation = object.metadata?.generation;
  const status = (object.status ?? {}) as { observedGeneration?: unknown; conditions?: Condition[] };
  if (object.metadata?.deletionTimestamp !== undefined) return false;
  return typeof generation === 'number' && status.observedGeneration === generation && findCondition(status.conditions, 'Ready')?.observedGeneration === generation;
}

async function decider(deps: HandlerDeps, kind: FeathermanKind, raw: RawObject, namespace: string, options: ReconcileOptions): Promise<Decide> {
  const now = deps.now();
  if (kind === 'DuckLakeCatalog') {
    const name = metaText(raw, 'name') ?? '';
    const checked = validateCatalog(raw);
    const [jobs, pvc, tables, config] = await Promise.all([
      observeJobs(deps, namespace, metaText(raw, 'uid') ?? ''),
      observeCatalogVolume(deps, namespace, name),
      tablesOfCatalog(deps, namespace, name),
      controlConfig(deps, checked.ok ? checked.value : 'invalid'),
    ]);
    const reported = [tables.snapshot, options.reportedSnapshot].filter((value): value is number => value !== undefined);
    const observed = { jobs, pvc, tables: tables.names, ...(reported.length > 0 ? { tableSnapshot: Math.max(...reported) } : {}), config };
    return (fresh) => decideCatalog(fresh, observed, now);
  }
  const [catalog, jobs] = await Promise.all([readCatalogFor(deps, namespace, specText(raw, 'catalogRef')), observeJobs(deps, namespace, metaText(raw, 'uid') ?? '')]);
  const config = await controlConfig(deps, catalog);
  if (kind === 'DuckLakeTable') {
    // Only a table with an ObjectMissing alarm needs the catalog's consistency checks.
    const alarmed = isObjectMissing((raw.status as { conditions?: Condition[] } | undefined)?.conditions);
    const checks = alarmed && catalog !== undefined && catalog !== 'invalid' ? await observeCatalogChecks(deps, namespace, catalog.metadata.uid) : undefined;
    const observed = { catalog, jobs, config, ...(options.ingestRequested ? { ingestRequested: true } : {}), ...(checks !== undefined ? { checks } : {}) };
    return (fresh) => decideTable(fresh, observed, now);
  }
  return (fresh) => decideQuery(fresh, { catalog, jobs, config }, now);
}

// `latest` is the object as last read or written, so writes need no extra read.
async function applyAction(deps: HandlerDeps, kind: FeathermanKind, namespace: string, name: string, action: Action, created: string[], latest: { object?: RawObject | undefined }): Promise<void> {
  switch (action.type) {
    case 'addFinalizer': {
      const updated = await deps.kube.addFinalizer(kind, namespace, name, FINALIZER, latest.object);
      latest.object = updated;
      return;
    }
    case 'removeFinalizer':
      await deps.kube.removeFinalizer(kind, namespace, name, FINALIZER);
      return;
    case 'ensurePvc':
      await deps.kube.ensurePvc(action.pvc);
      return;
    case 'createJob':
      if ((await deps.kube.createJob(action.job)) === 'created') created.push(action.job.metadata.name);
      return;
    case 'emitEvent':
      await deps.kube.createEvent(action.event);
      return;
    case 'deleteObjects': {
      if (deps.s3 === undefined) throw new Error(`cannot delete s3://${action.bucket}/${action.prefix} of ${kind} ${namespace}/${name}: the functions have no S3 adapter`);
      const count = await deps.s3.deleteObjects(action.objectStore, namespace, action.bucket, action.prefix);
      deps.log.info({ kind, namespace, name, bucket: action.bucket, prefix: action.prefix, count }, 'deleted table objects');
      return;
    }
  }
}

/**
 * reconcileResource reconciles one resource (side effects: API reads and writes, S3
 * deletes). A missing resource is nothing to do. Throws on unexpected failures (the
 * handler answers 5xx and the event is redelivered). Concurrent calls for the same
 * resource and options are coalesced: one runs, the others share one run after it.
 */
export function reconcileResource(deps: HandlerDeps, kind: FeathermanKind, namespace: string, name: string, options: ReconcileOptions = {}): Promise<ReconcileOutcome> {
  let coalescer = coalescers.get(deps);
  if (coalescer === undefined) {
    coalescer = new Coalescer();
    coalescers.set(deps, coalescer);
  }
  const key = [kind, namespace, name, options.ingestRequested === true, options.skipCurrent === true, options.reportedSnapshot ?? ''].join('|');
  return coalescer.run(key, () => reconcileOnce(deps, kind, namespace, name, options));
}

async function reconcileOnce(deps: HandlerDeps, kind: FeathermanKind, namespace: string, name: string, options: ReconcileOptions): Promise<ReconcileOutcome> {
  const base: Omit<ReconcileOutcome, 'result'> = { kind, namespace, name, actions: [], jobsCreated: [] };
  const raw = await deps.kube.readResource(kind, namespace, name);
  if (raw === undefined) return { ...base, result: 'missing' };
  const catalogRef = kind === 'DuckLakeCatalog' ? undefined : specText(raw, 'catalogRef');
  if (catalogRef !== undefined) base.catalogRef = catalogRef;
  if (options.skipCurrent && !options.ingestRequested && isCurrent(raw)) return { ...base, result: 'current' };
  const decide = await decider(deps, kind, raw, namespace, options);
  const decision = decide(raw);
  const last = decision.actions.filter((action) => action.type === 'removeFinalizer');
  const latest: { object?: RawObject | undefined } = { object: raw };
  for (const action of decision.actions.filter((item) => item.type !== 'removeFinalizer')) {
    await applyAction(deps, kind, namespace, name, action, base.jobsCreated, latest);
  }
  // A newer generation read after a conflict is left to its own event: writing a status
  // for it here would mark it current without the Jobs it needs.
  const generation = raw.metadata?.generation;
  const status = await deps.kube.applyStatus(kind, namespace, name, (fresh) => (fresh.metadata?.generation === generation ? decide(fresh).status : undefined), latest.object);
  for (const action of last) await applyAction(deps, kind, namespace, name, action, base.jobsCreated, latest);
  const actions = decision.actions.map((action) => action.type);
  deps.log.info({ kind, namespace, name, generation: raw.metadata?.generation, actions, status, jobsCreated: base.jobsCreated }, `reconciled ${kind} ${namespace}/${name}`);
  return { ...base, result: 'reconciled', actions, status };
}
