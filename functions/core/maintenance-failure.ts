/**
 * Failed periodic maintenance, for the Degraded condition (pure). The sweep starts TTL
 * expiry and compaction per table, and snapshot expiry, the consistency check and file
 * cleanup per catalog; when the latest run of one of them failed, the resource says so
 * until a later run of that operation succeeds (or the failed Job is gone).
 */
import { latestJob, type ObservedJob } from './job-state.ts';
import type { JobOp } from './names.ts';

/** MAINTENANCE_NAMES are how the messages name the periodic operations. */
const MAINTENANCE_NAMES: Partial<Record<JobOp, string>> = {
  'expire-rows': 'TTL expiry',
  compact: 'Compaction',
  'expire-snapshots': 'Snapshot expiry',
  check: 'The consistency check',
  'cleanup-files': 'File cleanup',
};

/** TABLE_MAINTENANCE and CATALOG_MAINTENANCE are the periodic operations of each resource kind. */
export const TABLE_MAINTENANCE: readonly JobOp[] = ['expire-rows', 'compact'];
export const CATALOG_MAINTENANCE: readonly JobOp[] = ['expire-snapshots', 'check', 'cleanup-files'];

/** MaintenanceFailure is the newest failed latest run among the operations, and its sentence. */
export interface MaintenanceFailure {
  job: ObservedJob;
  message: string;
}

/**
 * failedMaintenance looks at the latest finished Job of each operation and returns the
 * newest of those that failed, or undefined when none did (pure).
 */
export function failedMaintenance(jobs: readonly ObservedJob[], ops: readonly JobOp[]): MaintenanceFailure | undefined {
  const failed = ops.flatMap((op) => {
    const last = latestJob(jobs.filter((job) => job.op === op));
    return last?.state === 'Failed' ? [{ op, job: last }] : [];
  });
  const newest = failed.sort((a, b) => (a.job.completionTime ?? '').localeCompare(b.job.completionTime ?? '')).at(-1);
  if (!newest) return undefined;
  const what = MAINTENANCE_NAMES[newest.op] ?? newest.op;
  return { job: newest.job, message: `${what} (Job ${newest.job.name}) failed: ${newest.job.message ?? 'no message from the runner'}` };
}
