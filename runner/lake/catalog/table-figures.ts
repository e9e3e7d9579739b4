import type { DuckDBConnection } from '@duckdb/node-api';
import { asNumber, queryOne } from '../duckdb.ts';
import { visibleAt } from './state.ts';

/** TableFigures are what a table's status shows: live rows, files, bytes and schema version. */
export interface TableFigures {
  rowCount: number;
  fileCount: number;
  bytes: number;
  schemaVersion: number;
}

/**
 * readTableFigures counts a table's visible data files, their bytes, and its live rows
 * (records minus the positions its visible delete files remove) at a snapshot (reads only).
 */
export async function readTableFigures(connection: DuckDBConnection, tableId: number, snapshotId: number, schemaVersion: number): Promise<TableFigures> {
  const files = await queryOne(
    connection,
    `SELECT count(*) AS files, coalesce(sum(file_size_bytes), 0) AS bytes, coalesce(sum(record_count), 0) AS records
     FROM ducklake_data_file WHERE table_id = $table AND ${visibleAt()}`,
    { table: tableId, snapshot: snapshotId },
  );
  const deletes = await queryOne(
    connection,
    `SELECT coalesce(sum(delete_count), 0) AS deleted FROM ducklake_delete_file WHERE table_id = $table AND ${visibleAt()}`,
    { table: tableId, snapshot: snapshotId },
  );
  return {
    rowCount: asNumber(files?.records ?? 0, 'records') - asNumber(deletes?.deleted ?? 0, 'deleted'),
    fileCount: asNumber(files?.files ?? 0, 'files'),
    bytes: asNumber(files?.bytes ?? 0, 'bytes'),
    schemaVersion,
  };
}
