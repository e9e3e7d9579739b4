/**
 * The catalog rows of an insert (format §5.5 INSERT), written through a CommitTx inside
 * the snapshot's transaction: data_file, file_column_stats, file_partition_value, the
 * table_stats upsert and the table_column_stats upsert (bounds merged by typed
 * comparison in DuckDB). Every statement is a point lookup or a batch insert by table
 * id, so a commit costs the same whether the table holds ten files or 100,000.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { parseDuckLakePrimitive, toDuckDBSql } from '../../../api/column-type.ts';
import { queryBound, type CommitTx } from '../catalog/index.ts';
import { queryOne, queryRows } from '../duckdb.ts';
import { collectColumnBounds, planDataFiles, type ColumnBounds, type PlannedDataFile } from './file-plan.ts';
import type { WrittenFile } from './parquet-writer.ts';
import { pickBound } from './bound-compare.ts';
import { NO_BOUNDS_TYPES } from './stats-text.ts';
import type { LeafColumn } from './stats-text.ts';

/** InsertFilesInput is what one insert commit registers. */
export interface InsertFilesInput {
  tableId: number;
  partitionId: number | null;
  files: readonly WrittenFile[];
  leaves: readonly LeafColumn[];
  /**
   * True when every file carries its rows' ids in `_ducklake_internal_row_id` (compaction,
   * format §7.4): row_id_start is NULL and table_stats.next_row_id does not move.
   */
  rowIdsInFiles?: boolean;
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

interface ExistingColumnStats {
  containsNull: boolean | null;
  containsNan: boolean | null;
  min: string | null;
  max: string | null;
  extraStats: string | null;
}

/**
 * mergeAllBounds merges each column's candidate bounds with the stored ones: in JS for the
 * types bound-compare.ts orders with certainty, else in ONE DuckDB query for the rest
 * (arg_min/arg_max over TRY_CAST to the column type). The text kept is always an original
 * bound text. Returns columnId → merged bounds.
 */
async function mergeAllBounds(tx: CommitTx, all: readonly ColumnBounds[], leaves: Map<number, LeafColumn>, existing: Map<number, ExistingColumnStats>): Promise<Map<number, { min: string | null; max: string | null }>> {
  const out = new Map<number, { min: string | null; max: string | null }>();
  const candidates: string[] = [];
  const params: DuckDBValue[] = [];
  const selects: string[] = [];
  for (const bounds of all) {
    const leaf = leaves.get(bounds.columnId);
    if (!leaf || NO_BOUNDS_TYPES.has(leaf.type.toLowerCase())) continue;
    const old = existing.get(bounds.columnId);
    const values: Array<['min' | 'max', string]> = [
      ...bounds.mins.map((value) => ['min', value] as ['min', string]), ...(old?.min != null ? [['min', old.min] as ['min', string]] : []),
      ...bounds.maxs.map((value) => ['max', value] as ['max', string]), ...(old?.max != null ? [['max', old.max] as ['max', string]] : []),
    ];
    if (values.length === 0) continue;
    const jsMin = pickBound(leaf.type, 'min', values.filter(([kind]) => kind === 'min').map(([, value]) => value));
    const jsMax = pickBound(leaf.type, 'max', values.filter(([kind]) => kind === 'max').map(([, value]) => value));
    const hasMin = values.some(([kind]) => kind === 'min');
    const hasMax = values.some(([kind]) => kind === 'max');
    if ((jsMin !== undefined || !hasMin) && (jsMax !== undefined || !hasMax)) {
      out.set(bounds.columnId, { min: jsMin ?? null, max: jsMax ?? null });
      continue;
    }
    for (const [kind, value] of values) {
      candidates.push('(?::BIGINT, ?::VARCHAR, ?::VARCHAR)');
      params.push(bounds.columnId, kind, value);
    }
    const type = sqlTypeOf(leaf);
    selects.push(`SELECT col, arg_min(v, TRY_CAST(v AS ${type})) FILTER (WHERE kind = 'min') AS mn,
      arg_max(v, TRY_CAST(v AS ${type})) FILTER (WHERE kind = 'max') AS mx FROM candidates WHERE col = ${bounds.columnId} GROUP BY col`);
  }
  if (selects.length === 0) return out;
  const rows = await queryRows(tx.connection, `WITH candidates AS (SELECT * FROM (VALUES ${candidates.join(', ')}) AS c(col, kind, v)) ${selects.join(' UNION ALL ')}`, params);
  for (const row of rows) out.set(Number(row.col), { min: (row.mn as string | null) ?? null, max: (row.mx as string | null) ?? null });
  return out;
}

/**
 * insertDataFiles writes the rows of an insert through the commit (side effect; format
 * §5.5): ids and row ids from the counters and table_stats, then the stats upserts.
 * It returns the planned files (ids, row ids) for logging and tests.
 */
export async function insertDataFiles(tx: CommitTx, input: InsertFilesInput): Promise<PlannedDataFile[]> {
  const { tableId } = input;
  const rows = input.files.reduce((sum, file) => sum + file.rowCount, 0);
  const bytes = input.files.reduce((sum, file) => sum + file.sizeBytes, 0);
  // Files that carry their row ids (compaction) take no new ids: next_row_id stays.
  const newRowIds = input.rowIdsInFiles === true ? 0 : rows;
  // The table_stats upsert first, RETURNING the raised next_row_id: the row ids of the new
  // files start where it stood, so no separate read is needed.
  const raised = await queryBound(
    tx.connection,
    'UPDATE ducklake_table_stats SET record_count = record_count + ?, next_row_id = next_row_id + ?, file_size_bytes = file_size_bytes + ? WHERE table_id = ? RETURNING next_row_id',
    [rows, newRowIds, bytes, tableId],
  );
  const raisedTo = raised[0]?.next_row_id;
  if (raisedTo === undefined) await tx.run('INSERT INTO ducklake_table_stats VALUES (?, ?, ?, ?)', [tableId, rows, newRowIds, bytes]);
  const planned = planDataFiles(input.files, raisedTo === undefined || raisedTo === null ? 0 : Number(raisedTo) - newRowIds, () => tx.allocFileId());
  await insertBatched(tx, 'ducklake_data_file', 16, planned.map((file) => [
    file.dataFileId, tableId, tx.snapshotId, null, null, file.path, true, 'parquet',
    file.recordCount, file.fileSizeBytes, file.footerSize, input.rowIdsInFiles === true ? null : file.rowIdStart, input.partitionId, null, null, null,
  ]));
  await insertBatched(tx, 'ducklake_file_column_stats', 10, planned.flatMap((file) => file.columnStats.map((column) => [
    file.dataFileId, tableId, column.columnId, column.columnSizeBytes, column.valueCount, column.nullCount,
    column.minValue, column.maxValue, column.containsNan, null,
  ])));
  await insertBatched(tx, 'ducklake_file_partition_value', 4, planned.flatMap((file) => file.partitionValues.map((value, index) => [
    file.dataFileId, tableId, index, value,
  ])));
  const existingRows = await queryBound(tx.connection, 'SELECT column_id, contains_null, contains_nan, min_value, max_value, extra_stats FROM ducklake_table_column_stats WHERE table_id = ?', [tableId]);
  const existing = new Map<number, ExistingColumnStats>(existingRows.map((row) => [Number(row.column_id), {
    containsNull: typeof row.contains_null === 'boolean' ? row.contains_null : null,
    containsNan: typeof row.contains_nan === 'boolean' ? row.contains_nan : null,
    min: (row.min_value as string | null) ?? null,
    max: (row.max_value as string | null) ?? null,
    extraStats: (row.extra_stats as string | null) ?? null,
  }]));
  // A column with no table stats row in a table that already held rows was added after
  // them (the extension adds columns without a stats row): its older rows may be NULL.
  const heldRows = raisedTo !== undefined && raisedTo !== null && Number(raisedTo) - newRowIds > 0;
  const leaves = new Map(input.leaves.map((leaf) => [leaf.columnId, leaf]));
  const allBounds = collectColumnBounds(planned).filter((bounds) => leaves.has(bounds.columnId));
  const merged = await mergeAllBounds(tx, allBounds, leaves, existing);
  const next = new Map<number, DuckDBValue[]>();
  for (const [columnId, old] of existing) next.set(columnId, [tableId, columnId, old.containsNull, old.containsNan, old.min, old.max, old.extraStats]);
  for (const bounds of allBounds) {
    const old = existing.get(bounds.columnId);
    const noBounds = NO_BOUNDS_TYPES.has(leaves.get(bounds.columnId)?.type.toLowerCase() ?? '');
    const bound = merged.get(bounds.columnId);
    const min = noBounds || bounds.unknownMin ? null : bound?.min ?? old?.min ?? null;
    const max = noBounds || bounds.unknownMax ? null : bound?.max ?? old?.max ?? null;
    const containsNull = bounds.containsNull || old?.containsNull === true || (old === undefined && heldRows);
    const containsNan = bounds.containsNan === null && (old?.containsNan ?? null) === null ? null : bounds.containsNan === true || old?.containsNan === true;
    next.set(bounds.columnId, [tableId, bounds.columnId, containsNull, containsNan, min, max, old?.extraStats ?? null]);
  }
  // Appends often stay inside the known bounds: then nothing is written. Otherwise the
  // table's rows are rewritten in two statements instead of one UPDATE per column.
  const unchanged = next.size === existing.size && [...next.entries()].every(([columnId, row]) => {
    const old = existing.get(columnId);
    return old !== undefined && row[2] === old.containsNull && row[3] === old.containsNan && row[4] === old.min && row[5] === old.max;
  });
  if (!unchanged) {
    await tx.run('DELETE FROM ducklake_table_column_stats WHERE table_id = ?', [tableId]);
    await insertBatched(tx, 'ducklake_table_column_stats', 7, [...next.values()]);
  }
  return planned;
}
