/**
 * decideRestoredCheck: an object was created under the data path of a table whose status
 * holds a Degraded=ObjectMissing alarm (object-missing.ts), so the missing object may be
 * back. Only a consistency check that started after the alarm clears it, and the periodic
 * one is up to a day away, so the catalog gets a `check` Job now; its finish reconciles the
 * alarmed tables (job-finished), which clear the alarm only if the check found all their
 * objects (two removed and one back: the check lists the other and the alarm stays). Pure.
 */
import type { Action, ControlConfig } from './actions.ts';
import { catalogState, createJobAction, resourceJobName } from './decide-common.ts';
import type { ObservedJob } from './job-state.ts';
import { minuteBucket } from './names.ts';
import { buildCheckPlan } from './plan-build.ts';
import type { DuckLakeCatalog } from './resources.ts';

/** MAX_RESTORED_CHECKS bounds the restore-triggered check Jobs of one catalog per minute; past them the periodic check takes over. */
export const MAX_RESTORED_CHECKS = 3;

/** restoredCheckNames are the deterministic names of a minute's restore-triggered check Jobs, in the order they are used (pure). */
export function restoredCheckNames(catalog: DuckLakeCatalog, now: Date): string[] {
  const bucket = `restored${minuteBucket(now)}`;
  return Array.from({ length: MAX_RESTORED_CHECKS }, (_, index) => resourceJobName(catalog, 'check', index === 0 ? bucket : `${bucket}n${index}`));
}

/**
 * decideRestoredCheck returns the createJob action of a `check` Job for the catalog, or
 * nothing (pure): nothing when the catalog cannot run Jobs (not Ready, being deleted, an
 * invalid pod template: its status already says why) or when a check that has not started
 * yet exists (it will see the object). Otherwise the first unused name of this minute's
 * chain: a replayed notification finds its Job (AlreadyExists), and an object back after
 * that Job started (it may have listed the bucket already) gets the next one.
 * `checks` are the catalog's observed `check` Jobs.
 */
export function decideRestoredCheck(catalog: DuckLakeCatalog, checks: readonly ObservedJob[], config: ControlConfig, now: Date): Action[] {
  if (!catalogState(catalog, catalog.metadata.name, config).ok) return [];
  if (checks.some((job) => job.op === 'check' && job.state === 'Pending')) return [];
  const name = restoredCheckNames(catalog, now).find((candidate) => !checks.some((job) => job.name === candidate));
  if (name === undefined) return [];
  return [createJobAction(catalog, catalog, buildCheckPlan(catalog), 'check', name, config, true)];
}
