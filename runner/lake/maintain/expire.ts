/**
 * Snapshot expiry in the catalog (ducklake-format.md §11 "Expire"), inside one catalog
 * transaction, writing no snapshot: delete the expired snapshot rows; delete the data and
 * delete file rows that no remaining snapshot can see (with their stats and partition
 * values) and schedule their objects for deletion; delete versioned metadata rows no
 * remaining snapshot can see; wipe the rows of tables that no snapshot can see any
 * more; and delete the extension's inlined rows no remaining snapshot can see
 * (expire-inlined.ts). A row is "seen" by a remaining snapshot s when begin_snapshot <= s < end_snapshot.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { asNumber, asString, queryRows, runSql, withTransaction } from '../duckdb.ts';
import { quoteIdentifier } from '../sql.ts';
import { joinPath } from '../catalog/index.ts';
import { inlinedDeleteTableName } from '../catalog/inlined-names.ts';
import { deleteUnseenInlinedRows } from './expire-inlined.ts';
import { readTableDirs, relativeToDataPath } from './file-refs.ts';

/** ExpireSelection is which snapshots to expire. */
export interface ExpireSelection {
  cutoff: Date;
  keep: readonly number[];
}

/** ExpireResult says what the expiry removed. */
export interface ExpireResult {
  expiredSnapshots: number[];
  scheduledFiles: number;
  scheduledBytes: number;
  droppedTables: number[];
  /** Inlined data rows (ducklake_inlined_data_*) no remaining snapshot could see, deleted. */
  inlinedRows: number;
  /** Inlined deletes (ducklake_inlined_delete_*) no remaining snapshot could see, deleted. */
  inlinedDeletes: number;
}

/** SCHEDULE_BATCH is how many scheduled-for-deletion rows one INSERT carries. */
const SCHEDULE_BATCH = 250;

const UNSEEN = `end_snapshot IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ducklake_snapshot s WHERE s.snapshot_id >= begin_snapshot AND s.snapshot_id < end_snapshot)`;

/**
 * VERSIONED_METADATA are the versioned tables whose unseen rows are deleted (format §11
 * step 5). Column, partition and sort rows stay while their table lives: a data file of a
 * remaining snapshot may carry a dropped column's field id or an older partition spec,
 * and column ids must never be reused.
 */
const VERSIONED_METADATA = ['ducklake_tag', 'ducklake_view', 'ducklake_schema'] as const;

/** TABLE_OWNED are the tables keyed by table_id whose rows go when a table is gone from every snapshot. */
const TABLE_OWNED = [
  'ducklake_table_stats', 'ducklake_table_column_stats', 'ducklake_partition_column', 'ducklake_partition_info', 'ducklake_column',
  'ducklake_column_tag', 'ducklake_sort_expression', 'ducklake_sort_info', 'ducklake_schema_versions', 'ducklake_inlined_data_tables',
  'ducklake_column_mapping', 'ducklake_table',
] as const;

// Bound as list text ('[1,2]') cast to BIGINT[]: an empty JS list cannot carry a type.
function idList(ids: readonly number[]): string {
  return `[${ids.map((id) => String(Math.trunc(id))).join(',')}]`;
}

/** selectExpired picks the snapshots to expire (pure): older than the cutoff, never the latest, never a kept one. */
export function selectExpired(snapshots: ReadonlyArray<{ snapshotId: number; snapshotTime: Date }>, selection: ExpireSelection): number[] {
  const latest = Math.max(...snapshots.map((each) => each.snapshotId));
  const keep = new Set(selection.keep);
  return snapshots
    .filter((each) => each.snapshotId !== latest && !keep.has(each.snapshotId) && each.snapshotTime.getTime() < selection.cutoff.getTime())
    .map((each) => each.snapshotId);
}

async function scheduleUnseenFiles(connection: DuckDBConnection, dataPath: string, now: Date): Promise<{ files: number; bytes: number }> {
  const dirs = await readTableDirs(connection, dataPath);
  const dataFiles = await queryRows(connection, `SELECT data_file_id AS id, table_id, path, path_is_relative, file_size_bytes FROM ducklake_data_file WHERE ${UNSEEN}`);
  const dataIds = dataFiles.map((row) => asNumber(row.id, 'data_file_id'));
  const deleteFiles = await queryRows(connection,
    `SELECT delete_file_id AS id, table_id, path, path_is_relative, file_size_bytes FROM ducklake_delete_file WHERE (${UNSEEN}) OR list_contains(?::BIGINT[], data_file_id)`,
    [idList(dataIds)]);
  const deleteIds = deleteFiles.map((row) => asNumber(row.id, 'delete_file_id'));
  let bytes = 0;
  const scheduled = [...dataFiles, ...deleteFiles].map((row) => {
    const tableDir = dirs.get(asNumber(row.table_id, 'table_id')) ?? dataPath;
    const stored = relativeToDataPath(dataPath, joinPath(tableDir, asString(row.path, 'path'), row.path_is_relative !== false));
    bytes += asNumber(row.file_size_bytes, 'file_size_bytes');
    return [asNumber(row.id, 'file id'), stored.path, stored.isRelative, now.toISOString()];
  });
  for (let start = 0; start < scheduled.length; start += SCHEDULE_BATCH) {
    const slice = scheduled.slice(start, start + SCHEDULE_BATCH);
    await runSql(connection, `INSERT INTO ducklake_files_scheduled_for_deletion VALUES ${slice.map(() => '(?, ?, ?, ?::TIMESTAMPTZ)').join(', ')}`, slice.flat());
  }
  const dataList = idList(dataIds);
  for (const table of ['ducklake_file_column_stats', 'ducklake_file_variant_stats', 'ducklake_file_partition_value', 'ducklake_data_file']) {
    await runSql(connection, `DELETE FROM ${table} WHERE list_contains(?::BIGINT[], data_file_id)`, [dataList]);
  }
  await runSql(connection, 'DELETE FROM ducklake_delete_file WHERE list_contains(?::BIGINT[], delete_file_id)', [idList(deleteIds)]);
  return { files: dataIds.length + deleteIds.length, bytes };
}

async function deleteUnseenMetadata(connection: DuckDBConnection): Promise<void> {
  // Children of unseen macros first, then the versioned rows.
  await runSql(connection, `DELETE FROM ducklake_macro_impl WHERE macro_id IN (SELECT macro_id FROM ducklake_macro WHERE ${UNSEEN})`);
  await runSql(connection, `DELETE FROM ducklake_macro_parameters WHERE macro_id IN (SELECT macro_id FROM ducklake_macro WHERE ${UNSEEN})`);
  await runSql(connection, `DELETE FROM ducklake_macro WHERE ${UNSEEN}`);
  for (const table of VERSIONED_METADATA) await runSql(connection, `DELETE FROM ${table} WHERE ${UNSEEN}`);
}

async function wipeGoneTables(connection: DuckDBConnection): Promise<number[]> {
  // A table is gone when no remaining snapshot sees any of its rows (a dropped table).
  const gone = await queryRows(connection, `
    SELECT DISTINCT table_id FROM ducklake_table
    WHERE table_id NOT IN (SELECT table_id FROM ducklake_table WHERE NOT (${UNSEEN})) ORDER BY table_id`);
  const ids = gone.map((row) => asNumber(row.table_id, 'table_id'));
  if (ids.length === 0) return ids;
  const list = idList(ids);
  const inlined = await queryRows(connection, 'SELECT table_name FROM ducklake_inlined_data_tables WHERE list_contains(?::BIGINT[], table_id)', [list]);
  for (const row of inlined) await runSql(connection, `DROP TABLE IF EXISTS ${quoteIdentifier(asString(row.table_name, 'table_name'))}`);
  // The extension's inlined deletes of the table are in a table the listing does not name.
  for (const id of ids) await runSql(connection, `DROP TABLE IF EXISTS ${quoteIdentifier(inlinedDeleteTableName(id))}`);
  await runSql(connection, 'DELETE FROM ducklake_name_mapping WHERE mapping_id IN (SELECT mapping_id FROM ducklake_column_mapping WHERE list_contains(?::BIGINT[], table_id))', [list]);
  for (const table of TABLE_OWNED) await runSql(connection, `DELETE FROM ${table} WHERE list_contains(?::BIGINT[], table_id)`, [list]);
  return ids;
}

/**
 * expireSnapshots deletes the given snapshots and everything only they could see, in one
 * transaction (side effect on the catalog; no object is touched: the files go to
 * ducklake_files_scheduled_for_deletion for cleanup-files). A failure rolls it all back.
 */
export async function expireSnapshots(connection: DuckDBConnection, dataPath: string, expired: readonly number[], now: Date): Promise<ExpireResult> {
  if (expired.length === 0) return { expiredSnapshots: [], scheduledFiles: 0, scheduledBytes: 0, droppedTables: [], inlinedRows: 0, inlinedDeletes: 0 };
  return withTransaction(connection, async () => {
    const list = idList(expired);
    await runSql(connection, 'DELETE FROM ducklake_snapshot_changes WHERE list_contains(?::BIGINT[], snapshot_id)', [list]);
    await runSql(connection, 'DELETE FROM ducklake_snapshot WHERE list_contains(?::BIGINT[], snapshot_id)', [list]);
    const scheduled = await scheduleUnseenFiles(connection, dataPath, now);
    const droppedTables = await wipeGoneTables(connection);
    // After the file rows: an inlined delete of a removed data file is seen by no snapshot.
    const inlined = await deleteUnseenInlinedRows(connection);
    await deleteUnseenMetadata(connection);
    return {
      expiredSnapshots: [...expired], scheduledFiles: scheduled.files, scheduledBytes: scheduled.bytes, droppedTables,
      inlinedRows: inlined.dataRows, inlinedDeletes: inlined.deleteRows,
    };
  });
}
