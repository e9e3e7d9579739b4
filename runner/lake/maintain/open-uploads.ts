/**
 * Multipart uploads that a runner started and never finished: it was killed, or its node
 * died, between the first part and the completion. S3 keeps (and bills) their parts until
 * they are aborted, and nothing can read them. An open upload is abandoned when it is older
 * than the grace period and its key is one Featherman writes: a lake file under a table
 * directory, or a backup of this catalog. Younger ones may still be in flight; uploads of
 * any other key belong to someone else. Both are left alone.
 */
import type { Logger } from 'pino';
import type { OpenUpload } from '../../storage/object-store.ts';
import { backupPrefix, toBackupObject } from './backup-keys.ts';
import type { StoreLookup } from './bucket-scan.ts';
import { LAKE_FILE_NAME, listingPrefixes, type CatalogRefs } from './file-refs.ts';
import { mapLimit } from './map-limit.ts';

/** UploadScope is one prefix to list and the rule for which keys under it are ours. */
export interface UploadScope {
  bucket: string;
  prefix: string;
  ours: (key: string) => boolean;
}

/** AbandonedUpload is an open upload of one of our keys, older than the grace period. */
export interface AbandonedUpload extends OpenUpload {
  bucket: string;
  url: string;
}

/** UploadScan is what the listing of open uploads found. */
export interface UploadScan {
  abandoned: AbandonedUpload[];
  /** Open uploads of our keys younger than the grace period. */
  inFlight: number;
  /** One sentence per prefix whose uploads could not be listed (a store without the call, or no permission). */
  unlisted: string[];
}

/**
 * uploadScopes are the table directories (lake file names) and the catalog's backup prefix
 * (backup names) (pure). No key fits both rules, so a prefix listed twice counts nothing twice.
 */
export function uploadScopes(refs: CatalogRefs, backups: { bucket: string; prefix: string }): UploadScope[] {
  const tables = listingPrefixes(refs.tableDirs.values()).map((location) => ({
    bucket: location.bucket, prefix: location.key, ours: (key: string) => LAKE_FILE_NAME.test(key),
  }));
  return [...tables, { ...backups, ours: (key: string) => toBackupObject(backups.prefix, key, 0) !== undefined }];
}

/**
 * scanOpenUploads lists the open multipart uploads under each scope and splits ours into
 * abandoned and in flight (reads only). A prefix that cannot be listed is reported, not
 * thrown: the rest of a check or cleanup does not depend on it.
 */
export async function scanOpenUploads(scopes: readonly UploadScope[], storeFor: StoreLookup, now: Date, graceMs: number): Promise<UploadScan> {
  const cutoff = now.getTime() - graceMs;
  const scan: UploadScan = { abandoned: [], inFlight: 0, unlisted: [] };
  for (const scope of scopes) {
    try {
      for await (const upload of storeFor(scope.bucket).listUploads(scope.prefix)) {
        if (!scope.ours(upload.key)) continue;
        if (upload.initiated.getTime() < cutoff) scan.abandoned.push({ ...upload, bucket: scope.bucket, url: `s3://${scope.bucket}/${upload.key}` });
        else scan.inFlight += 1;
      }
    } catch (error) {
      scan.unlisted.push(error instanceof Error ? error.message : String(error));
    }
  }
  scan.abandoned.sort((a, b) => a.url.localeCompare(b.url) || a.uploadId.localeCompare(b.uploadId));
  return scan;
}

/** NO_UPLOAD_SCAN is the scan of nothing (an op told to leave uploads alone). */
export const NO_UPLOAD_SCAN: UploadScan = { abandoned: [], inFlight: 0, unlisted: [] };

/** PlanLocation is the catalog name and object store that every maintenance plan carries. */
export interface PlanLocation {
  catalog: { name: string };
  objectStore: { bucket: string; prefix: string };
}

/**
 * scanCatalogUploads scans the catalog's table directories and its backup prefix (reads
 * only) and logs a warning naming the first prefix it could not list.
 */
export async function scanCatalogUploads(refs: CatalogRefs, plan: PlanLocation, storeFor: StoreLookup, now: Date, graceMs: number, log: Logger): Promise<UploadScan> {
  const backups = { bucket: plan.objectStore.bucket, prefix: backupPrefix(plan.objectStore.prefix, plan.catalog.name) };
  const scan = await scanOpenUploads(uploadScopes(refs, backups), storeFor, now, graceMs);
  if (scan.unlisted.length > 0) log.warn({ unlisted: scan.unlisted }, `open multipart uploads could not be listed: ${scan.unlisted[0]}`);
  return scan;
}

/** ABORT_CONCURRENCY is how many aborts are in flight at once. */
const ABORT_CONCURRENCY = 8;

/**
 * abortUploads aborts each upload, a few at a time, and returns how many it aborted (side
 * effect: their parts are dropped). An abort that fails is logged and left for the next
 * run: it must not hold up the rest of a cleanup.
 */
export async function abortUploads(uploads: readonly AbandonedUpload[], storeFor: StoreLookup, log: Logger): Promise<number> {
  const failures: string[] = [];
  await mapLimit(uploads, ABORT_CONCURRENCY, async (upload) => {
    try {
      await storeFor(upload.bucket).abortUpload(upload.key, upload.uploadId);
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  });
  if (failures.length > 0) log.warn({ failures: failures.slice(0, 20) }, `${failures.length} abandoned multipart uploads could not be aborted: ${failures[0]}`);
  return uploads.length - failures.length;
}
