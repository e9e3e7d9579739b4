/**
 * The SQL relation of a compaction group's live rows (built by us from local file paths
 * and catalog column ids, never from user text): each source file is read by Parquet
 * field id (so renamed columns still match), columns missing from an older file read as
 * their initial default, and positions in its delete file (or deleted inline by the
 * extension) are left out.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CatalogColumn } from '../catalog/index.ts';
import { quoteIdentifier, quoteString } from '../sql.ts';
import { duckdbType, type ColumnNode } from '../write/table-columns.ts';
import { queryRows } from '../duckdb.ts';

/** LocalSource is one downloaded data file and its downloaded delete file. */
export interface LocalSource {
  dataPath: string;
  deletePath: string | null;
  /**
   * Positions the extension deleted through `ducklake_inlined_delete_<table>` instead of a
   * delete file. They must be left out too: the merged file gets a new id, so those rows
   * would come back.
   */
  inlinedDeletes?: readonly number[];
}

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

/**
 * buildCompactionSource renders the UNION ALL of the files' live rows under the current
 * column names (reads Parquet schemas only, in one query). Files without a delete file
 * whose field ids map to the same Parquet names are read by one read_parquet([...]) call,
 * so the relation has one branch per file layout, not one per file.
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
  const parts: string[] = [];
  const shared = new Map<string, { list: string; paths: string[] }>();
  for (const source of sources) {
    const layout = namesByPath.get(source.dataPath) ?? { names: new Map<number, string>(), types: [] };
    const names = layout.names;
    if (!columns.some((column) => names.has(column.columnId))) {
      throw new Error(`data file ${source.dataPath} carries none of the table's column field ids; refusing to compact it`);
    }
    const list = selectList(names);
    const inlined = source.inlinedDeletes ?? [];
    if (source.deletePath === null && inlined.length === 0) {
      // Same names and same physical types: one read_parquet over the list reads them alike.
      const key = `${list}\n${layout.types.join(',')}`;
      const group = shared.get(key) ?? { list, paths: [] };
      group.paths.push(source.dataPath);
      shared.set(key, group);
      continue;
    }
    const from = `read_parquet(${quoteString(source.dataPath)}, file_row_number = true)`;
    const excluded = [
      ...(source.deletePath === null ? [] : [`file_row_number NOT IN (SELECT pos FROM read_parquet(${quoteString(source.deletePath)}))`]),
      ...(inlined.length === 0 ? [] : [`file_row_number NOT IN (SELECT unnest([${inlined.map((pos) => String(Math.trunc(pos))).join(', ')}]::BIGINT[]))`]),
    ];
    parts.push(`SELECT ${list} FROM ${from} WHERE ${excluded.join(' AND ')}`);
  }
  for (const { list, paths } of shared.values()) parts.unshift(`SELECT ${list} FROM read_parquet([${paths.map(quoteString).join(', ')}])`);
  return parts.join(' UNION ALL ');
}
