/**
 * The catalog rows of an insert (format §5.5 INSERT), written through a CommitTx inside
 * the snapshot's transaction: data_file, file_column_stats, file_partition_value, the
 * table_stats upsert and the table_column_stats upsert (bounds merged by typed
 * comparison in DuckDB). Every statement is a point lookup or a batch insert by table
 * id, so a commit costs the same whether the table holds ten files or 100,000.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { parseDuckLakePrimitive, toDuckDBSql } from '../../../api/column-type.ts';
import type { CommitTx } from '../catalog/index.ts';
import { queryOne, queryRows } from '../duckdb.ts';
import { collectColumnBounds, planDataFiles, type ColumnBounds, type PlannedDataFile } from './file-plan.ts';
import type { WrittenFile } from './parquet-writer.ts';
import { NO_BOUNDS_TYPES } from './stats-text.ts';
import type { LeafColumn } from './stats-text.ts';

/** InsertFilesInput is what one insert commit registers. */
export interface InsertFilesInput {
  tableId: number;
  partitionId: number | null;
  files: readonly WrittenFile[];
  leaves: readonly LeafColumn[];
}

async function insertBatched(tx: CommitTx, table: string, width: number, rows: DuckDBValue[][]): Promise<void> {
  const batch = Math.max(1, Math.floor(1000 / width));
  const tuple = `(${Array.from({ length: width }, () => '?').join(', ')})`;
  for (let start = 0; start < rows.length; start += batch) {
    const slice = rows.slice(start, start + batch);
    await tx.run(`INSERT INTO ${table} VALUES ${slice.map(() => tuple).join(', ')}`, slice.flat());
  }
}

/** endVisibleFiles ends every visible data and delete file of the table at this snapshot (side effect); returns how many data files and bytes. */
export async function endVisibleFiles(tx: CommitTx, tableId: number): Promise<{ files: number; bytes: number }> {
  const row = await queryOne(
    tx.connection,
    'SELECT count(*) AS files, coalesce(sum(file_size_bytes), 0) AS bytes FROM ducklake_data_file WHERE table_id = ? AND end_snapshot IS NULL',
    [tableId],
  );
  await tx.run('UPDATE ducklake_data_file SET end_snapshot = ? WHERE table_id = ? AND end_snapshot IS NULL', [tx.snapshotId, tableId]);
  await tx.run('UPDATE ducklake_delete_file SET end_snapshot = ? WHERE table_id = ? AND end_snapshot IS NULL', [tx.snapshotId, tableId]);
  return { files: Number(row?.files ?? 0), bytes: Number(row?.bytes ?? 0) };
}

function sqlTypeOf(leaf: LeafColumn): string {
  const type = leaf.type.toLowerCase();
  if (type === 'blob' || type === 'json' || type === 'varchar') return 'VARCHAR';
  const parsed = parseDuckLakePrimitive(type);
  return parsed ? toDuckDBSql(parsed) : 'VARCHAR';
}

async function mergeBounds(tx: CommitTx, bounds: ColumnBounds, leaf: LeafColumn, existing: { min: string | null; max: string | null } | undefined): Promise<{ min: string | null; max: string | null }> {
  if (NO_BOUNDS_TYPES.has(leaf.type.toLowerCase())) return { min: null, max: null };
  const mins = [...bounds.mins, ...(existing?.min != null ? [existing.min] : [])];
  const maxs = [...bounds.maxs, ...(existing?.max != null ? [existing.max] : [])];
  if (mins.length === 0 && maxs.length === 0) return { min: null, max: null };
  const type = sqlTypeOf(leaf);
  const pick = (fn: 'arg_min' | 'arg_max', values: readonly string[]) => (values.length === 0
    ? 'NULL'
    : `(SELECT ${fn}(v, CAST(v AS ${type})) FROM (VALUES ${values.map(() => '(?::VARCHAR)').join(', ')}) AS u(v))`);
  const row = await queryOne(tx.connection, `SELECT ${pick('arg_min', mins)} AS mn, ${pick('arg_max', maxs)} AS mx`, [...mins, ...maxs]);
  return {
    min: bounds.unknownMin ? null : (row?.mn as string | null) ?? null,
    max: bounds.unknownMax ? null : (row?.mx as string | null) ?? null,
  };
}

/**
 * insertDataFiles writes the rows of an insert through the commit (side effect; format
 * §5.5): ids and row ids from the counters and table_stats, then the stats upserts.
 * It returns the planned files (ids, row ids) for logging and tests.
 */
export async function insertDataFiles(tx: CommitTx, input: InsertFilesInput): Promise<PlannedDataFile[]> {
  const { tableId } = input;
  const stats = await queryOne(tx.connection, 'SELECT record_count, next_row_id, file_size_bytes FROM ducklake_table_stats WHERE table_id = ?', [tableId]);
  const planned = planDataFiles(input.files, Number(stats?.next_row_id ?? 0), () => tx.allocFileId());
  await insertBatched(tx, 'ducklake_data_file', 16, planned.map((file) => [
    file.dataFileId, tableId, tx.snapshotId, null, null, file.path, true, 'parquet',
    file.recordCount, file.fileSizeBytes, file.footerSize, file.rowIdStart, input.partitionId, null, null, null,
  ]));
  await insertBatched(tx, 'ducklake_file_column_stats', 10, planned.flatMap((file) => file.columnStats.map((column) => [
    file.dataFileId, tableId, column.columnId, column.columnSizeBytes, column.valueCount, column.nullCount,
    column.minValue, column.maxValue, column.containsNan, null,
  ])));
  await insertBatched(tx, 'ducklake_file_partition_value', 4, planned.flatMap((file) => file.partitionValues.map((value, index) => [
    file.dataFileId, tableId, index, value,
  ])));
  const rows = planned.reduce((sum, file) => sum + file.recordCount, 0);
  const bytes = planned.reduce((sum, file) => sum + file.fileSizeBytes, 0);
  if (stats) {
    await tx.run('UPDATE ducklake_table_stats SET record_count = record_count + ?, next_row_id = next_row_id + ?, file_size_bytes = file_size_bytes + ? WHERE table_id = ?', [rows, rows, bytes, tableId]);
  } else {
    await tx.run('INSERT INTO ducklake_table_stats VALUES (?, ?, ?, ?)', [tableId, rows, rows, bytes]);
  }
  const existingRows = await queryRows(tx.connection, 'SELECT column_id, contains_null, contains_nan, min_value, max_value FROM ducklake_table_column_stats WHERE table_id = ?', [tableId]);
  const existing = new Map(existingRows.map((row) => [Number(row.column_id), row]));
  const leaves = new Map(input.leaves.map((leaf) => [leaf.columnId, leaf]));
  for (const bounds of collectColumnBounds(planned)) {
    const leaf = leaves.get(bounds.columnId);
    if (!leaf) continue;
    const old = existing.get(bounds.columnId);
    const merged = await mergeBounds(tx, bounds, leaf, old ? { min: (old.min_value as string | null) ?? null, max: (old.max_value as string | null) ?? null } : undefined);
    const containsNull = bounds.containsNull || old?.contains_null === true;
    const containsNan = bounds.containsNan === null && (old?.contains_nan ?? null) === null ? null : bounds.containsNan === true || old?.contains_nan === true;
    if (old) {
      await tx.run('UPDATE ducklake_table_column_stats SET contains_null = ?, contains_nan = ?, min_value = ?, max_value = ? WHERE table_id = ? AND column_id = ?', [
        containsNull, containsNan, merged.min, merged.max, tableId, bounds.columnId,
      ]);
    } else {
      await tx.run('INSERT INTO ducklake_table_column_stats VALUES (?, ?, ?, ?, ?, ?, NULL)', [tableId, bounds.columnId, containsNull, containsNan, merged.min, merged.max]);
    }
  }
  return planned;
}
