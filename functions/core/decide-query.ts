/**
 * decideQuery: a DuckLakeQuery is one-shot, like a batch Job: one read-only query Job,
 * then a terminal phase (Succeeded or Failed) that nothing changes again. Pure.
 */
import type { DuckLakeQueryStatus } from '../../api/ducklake-query.ts';
import type { Action, ControlConfig, Decision } from './actions.ts';
import { degraded, ready, reconciling, rfc3339 } from './conditions.ts';
import { catalogState, createJobAction, decideInvalid, eventAction, resourceJobName, transitioned, withConditions } from './decide-common.ts';
import { isActive, type ObservedJob } from './job-state.ts';
import { FINALIZER } from './names.ts';
import { buildQueryPlan } from './plan-build.ts';
import { isDeleting, ownerOf, type DuckLakeCatalog } from './resources.ts';
import { validateQuery } from './validate-query.ts';

/** QueryObserved is what the handler read before deciding about a query. */
export interface QueryObserved {
  /** catalog is the referenced DuckLakeCatalog (validated), 'invalid', or undefined when missing. */
  catalog?: DuckLakeCatalog | 'invalid' | undefined;
  /** jobs are the Featherman Jobs labelled with this query's uid, observed with observeJob. */
  jobs: readonly ObservedJob[];
  config: ControlConfig;
}

/** QueryDecision is decideQuery's answer. */
export type QueryDecision = Decision<DuckLakeQueryStatus>;

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/**
 * decideQuery decides about one DuckLakeQuery (pure). Invalid spec → Failed/InvalidSpec.
 * A finished query stays as it is. Otherwise wait for the catalog to be Ready, create the
 * query Job (catalog volume read-only), and copy its outcome into status: rows, bytes,
 * output location, preview, snapshot, start and completion time; or the runner's error.
 */
export function decideQuery(resource: unknown, observed: QueryObserved, now: Date): QueryDecision {
  const checked = validateQuery(resource);
  if (!checked.ok) return decideInvalid(resource, 'DuckLakeQuery', checked.issues, now) as QueryDecision;
  const query = checked.value;
  const previous = query.status ?? {};
  const generation = query.metadata.generation;
  const owner = ownerOf(query);
  if (isDeleting(query)) return { actions: query.metadata.finalizers.includes(FINALIZER) ? [{ type: 'removeFinalizer' }] : [], status: previous };
  if ((previous.phase === 'Succeeded' || previous.phase === 'Failed') && previous.observedGeneration === generation) return { actions: [], status: previous };

  const finish = (status: DuckLakeQueryStatus, effects: Action[] = [], readyEvent?: Action): QueryDecision => ({
    actions: [...effects, ...(readyEvent && transitioned(previous.conditions, status.conditions ?? []) ? [readyEvent] : [])],
    status,
  });
  const usable = catalogState(observed.catalog, query.spec.catalogRef, observed.config);
  if (!usable.ok) {
    return finish(withConditions(previous, [ready(false, usable.reason, usable.message), reconciling(true, usable.reason, usable.message), degraded(false)], 'Pending', now, generation));
  }
  const name = resourceJobName(query, 'query');
  const job = observed.jobs.find((candidate) => candidate.name === name);
  const startTime = job?.startTime ?? previous.startTime ?? rfc3339(now);
  if (job === undefined || isActive(job)) {
    const create = job === undefined ? [createJobAction(query, usable.catalog, buildQueryPlan(usable.catalog, query), 'query', name, observed.config, true)] : [];
    const message = `Running the query with Job ${name}.`;
    return finish(withConditions({ ...previous, startTime }, [ready(false, 'JobRunning', message), reconciling(true, 'JobRunning', message), degraded(false)], 'Running', now, generation), create);
  }
  const completionTime = job.completionTime ?? rfc3339(now);
  if (job.state === 'Failed') {
    const message = job.message ?? `Job ${name} failed.`;
    const status = withConditions({ ...previous, startTime, completionTime }, [ready(false, 'JobFailed', message), reconciling(false), degraded(false)], 'Failed', now, generation);
    return finish(status, [], eventAction(owner, 'Warning', 'JobFailed', message, name, now));
  }
  const result = job.result;
  const figures = result?.query;
  const status: DuckLakeQueryStatus = {
    ...previous,
    startTime,
    completionTime,
    ...(figures ? { rows: figures.rows, bytes: figures.bytes, preview: figures.preview } : {}),
    ...(figures?.outputLocation !== undefined ? { outputLocation: figures.outputLocation } : {}),
    ...(result?.snapshotId !== undefined ? { snapshotId: result.snapshotId } : {}),
  };
  const message = figures
    ? `The query read snapshot ${result?.snapshotId ?? '?'} and returned ${formatCount(figures.rows)} row${figures.rows === 1 ? '' : 's'}${figures.outputLocation ? ` to ${figures.outputLocation}` : ''}.`
    : 'The query finished.';
  const next = withConditions(status, [ready(true, 'Succeeded', message), reconciling(false), degraded(false)], 'Succeeded', now, generation);
  return finish(next, [], eventAction(owner, 'Normal', 'Succeeded', message, name, now));
}
