/**
 * Snapshot expiry of the rows the extension inlined into the catalog (format §2
 * "Inlining"): the inlined data tables `ducklake_inlined_data_<table>_<schema version>`
 * (rows valid in [begin_snapshot, end_snapshot), like a versioned table) and the inlined
 * delete tables `ducklake_inlined_delete_<table>` (file_id, row_id, begin_snapshot: a
 * position of a data file, deleted from begin_snapshot on). Featherman never inlines, but
 * it ends such rows (expire-rows, overwrite ingest) and must not keep them forever.
 *
 * The extension's own expiry (DuckLakeMetadataManager::DeleteSnapshots) leaves these rows
 * of a live table alone: only ducklake_flush_inlined_data removes them, by moving them to
 * Parquet. Deleting a row no remaining snapshot can see changes no read at a remaining
 * snapshot, which is the rule expiry applies to data files; every other row is left as is.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { INLINED_DATA_TABLE, INLINED_DELETE_TABLE } from '../catalog/inlined-names.ts';
import { asString, debugSql, queryRows } from '../duckdb.ts';
import { quoteIdentifier } from '../sql.ts';


/** InlinedExpiry counts the inlined rows an expiry deleted. */
export interface InlinedExpiry {
  /** Rows of ducklake_inlined_data_* tables. */
  dataRows: number;
  /** Rows of ducklake_inlined_delete_* tables. */
  deleteRows: number;
}

// An inlined data row is seen by a remaining snapshot s when begin_snapshot <= s < end_snapshot.
const UNSEEN_DATA_ROW = `end_snapshot IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM ducklake_snapshot s WHERE s.snapshot_id >= begin_snapshot AND s.snapshot_id < end_snapshot)`;

// An inlined delete counts at s when s >= its begin_snapshot and its data file is visible
// at s; a file expiry removed is visible nowhere.
const UNSEEN_DELETE_ROW = `NOT EXISTS (
  SELECT 1 FROM ducklake_data_file f JOIN ducklake_snapshot s
    ON s.snapshot_id >= greatest(d.begin_snapshot, f.begin_snapshot) AND (f.end_snapshot IS NULL OR s.snapshot_id < f.end_snapshot)
  WHERE f.data_file_id = d.file_id)`;

async function existingInlinedTables(connection: DuckDBConnection): Promise<string[]> {
  const rows = await queryRows(connection, "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = 'main' AND table_name LIKE 'ducklake_inlined_%' ORDER BY table_name");
  return rows.map((row) => asString(row.table_name, 'table_name'));
}

async function deleteCounted(connection: DuckDBConnection, sql: string): Promise<number> {
  debugSql(connection, sql);
  const result = await connection.run(sql);
  return Number(result.rowsChanged);
}

/**
 * deleteUnseenInlinedRows deletes the inlined data rows and inlined deletes that no
 * remaining snapshot can see (side effect; call inside the expiry's transaction, after
 * the expired snapshots and the unseen data file rows are gone). A table the listing
 * names but the catalog lacks is skipped, as readers skip it.
 */
export async function deleteUnseenInlinedRows(connection: DuckDBConnection): Promise<InlinedExpiry> {
  const tables = await existingInlinedTables(connection);
  let dataRows = 0;
  for (const table of tables.filter((name) => INLINED_DATA_TABLE.test(name))) {
    dataRows += await deleteCounted(connection, `DELETE FROM ${quoteIdentifier(table)} WHERE ${UNSEEN_DATA_ROW}`);
  }
  let deleteRows = 0;
  for (const table of tables.filter((name) => INLINED_DELETE_TABLE.test(name))) {
    deleteRows += await deleteCounted(connection, `DELETE FROM ${quoteIdentifier(table)} d WHERE ${UNSEEN_DELETE_ROW}`);
  }
  return { dataRows, deleteRows };
}
