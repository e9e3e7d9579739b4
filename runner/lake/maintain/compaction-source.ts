/**
 * The SQL relation of a compaction group's live rows (built by us from local file paths
 * and catalog column ids, never from user text): each source file is read by Parquet
 * field id (so renamed columns still match), columns missing from an older file read as
 * their initial default, and positions in its delete file are left out.
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
}

async function fieldNames(connection: DuckDBConnection, path: string): Promise<Map<number, string>> {
  const rows = await queryRows(connection, `SELECT field_id, name FROM parquet_schema(${quoteString(path)}) WHERE field_id IS NOT NULL`);
  return new Map(rows.map((row) => [Number(row.field_id), String(row.name)]));
}

/** buildCompactionSource renders the UNION ALL of the files' live rows under the current column names (reads Parquet schemas only). */
export async function buildCompactionSource(connection: DuckDBConnection, sources: readonly LocalSource[], columns: readonly ColumnNode[], catalogColumns: readonly CatalogColumn[]): Promise<string> {
  const parts: string[] = [];
  for (const source of sources) {
    const names = await fieldNames(connection, source.dataPath);
    if (!columns.some((column) => names.has(column.columnId))) {
      throw new Error(`data file ${source.dataPath} carries none of the table's column field ids; refusing to compact it`);
    }
    const list = columns.map((column) => {
      const inFile = names.get(column.columnId);
      if (inFile !== undefined) return `${quoteIdentifier(inFile)} AS ${quoteIdentifier(column.name)}`;
      const initial = catalogColumns.find((each) => each.columnId === column.columnId)?.initialDefault ?? null;
      const value = initial === null || initial === 'NULL' ? 'NULL' : quoteString(initial);
      return `CAST(${value} AS ${duckdbType(column)}) AS ${quoteIdentifier(column.name)}`;
    });
    const from = `read_parquet(${quoteString(source.dataPath)}, file_row_number = true)`;
    const where = source.deletePath === null ? '' : ` WHERE file_row_number NOT IN (SELECT pos FROM read_parquet(${quoteString(source.deletePath)}))`;
    parts.push(`SELECT ${list.join(', ')} FROM ${from}${where}`);
  }
  return parts.join(' UNION ALL ');
}
