/**
 * The SQL relation of a compaction group's live rows (built by us from local file paths
 * and catalog column ids, never from user text): each source file is read by Parquet
 * field id (so renamed columns still match), columns missing from an older file read as
 * their initial default, positions in its delete file are left out, and every row keeps
 * its id as `_ducklake_internal_row_id` (row-lineage.ts).
 */
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import type { CatalogColumn } from '../catalog/index.ts';
import { quoteIdentifier, quoteString } from '../sql.ts';
import { duckdbType, type ColumnNode } from '../write/table-columns.ts';
import { queryRows } from '../duckdb.ts';
import { ROW_ID_COLUMN, ROW_ID_FIELD_ID, rowIdExpression, unknownRowIdsError } from './row-lineage.ts';

/** LocalSource is one downloaded data file, its downloaded delete file, and its catalog row_id_start. */
export interface LocalSource {
  dataPath: string;
  deletePath: string | null;
  /** ducklake_data_file.row_id_start; null for a file that carries its row ids (a merged file). */
  rowIdStart: number | null;
  /** Positions the extension deleted through `ducklake_inlined_delete_<table>` (format §2), besides the delete file. */
  inlinedDeletes: readonly number[];
}

/** ROW_STARTS_TABLE is the temp table (local path → row_id_start) that shared reads join to number their rows. */
const ROW_STARTS_TABLE = 'fm_compaction_row_starts';

/** FileLayout is a file's field id → Parquet name map and its column types (the grouping key of shared reads). */
interface FileLayout {
  names: Map<number, string>;
  types: string[];
}

async function fieldNamesOf(connection: DuckDBConnection, paths: readonly string[]): Promise<Map<string, FileLayout>> {
  const out = new Map<string, FileLayout>(paths.map((path) => [path, { names: new Map<number, string>(), types: [] }]));
  if (paths.length === 0) return out;
  const rows = await queryRows(connection, `SELECT file_name, field_id, name, type, converted_type, logical_type::VARCHAR AS logical FROM parquet_schema([${paths.map(quoteString).join(', ')}]) WHERE field_id IS NOT NULL`);
  for (const row of rows) {
    const file = out.get(String(row.file_name));
    file?.names.set(Number(row.field_id), String(row.name));
    file?.types.push(`${String(row.field_id)}:${String(row.type)}/${String(row.converted_type)}/${String(row.logical)}`);
  }
  return out;
}

function knownRowIdStart(source: LocalSource): number {
  if (source.rowIdStart === null) throw unknownRowIdsError(source.dataPath);
  return source.rowIdStart;
}

/**
 * buildCompactionSource renders the UNION ALL of the files' live rows under the current
 * column names plus `_ducklake_internal_row_id` (reads Parquet schemas only, in one query;
 * side effect: the temp table of row_id_starts on the connection). Files without a delete
 * file whose field ids map to the same Parquet names are read by one read_parquet([...])
 * call, so the relation has one branch per file layout, not one per file; such a branch
 * numbers its rows through a join on the file name when its files carry no row ids.
 */
export async function buildCompactionSource(connection: DuckDBConnection, sources: readonly LocalSource[], columns: readonly ColumnNode[], catalogColumns: readonly CatalogColumn[]): Promise<string> {
  const namesByPath = await fieldNamesOf(connection, sources.map((source) => source.dataPath));
  const selectList = (names: Map<number, string>) => columns.map((column) => {
    const inFile = names.get(column.columnId);
    if (inFile !== undefined) return `${quoteIdentifier(inFile)} AS ${quoteIdentifier(column.name)}`;
    const initial = catalogColumns.find((each) => each.columnId === column.columnId)?.initialDefault ?? null;
    const value = initial === null || initial === 'NULL' ? 'NULL' : quoteString(initial);
    return `CAST(${value} AS ${duckdbType(column)}) AS ${quoteIdentifier(column.name)}`;
  }).join(', ');
  const rowIdAs = (expression: string) => `${expression} AS ${quoteIdentifier(ROW_ID_COLUMN)}`;
  const parts: string[] = [];
  const shared = new Map<string, { list: string; carriesRowIds: boolean; paths: string[] }>();
  const starts: Array<{ path: string; rowIdStart: number }> = [];
  for (const source of sources) {
    const layout = namesByPath.get(source.dataPath) ?? { names: new Map<number, string>(), types: [] };
    const names = layout.names;
    if (!columns.some((column) => names.has(column.columnId))) {
      throw new Error(`data file ${source.dataPath} carries none of the table's column field ids; refusing to compact it`);
    }
    const rowIdName = names.get(ROW_ID_FIELD_ID);
    if (source.deletePath === null && source.inlinedDeletes.length === 0) {
      // Same names and same physical types: one read_parquet over the list reads them alike.
      const list = rowIdName === undefined ? selectList(names) : `${selectList(names)}, ${rowIdAs(rowIdExpression(rowIdName, null, source.dataPath))}`;
      if (rowIdName === undefined) starts.push({ path: source.dataPath, rowIdStart: knownRowIdStart(source) });
      const key = `${list}\n${layout.types.join(',')}`;
      const group = shared.get(key) ?? { list, carriesRowIds: rowIdName !== undefined, paths: [] };
      group.paths.push(source.dataPath);
      shared.set(key, group);
      continue;
    }
    // Positions in the delete file are positions in this file: number rows before filtering them.
    const start = source.rowIdStart === null ? null : String(Math.trunc(source.rowIdStart));
    const from = `read_parquet(${quoteString(source.dataPath)}, file_row_number = true)`;
    const deleted = [
      ...(source.deletePath === null ? [] : [`SELECT pos FROM read_parquet(${quoteString(source.deletePath)})`]),
      ...(source.inlinedDeletes.length === 0 ? [] : [`SELECT unnest([${source.inlinedDeletes.map((pos) => String(Math.trunc(pos))).join(', ')}]::BIGINT[])`]),
    ];
    parts.push(`SELECT ${selectList(names)}, ${rowIdAs(rowIdExpression(rowIdName, start, source.dataPath))} FROM ${from} WHERE file_row_number NOT IN (${deleted.join(' UNION ALL ')})`);
  }
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${ROW_STARTS_TABLE} AS SELECT unnest(?::VARCHAR[]) AS __fm_path, unnest(?::BIGINT[]) AS __fm_row_id_start`, [
    listValue(starts.map((each) => each.path)), listValue(starts.map((each) => BigInt(each.rowIdStart))),
  ]);
  for (const { list, carriesRowIds, paths } of shared.values()) {
    const files = `[${paths.map(quoteString).join(', ')}]`;
    if (carriesRowIds) {
      parts.unshift(`SELECT ${list} FROM read_parquet(${files})`);
      continue;
    }
    parts.unshift(`SELECT ${list}, ${rowIdAs(rowIdExpression(undefined, 's.__fm_row_id_start', files))} FROM read_parquet(${files}, filename = true, file_row_number = true) f
      JOIN ${ROW_STARTS_TABLE} s ON s.__fm_path = f.filename`);
  }
  return parts.join(' UNION ALL ');
}
