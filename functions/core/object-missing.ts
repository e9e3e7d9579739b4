/**
 * Degraded=ObjectMissing on a table is an alarm of data loss: the s3-object function sets
 * it when an object under the table's data path is removed and HEAD confirms it gone. No
 * reconcile of the table may reset it; only a consistency check of the catalog (the `check`
 * operation, api/plan.ts) that started after the last removal was reported and found the
 * table's objects all present clears it. The removals are listed in status.missingObjects
 * with the time of the last report: a check already running when a second object was
 * removed may have passed it, so it must not clear the alarm. Pure.
 */
import type { Condition } from '../../api/condition.ts';
import type { DuckLakeTableStatus } from '../../api/ducklake-table.ts';
import { degraded, findCondition, rfc3339, setCondition } from './conditions.ts';
import type { ObservedJob } from './job-state.ts';

/** CheckFinding is what one finished consistency check reported. */
export interface CheckFinding {
  job: string;
  /** startedAt is when the check started (ms since the epoch); only a check started after the alarm can clear it. */
  startedAt: number;
  healthy: boolean;
  /** missing are the s3:// URLs of referenced objects it did not find (capped by the runner). */
  missing: readonly string[];
  /** complete is true when `missing` lists every missing object (the count was not capped). */
  complete: boolean;
}

/** checkFinding reads a succeeded `check` Job's result details, or undefined for any other Job (pure). */
export function checkFinding(job: ObservedJob): CheckFinding | undefined {
  const details = job.result?.details;
  const time = Date.parse(job.startTime ?? job.completionTime ?? '');
  if (job.op !== 'check' || job.state !== 'Succeeded' || details === undefined || Number.isNaN(time) || typeof details.healthy !== 'boolean') return undefined;
  const missing = Array.isArray(details.missing) ? details.missing.filter((url): url is string => typeof url === 'string') : [];
  const count = typeof details.missingCount === 'number' ? details.missingCount : Number.POSITIVE_INFINITY;
  return { job: job.name, startedAt: time, healthy: details.healthy, missing, complete: count <= missing.length };
}

/** isObjectMissing reports whether the conditions hold Degraded=True reason ObjectMissing (pure). */
export function isObjectMissing(conditions: readonly Condition[] | undefined): boolean {
  const condition = findCondition(conditions, 'Degraded');
  return condition?.status === 'True' && condition.reason === 'ObjectMissing';
}

/** MissingObjects is status.missingObjects: the reported removals and when the last came. */
export type MissingObjects = NonNullable<DuckLakeTableStatus['missingObjects']>;

/** MAX_MISSING_URLS is how many reported URLs status.missingObjects keeps (the newest). */
export const MAX_MISSING_URLS = 20;

/**
 * recordMissing adds removals confirmed gone to a table's status (pure): Degraded=True
 * ObjectMissing (its lastTransitionTime stays that of the first removal while it holds),
 * and status.missingObjects with the URLs, newest last, and `now` as the last report.
 * A status without the alarm starts a new list. `label` is the table's `schema.name`.
 */
export function recordMissing<S extends { conditions?: Condition[] | undefined; missingObjects?: MissingObjects | undefined }>(
  status: S, urls: readonly string[], label: string, now: Date, generation: number,
): S & { conditions: Condition[]; missingObjects: MissingObjects } {
  const before = isObjectMissing(status.conditions) ? (status.missingObjects?.urls ?? []) : [];
  const all = [...before.filter((url) => !urls.includes(url)), ...urls].slice(-MAX_MISSING_URLS);
  return { ...status, conditions: setCondition(status.conditions, degraded(true, 'ObjectMissing', missingMessage(all, label)), now, generation), missingObjects: { lastReported: rfc3339(now), urls: all } };
}

/** missingMessage is the one sentence that reports removed objects of table `label` (pure). */
export function missingMessage(urls: readonly string[], label: string): string {
  const many = urls.length > 1;
  return `Object ${urls[0] ?? 'an object'}${many ? ` and ${urls.length - 1} more` : ''} under the data path of table ${label} ${many ? 'were' : 'was'} removed from the bucket; run a check or restore ${many ? 'them' : 'it'}.`;
}

/**
 * clearingCheck returns the check that clears the alarm (pure): the newest check started
 * after the alarm was raised and after the last removal was reported (`lastReported`), when
 * it found the catalog healthy or, listing every missing object, none under `dataUrl` (the
 * table's `s3://bucket/prefix/`). Undefined: keep it.
 */
export function clearingCheck(alarm: Condition, checks: readonly ObservedJob[], dataUrl: string, lastReported?: string): CheckFinding | undefined {
  const reported = lastReported === undefined ? Number.NaN : Date.parse(lastReported);
  const raised = Math.max(Date.parse(alarm.lastTransitionTime), Number.isNaN(reported) ? Number.NEGATIVE_INFINITY : reported);
  const after = checks.flatMap((job) => checkFinding(job) ?? []).filter((finding) => finding.startedAt > raised);
  const newest = after.sort((a, b) => a.startedAt - b.startedAt || a.job.localeCompare(b.job)).pop();
  if (newest === undefined) return undefined;
  if (newest.healthy) return newest;
  return newest.complete && !newest.missing.some((url) => url.startsWith(dataUrl)) ? newest : undefined;
}

/**
 * keepObjectMissing puts a previous ObjectMissing alarm back into a decided status unless
 * a check cleared it (pure). The alarm keeps its message, lastTransitionTime and
 * missingObjects; only its observedGeneration follows the table. Without an alarm, or once
 * cleared, missingObjects goes. `cleared` tells the caller to record the all-clear.
 */
export function keepObjectMissing<S extends { conditions?: Condition[] | undefined; missingObjects?: MissingObjects | undefined }>(
  previousStatus: { conditions?: readonly Condition[] | undefined; missingObjects?: MissingObjects | undefined } | undefined,
  decided: S,
  checks: readonly ObservedJob[],
  dataUrl: string | undefined,
  now: Date,
  generation: number,
): { status: S; cleared?: CheckFinding } {
  const previous = previousStatus?.conditions;
  const { missingObjects, ...status } = decided;
  const alarm = findCondition(previous, 'Degraded');
  if (alarm === undefined || !isObjectMissing(previous)) return { status: status as S };
  const cleared = dataUrl === undefined ? undefined : clearingCheck(alarm, checks, dataUrl, previousStatus?.missingObjects?.lastReported);
  if (cleared !== undefined) {
    // A decision that left Degraded alone (a terminal failure being kept) still gets the all-clear.
    const conditions = isObjectMissing(status.conditions) ? setCondition(status.conditions, degraded(false), now, generation) : status.conditions;
    return { status: { ...status, ...(conditions !== undefined ? { conditions } : {}) } as S, cleared };
  }
  const kept: Condition = { ...alarm, observedGeneration: generation };
  const list = status.conditions ?? [];
  const conditions = list.some((condition) => condition.type === 'Degraded') ? list.map((condition) => (condition.type === 'Degraded' ? kept : condition)) : [...list, kept];
  const listed = previousStatus?.missingObjects ?? missingObjects;
  return { status: { ...status, conditions, ...(listed !== undefined ? { missingObjects: listed } : {}) } as S };
}
