/**
 * What cleanup-files deletes (pure decisions over the references and the scan): scheduled
 * files past the grace period, unless a data or delete file row still names the same
 * object (a path reused by a later commit must never be deleted), and orphans.
 */
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
 * keepFromBeforeRestore splits orphans into those cleanup may delete and those it keeps
 * because they are older than the catalog's restore (pure): objects the restored catalog
 * does not reference but a newer backup or the replaced catalog may (restore-marker.ts).
 */
export function keepFromBeforeRestore<T extends { lastModified: Date }>(orphans: readonly T[], restoredAt: Date | undefined): { deletable: T[]; kept: T[] } {
  if (restoredAt === undefined) return { deletable: [...orphans], kept: [] };
  const deletable: T[] = [];
  const kept: T[] = [];
  for (const orphan of orphans) (orphan.lastModified.getTime() < restoredAt.getTime() ? kept : deletable).push(orphan);
  return { deletable, kept };
}
