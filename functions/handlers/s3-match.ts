/**
 * matchS3Records maps S3 records to the tables they concern (pure): a created object
 * under a table's ingest prefix in the table's bucket asks for an ingest; a removed
 * object under a table's data path (outside its ingest prefix, where removals are
 * normal) is possibly a file the catalog still references; a created object there, while
 * the table is Degraded=ObjectMissing, is possibly the missing one coming back.
 */
import type { S3Record } from '../events/s3-notification.ts';
import { tableObjects } from '../core/decide-table-deletion.ts';
import { isObjectMissing, MAX_MISSING_URLS } from '../core/object-missing.ts';
import type { DuckLakeCatalog, DuckLakeTable } from '../core/resources.ts';

/** TableWithCatalog is a validated table and its validated catalog (when it exists). */
export interface TableWithCatalog {
  table: DuckLakeTable;
  catalog: DuckLakeCatalog | undefined;
}

/** RecordMatch is what the records of one notification ask of one table. */
export interface RecordMatch {
  target: TableWithCatalog;
  ingest: S3Record[];
  removed: S3Record[];
  /** restored are objects created under the data path of a table with an ObjectMissing alarm. */
  restored: S3Record[];
}

function landingOf({ table, catalog }: TableWithCatalog): { bucket: string; prefix: string } | undefined {
  const prefix = table.spec.ingest?.prefix;
  const bucket = table.spec.objectStore?.bucket ?? catalog?.spec.objectStore.bucket;
  return prefix === undefined || bucket === undefined ? undefined : { bucket, prefix };
}

/**
 * mayRestore says whether a created object may be one an ObjectMissing table misses (pure):
 * one its status lists, or any while the list is missing or full (removals beyond it are
 * not named). Other new objects, such as an ingest's data files, start no check.
 */
function mayRestore(status: TableWithCatalog['table']['status'], record: S3Record): boolean {
  if (!isObjectMissing(status?.conditions)) return false;
  const listed = status?.missingObjects?.urls;
  if (listed === undefined || listed.length >= MAX_MISSING_URLS) return true;
  return listed.includes(`s3://${record.bucket}/${record.key}`);
}

/** matchS3Records groups records by the table they concern; records no table claims are left out (pure). */
export function matchS3Records(records: readonly S3Record[], tables: readonly TableWithCatalog[]): RecordMatch[] {
  const matches = new Map<string, RecordMatch>();
  const entry = (target: TableWithCatalog) => {
    const id = target.table.metadata.uid;
    const found = matches.get(id) ?? { target, ingest: [], removed: [], restored: [] };
    matches.set(id, found);
    return found;
  };
  for (const record of records) {
    for (const target of tables) {
      const landing = landingOf(target);
      const inLanding = landing !== undefined && landing.bucket === record.bucket && record.key.startsWith(landing.prefix);
      if (record.action === 'created' && inLanding) entry(target).ingest.push(record);
      const watched = record.action === 'removed' || (record.action === 'created' && mayRestore(target.table.status, record));
      if (!watched || inLanding || target.catalog === undefined) continue;
      const data = tableObjects(target.catalog, target.table);
      if (data.bucket !== record.bucket || !record.key.startsWith(data.prefix)) continue;
      if (record.action === 'removed') entry(target).removed.push(record);
      else entry(target).restored.push(record);
    }
  }
  return [...matches.values()];
}
