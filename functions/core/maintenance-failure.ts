/**
 * Failed periodic maintenance, for status and the Degraded condition (pure). The sweep
 * starts TTL expiry and compaction per table, and snapshot expiry, the consistency check,
 * file cleanup and backups per catalog. When the latest run of one of them failed, the resource
 * records it in `status.maintenanceFailure` and keeps it, after the Job itself is deleted,
 * until a later run of that operation succeeds.
 */
import type { MaintenanceFailure } from '../../api/condition.ts';
import { degraded, type ConditionInput } from './conditions.ts';
import { latestJob, type ObservedJob } from './job-state.ts';
import type { JobOp } from './names.ts';

/** MAINTENANCE_NAMES are how the messages name the periodic operations. */
const MAINTENANCE_NAMES: Partial<Record<JobOp, string>> = {
  'expire-rows': 'TTL expiry',
  compact: 'Compaction',
  'expire-snapshots': 'Snapshot expiry',
  check: 'The consistency check',
  'cleanup-files': 'File cleanup',
  backup: 'The backup',
};

/** TABLE_MAINTENANCE and CATALOG_MAINTENANCE are the periodic operations of each resource kind. */
export const TABLE_MAINTENANCE: readonly JobOp[] = ['expire-rows', 'compact'];
export const CATALOG_MAINTENANCE: readonly JobOp[] = ['expire-snapshots', 'check', 'cleanup-files', 'backup'];

/**
 * nextMaintenanceFailure returns the failure to record (pure): the newest failed latest run
 * among the operations' observed Jobs; else the previous failure, unless a run of its
 * operation that finished after it succeeded; else none. `now` stands in for a failed Job
 * without a completion time.
 */
export function nextMaintenanceFailure(previous: MaintenanceFailure | undefined, jobs: readonly ObservedJob[], ops: readonly JobOp[], now: Date): MaintenanceFailure | undefined {
  const failed = ops.flatMap((op) => {
    const last = latestJob(jobs.filter((job) => job.op === op));
    return last?.state === 'Failed' ? [{ op, job: last }] : [];
  });
  const newest = failed.sort((a, b) => (a.job.completionTime ?? '').localeCompare(b.job.completionTime ?? '')).at(-1);
  if (newest) {
    if (previous?.job === newest.job.name) return previous;
    return { operation: newest.op, job: newest.job.name, failedAt: newest.job.completionTime ?? now.toISOString(), message: (newest.job.message ?? 'no message from the runner').slice(0, 1024) };
  }
  if (!previous) return undefined;
  const madeGood = jobs.some((job) => job.op === previous.operation && job.state === 'Succeeded' && (job.completionTime ?? '') > previous.failedAt);
  return madeGood ? undefined : previous;
}

/** maintenanceDegraded is the Degraded condition a recorded failure gives (pure). */
export function maintenanceDegraded(failure: MaintenanceFailure): ConditionInput {
  const what = MAINTENANCE_NAMES[failure.operation as JobOp] ?? failure.operation;
  return degraded(true, 'MaintenanceFailed', `${what} (Job ${failure.job}) failed at ${failure.failedAt}: ${failure.message}`);
}

/** withMaintenanceFailure sets or clears `status.maintenanceFailure` (pure). */
export function withMaintenanceFailure<S extends { maintenanceFailure?: MaintenanceFailure | undefined }>(status: S, failure: MaintenanceFailure | undefined): S {
  const { maintenanceFailure: _previous, ...rest } = status;
  return (failure ? { ...rest, maintenanceFailure: failure } : rest) as S;
}
