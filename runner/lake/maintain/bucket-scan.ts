/**
 * Listing what the bucket holds under the lake's table directories, one paginated listing
 * per covering prefix (never one request per file), and classifying it against the
 * catalog's references: missing objects, size mismatches, orphans and recent unreferenced
 * objects (an upload that may still be in flight).
 */
import type { ObjectInfo, ObjectStore } from '../../storage/object-store.ts';
import { LAKE_FILE_NAME, listingPrefixes, parseS3Url, type CatalogRefs, type FileRef } from './file-refs.ts';

/** ListedObject is an object found under a table directory, with its full URL. */
export interface ListedObject extends ObjectInfo {
  url: string;
}

/** BucketScan is the comparison of the catalog with the bucket. */
export interface BucketScan {
  /** Referenced files whose object does not exist. */
  missing: FileRef[];
  /** Referenced files whose object size differs from the catalog's file_size_bytes. */
  sizeMismatch: Array<FileRef & { actualSize: number }>;
  /** Unreferenced lake files older than the grace period. */
  orphans: ListedObject[];
  /** Unreferenced lake files younger than the grace period (left alone). */
  recent: ListedObject[];
  listed: number;
}

/** StoreLookup returns the store of a bucket. */
export type StoreLookup = (bucket: string) => ObjectStore;

function isBackupKey(key: string): boolean {
  return key.startsWith('_backups/') || key.includes('/_backups/');
}

/**
 * scanBucket lists the table directories and compares them with the references (reads
 * only: listings, plus one HEAD per referenced file that lies outside every directory).
 * Only objects named like lake files (`ducklake-<uuid>[-delete].parquet`) can be orphans;
 * backups and anything else under the prefixes are never candidates.
 */
export async function scanBucket(refs: CatalogRefs, storeFor: StoreLookup, now: Date, graceMs: number): Promise<BucketScan> {
  const prefixes = listingPrefixes(refs.tableDirs.values());
  const listed = new Map<string, ListedObject>();
  for (const prefix of prefixes) {
    for await (const info of storeFor(prefix.bucket).list(prefix.key)) {
      const url = `s3://${prefix.bucket}/${info.key}`;
      listed.set(url, { ...info, url });
    }
  }
  const referenced = new Set<string>([...refs.files.map((file) => file.url), ...refs.scheduled.map((file) => file.url)]);
  const missing: FileRef[] = [];
  const sizeMismatch: BucketScan['sizeMismatch'] = [];
  for (const file of refs.files) {
    let info: ObjectInfo | undefined = listed.get(file.url);
    const location = parseS3Url(file.url);
    const covered = location !== undefined && prefixes.some((prefix) => prefix.bucket === location.bucket && location.key.startsWith(prefix.key));
    if (!info && location && !covered) info = await storeFor(location.bucket).head(location.key);
    if (!info) missing.push(file);
    else if (info.size !== file.sizeBytes) sizeMismatch.push({ ...file, actualSize: info.size });
  }
  const orphans: ListedObject[] = [];
  const recent: ListedObject[] = [];
  const cutoff = now.getTime() - graceMs;
  for (const object of listed.values()) {
    if (referenced.has(object.url) || isBackupKey(object.key) || !LAKE_FILE_NAME.test(object.key)) continue;
    (object.lastModified.getTime() < cutoff ? orphans : recent).push(object);
  }
  orphans.sort((a, b) => a.url.localeCompare(b.url));
  return { missing, sizeMismatch, orphans, recent, listed: listed.size };
}
