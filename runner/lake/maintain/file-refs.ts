/**
 * What the catalog references in the bucket: every data and delete file row (whatever its
 * snapshot range: a row exists only while some snapshot can see it, since snapshot expiry
 * removes the others), every file scheduled for deletion, and the directory of every table
 * ever created (the prefixes under which orphans are looked for). Paths are resolved as in
 * ducklake-format.md §6: data_path + schema path + table path + file path.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { joinPath } from '../catalog/index.ts';
import { asNumber, asNumberOrNull, asString, asStringOrNull, queryRows } from '../duckdb.ts';

/** FileRef is one referenced object: a data or delete file row, resolved to a full URL. */
export interface FileRef {
  kind: 'data' | 'delete';
  fileId: number;
  tableId: number;
  url: string;
  sizeBytes: number;
  beginSnapshot: number;
  endSnapshot: number | null;
}

/** ScheduledRef is one ducklake_files_scheduled_for_deletion row, resolved to a full URL. */
export interface ScheduledRef {
  fileId: number;
  /** The path exactly as stored (the row's identity for deletion). */
  path: string;
  url: string;
  scheduleStart: Date;
}

/** CatalogRefs is everything the catalog points at in object storage. */
export interface CatalogRefs {
  dataPath: string;
  files: FileRef[];
  scheduled: ScheduledRef[];
  /** Full directory of every table ever created (live or dropped), ending in `/`. */
  tableDirs: Map<number, string>;
}

function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

/** readTableDirs resolves each table's directory from its latest row and that schema's latest row (reads only). */
export async function readTableDirs(connection: DuckDBConnection, dataPath: string): Promise<Map<number, string>> {
  const rows = await queryRows(connection, `
    SELECT t.table_id, t.path, t.path_is_relative, s.path AS schema_path, s.path_is_relative AS schema_rel
    FROM (SELECT * FROM ducklake_table QUALIFY row_number() OVER (PARTITION BY table_id ORDER BY begin_snapshot DESC) = 1) t
    JOIN (SELECT * FROM ducklake_schema QUALIFY row_number() OVER (PARTITION BY schema_id ORDER BY begin_snapshot DESC) = 1) s USING (schema_id)`);
  const dirs = new Map<number, string>();
  for (const row of rows) {
    const schemaDir = withSlash(joinPath(dataPath, asStringOrNull(row.schema_path, 'schema path'), row.schema_rel !== false));
    dirs.set(asNumber(row.table_id, 'table_id'), withSlash(joinPath(schemaDir, asStringOrNull(row.path, 'table path'), row.path_is_relative !== false)));
  }
  return dirs;
}

/** scheduledUrl resolves a scheduled-for-deletion path: relative to data_path (pure; format §6). */
export function scheduledUrl(dataPath: string, path: string, isRelative: boolean | null): string {
  return joinPath(dataPath, path, isRelative !== false);
}

/** relativeToDataPath stores a full URL relative to data_path when it lies under it (pure; format §6 rule). */
export function relativeToDataPath(dataPath: string, url: string): { path: string; isRelative: boolean } {
  return url.startsWith(dataPath) ? { path: url.slice(dataPath.length), isRelative: true } : { path: url, isRelative: false };
}

/** readCatalogRefs reads every referenced object of the catalog (reads only; three queries plus the directories). */
export async function readCatalogRefs(connection: DuckDBConnection, dataPath: string): Promise<CatalogRefs> {
  const tableDirs = await readTableDirs(connection, dataPath);
  const files: FileRef[] = [];
  const rows = await queryRows(connection, `
    SELECT 'data' AS kind, data_file_id AS file_id, table_id, path, path_is_relative, file_size_bytes, begin_snapshot, end_snapshot FROM ducklake_data_file
    UNION ALL
    SELECT 'delete', delete_file_id, table_id, path, path_is_relative, file_size_bytes, begin_snapshot, end_snapshot FROM ducklake_delete_file`);
  for (const row of rows) {
    const tableId = asNumber(row.table_id, 'table_id');
    const dir = tableDirs.get(tableId) ?? dataPath;
    files.push({
      kind: row.kind === 'data' ? 'data' : 'delete',
      fileId: asNumber(row.file_id, 'file id'),
      tableId,
      url: joinPath(dir, asString(row.path, 'file path'), row.path_is_relative !== false),
      sizeBytes: asNumber(row.file_size_bytes, 'file_size_bytes'),
      beginSnapshot: asNumber(row.begin_snapshot, 'begin_snapshot'),
      endSnapshot: asNumberOrNull(row.end_snapshot, 'end_snapshot'),
    });
  }
  const scheduledRows = await queryRows(connection, 'SELECT data_file_id, path, path_is_relative, schedule_start FROM ducklake_files_scheduled_for_deletion');
  const scheduled = scheduledRows.map((row) => {
    const path = asString(row.path, 'scheduled path');
    const start = row.schedule_start;
    return {
      fileId: asNumber(row.data_file_id, 'data_file_id'),
      path,
      url: scheduledUrl(dataPath, path, row.path_is_relative as boolean | null),
      scheduleStart: start instanceof Date ? start : new Date(String(start)),
    };
  });
  return { dataPath, files, scheduled, tableDirs };
}

/** S3Location is a bucket and key. */
export interface S3Location {
  bucket: string;
  key: string;
}

/** parseS3Url splits `s3://bucket/key` (pure); undefined for anything else (local paths). */
export function parseS3Url(url: string): S3Location | undefined {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
  return match?.[1] !== undefined && match[2] !== undefined ? { bucket: match[1], key: match[2] } : undefined;
}

/**
 * listingPrefixes reduces table directories to the fewest S3 prefixes that cover them
 * (pure): a directory inside another is dropped, so no object is listed twice.
 */
export function listingPrefixes(dirs: Iterable<string>): S3Location[] {
  const locations = [...new Set(dirs)].map(parseS3Url).filter((each): each is S3Location => each !== undefined);
  locations.sort((a, b) => a.bucket.localeCompare(b.bucket) || a.key.length - b.key.length);
  const kept: S3Location[] = [];
  for (const location of locations) {
    if (!kept.some((other) => other.bucket === location.bucket && location.key.startsWith(other.key))) kept.push(location);
  }
  return kept;
}

/** LAKE_FILE_NAME matches the names Featherman and the extension give data and delete files (`ducklake-<uuid>[-delete].parquet`). */
export const LAKE_FILE_NAME = /(^|\/)ducklake-[0-9a-f-]{36}(-delete)?\.parquet$/;
