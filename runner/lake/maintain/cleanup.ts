/**
 * What cleanup-files deletes (pure decisions over the references and the scan): scheduled
 * files past the grace period, unless a data or delete file row still names the same
 * object (a path reused by a later commit must never be deleted), and orphans.
 */
import { backupTime as backupTimeOf } from './backup-keys.ts';
import { parseS3Url, type CatalogRefs, type ScheduledRef } from './file-refs.ts';

/** CleanupDecision splits the scheduled rows into due, waiting and still referenced. */
export interface CleanupDecision {
  due: ScheduledRef[];
  waiting: number;
  stillReferenced: ScheduledRef[];
  /** Due rows that are not S3 URLs (a local data path): kept and reported; this runner deletes S3 objects only. */
  notS3: ScheduledRef[];
}

/** decideScheduled picks the scheduled files whose grace period is over (pure). */
export function decideScheduled(refs: CatalogRefs, now: Date, graceMs: number): CleanupDecision {
  const referenced = new Set(refs.files.map((file) => file.url));
  const cutoff = now.getTime() - graceMs;
  const decision: CleanupDecision = { due: [], waiting: 0, stillReferenced: [], notS3: [] };
  for (const row of refs.scheduled) {
    if (row.scheduleStart.getTime() >= cutoff) decision.waiting += 1;
    else if (referenced.has(row.url)) decision.stillReferenced.push(row);
    else if (!parseS3Url(row.url)) decision.notS3.push(row);
    else decision.due.push(row);
  }
  return decision;
}

/** groupByBucket groups s3:// URLs by bucket as keys (pure); non-S3 URLs are left out. */
export function groupByBucket(urls: Iterable<string>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const url of urls) {
    const location = parseS3Url(url);
    if (!location) continue;
    const keys = groups.get(location.bucket) ?? [];
    keys.push(location.key);
    groups.set(location.bucket, keys);
  }
  return groups;
}

/**
 * RestoreGuard says that objects older than `since` must stay: the catalog was restored
 * from a backup, and `newerBackups` (taken after that backup, before the restore) may
 * reference rows the restored catalog lost track of.
 */
export interface RestoreGuard {
  since: Date;
  newerBackups: string[];
}

/**
 * restoreGuard decides whether a restore still protects older objects (pure): as long as a
 * backup of the lineage the restore left is kept, that is one taken after the backup
 * restored from and before the restore. Backup retention ends the guard.
 */
export function restoreGuard(restore: { at: Date; backupName: string } | undefined, backups: ReadonlyArray<{ name: string; time: Date }>): RestoreGuard | undefined {
  if (!restore) return undefined;
  const from = backups.find((backup) => backup.name === restore.backupName)?.time ?? backupTimeOf(restore.backupName);
  const newer = backups.filter((backup) => backup.name !== restore.backupName && (from === undefined || backup.time > from) && backup.time < restore.at);
  return newer.length === 0 ? undefined : { since: restore.at, newerBackups: newer.map((backup) => backup.name) };
}

/** keepFromBefore splits objects into those cleanup may delete and those older than `since` it keeps (pure). */
export function keepFromBefore<T extends { lastModified: Date }>(objects: readonly T[], since: Date | undefined): { deletable: T[]; kept: T[] } {
  if (since === undefined) return { deletable: [...objects], kept: [] };
  const deletable: T[] = [];
  const kept: T[] = [];
  for (const object of objects) (object.lastModified.getTime() < since.getTime() ? kept : deletable).push(object);
  return { deletable, kept };
}
