/**
 * Row lineage through compaction (ducklake-format.md §7.3, §7.4): a row's id is its
 * `_ducklake_internal_row_id` when its file carries that hidden column (Parquet field id
 * 2147483540), else the file's `row_id_start` + its position in the file. Compaction
 * writes the hidden column into every merged file, so ids survive any number of merges,
 * and registers the merged files with row_id_start NULL (as the extension does for files
 * that carry their ids), leaving table_stats.next_row_id where it was: no new ids exist.
 */
import { parseDuckLakePrimitive } from '../../../api/column-type.ts';
import { ROW_SNAPSHOT_FIELD_ID } from '../read/views.ts';
import { quoteIdentifier } from '../sql.ts';
import type { ColumnNode } from '../write/table-columns.ts';
import type { FileColumnStats } from '../write/stats-text.ts';

/** ROW_ID_FIELD_ID is the Parquet field id of `_ducklake_internal_row_id` (format §7.3). */
export const ROW_ID_FIELD_ID = 2147483540;

/** ROW_ID_COLUMN is the Parquet name of the hidden row id column the extension writes. */
export const ROW_ID_COLUMN = '_ducklake_internal_row_id';

/** ROW_SNAPSHOT_FIELD_ID is the Parquet field id of `_ducklake_internal_snapshot_id` (format §7.3), as the query path reads it. */
export { ROW_SNAPSHOT_FIELD_ID };

/** HIDDEN_FIELD_IDS are the field ids of hidden data-file columns: never user columns. */
export const HIDDEN_FIELD_IDS: ReadonlySet<number> = new Set([ROW_ID_FIELD_ID, ROW_SNAPSHOT_FIELD_ID]);

/**
 * rowIdColumnNode is the write path's node for the hidden row id column (pure): appended
 * to a table's top-level columns, COPY writes it as BIGINT with field id 2147483540.
 */
export function rowIdColumnNode(): ColumnNode {
  const type = parseDuckLakePrimitive('int64');
  if (!type) throw new Error('int64 is not a DuckLake primitive type');
  return { columnId: ROW_ID_FIELD_ID, name: ROW_ID_COLUMN, typeName: 'int64', type, nullable: false, children: [] };
}

/**
 * rowIdExpression renders the SQL of a source row's id (pure, numbers and our own
 * identifiers only): the file's hidden column when it has one (`parquetName`), else
 * `row_id_start + file_row_number`, where `startSql` yields row_id_start (a literal or a
 * joined column) and file_row_number is the position before any delete is applied (delete
 * files hold positions in the same file). A file with neither has no knowable ids.
 */
export function rowIdExpression(parquetName: string | undefined, startSql: string | null, file: string): string {
  if (parquetName !== undefined) return `CAST(${quoteIdentifier(parquetName)} AS BIGINT)`;
  if (startSql === null) throw unknownRowIdsError(file);
  return `(${startSql} + file_row_number)::BIGINT`;
}

/** unknownRowIdsError is the error for a file whose row ids cannot be known (pure). */
export function unknownRowIdsError(file: string): Error {
  return new Error(`data file ${file} has neither row_id_start nor a ${ROW_ID_COLUMN} column; its row ids are unknown, refusing to compact it`);
}

/** withoutHiddenStats drops the statistics of hidden columns from a written file's stats (pure): the catalog keeps none. */
export function withoutHiddenStats(stats: readonly FileColumnStats[]): FileColumnStats[] {
  return stats.filter((column) => !HIDDEN_FIELD_IDS.has(column.columnId));
}
