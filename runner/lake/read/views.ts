import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { FeathermanError } from '../../errors.ts';
import { quoteIdentifier, quoteString, quoteStringList } from '../sql.ts';
import { toDuckDBType } from './column-types.ts';
import type { LakeDataFile } from './files.ts';
import type { NameMapping } from './name-mapping.ts';
import type { LakeTable } from './tables.ts';

/** TableScan is one referenced table and the files that survived pruning. */
export interface TableScan {
  table: LakeTable;
  files: LakeDataFile[];
  /** Local Parquet copies of the rows the extension inlined into the catalog (read as data files). */
  inlinedFiles?: string[];
  /** Positions deleted through the catalog's inlined-delete table, by data file id. */
  inlinedDeletes?: ReadonlyMap<number, readonly number[]>;
  /** Name mappings of files without field ids, by mapping_id. */
  nameMappings?: ReadonlyMap<number, NameMapping>;
}

/** ROW_SNAPSHOT_FIELD_ID is the Parquet field id of `_ducklake_internal_snapshot_id` in merged files (DuckLake §7.3). */
export const ROW_SNAPSHOT_FIELD_ID = 2147483539;

const INTERNAL_SCHEMA = '__featherman';

/**
 * buildFieldIdSchema renders the `schema` argument of read_parquet for a table (pure):
 * Parquet field id → name, DuckDB type and initial default of each top-level column
 * visible at the snapshot, so files are matched by field id, renamed columns keep their
 * data, dropped ones are skipped and added ones read their initial_default (or NULL).
 */
export function buildFieldIdSchema(table: LakeTable, withRowSnapshot: boolean): string {
  const entries = table.columns.map((column) => {
    const fallback = column.initialDefault === null ? 'NULL::VARCHAR' : quoteString(column.initialDefault);
    return `${column.id}: {name: ${quoteString(column.name)}, type: ${quoteString(toDuckDBType(column))}, default_value: ${fallback}}`;
  });
  if (withRowSnapshot) entries.push(`${ROW_SNAPSHOT_FIELD_ID}: {name: '__fm_row_snapshot', type: 'BIGINT', default_value: NULL::VARCHAR}`);
  return `MAP {${entries.join(', ')}}`;
}

/** viewNameOf is the quoted name a table is exposed under: `"schema"."table"` (pure). */
export function viewNameOf(table: LakeTable): string {
  return `${quoteIdentifier(table.schemaName)}.${quoteIdentifier(table.tableName)}`;
}

/**
 * createLakeViews exposes each scanned table in the sandbox as a view `<schema>.<table>`
 * over its cached Parquet files (side effect: views and delete-position tables in the
 * sandbox). Only our own SQL runs here: quoted identifiers and quoted local paths.
 * Delete files are applied by (file, position) through `file_row_number`; rows of merged
 * files newer than the snapshot are hidden through their per-row snapshot column.
 */
export async function createLakeViews(
  connection: DuckDBConnection,
  scans: readonly TableScan[],
  localPaths: ReadonlyMap<string, string>,
  snapshotId: number,
): Promise<void> {
  await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(INTERNAL_SCHEMA)}`);
  for (const { table, files, inlinedFiles = [], inlinedDeletes, nameMappings } of scans) {
    if (table.columns.length === 0) throw new FeathermanError('FM_ERR_QUERY_FAILED', `table ${table.schemaName}.${table.tableName} has no columns at snapshot ${snapshotId}.`);
    const local = (path: string): string => {
      const found = localPaths.get(path);
      if (found === undefined) throw new Error(`file ${path} was not fetched`);
      return found;
    };
    for (const file of files) {
      if (file.mappingId !== null && !nameMappings?.has(file.mappingId)) {
        throw new FeathermanError('FM_ERR_QUERY_FAILED', `table ${table.tableName}: file ${file.path} has no field ids and its name mapping ${file.mappingId} is missing.`);
      }
      if (file.deleteFile && file.deleteFile.format !== 'parquet') {
        throw new FeathermanError('FM_ERR_QUERY_FAILED', `table ${table.tableName}: delete file ${file.deleteFile.path} is ${file.deleteFile.format}; only parquet delete files are read.`);
      }
    }
    if (table.schemaName !== 'main') await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(table.schemaName)}`);
    const columnList = table.columns.map((column) => quoteIdentifier(column.name)).join(', ');
    const view = viewNameOf(table);
    if (files.length === 0 && inlinedFiles.length === 0) {
      const empty = table.columns.map((column) => `CAST(NULL AS ${toDuckDBType(column)}) AS ${quoteIdentifier(column.name)}`).join(', ');
      await connection.run(`CREATE VIEW ${view} AS SELECT ${empty} WHERE false`);
      continue;
    }
    const withRowSnapshot = files.some((file) => file.partialMax !== null && file.partialMax > snapshotId);
    const deletes = `${quoteIdentifier(INTERNAL_SCHEMA)}.${quoteIdentifier(`deletes_${table.tableId}`)}`;
    await connection.run(`CREATE TABLE ${deletes} (filename VARCHAR, pos BIGINT)`);
    for (const file of files) {
      if (file.deleteFile) await loadDeletePositions(connection, deletes, local(file.path), local(file.deleteFile.path), snapshotId);
      const positions = inlinedDeletes?.get(file.id);
      if (positions && positions.length > 0) {
        await connection.run(`INSERT INTO ${deletes} SELECT ?, unnest(?::BIGINT[])`, [local(file.path), listValue(positions.map((p) => BigInt(p)))]);
      }
    }
    const parts: string[] = [];
    const byId = [...files.filter((file) => file.mappingId === null).map((file) => local(file.path)), ...inlinedFiles];
    if (byId.length > 0) {
      parts.push(`SELECT * FROM read_parquet(${quoteStringList(byId)}, schema = ${buildFieldIdSchema(table, withRowSnapshot)}, filename = true, file_row_number = true)`);
    }
    for (const [mappingId, mapping] of nameMappings ?? []) {
      const mapped = files.filter((file) => file.mappingId === mappingId).map((file) => local(file.path));
      if (mapped.length > 0) parts.push(buildNameMappedSelect(table, mapping, mapped, withRowSnapshot));
    }
    const source = parts.length === 1 ? `(${parts[0] ?? ''})` : `(${parts.join(' UNION ALL BY NAME ')})`;
    const snapshotFilter = withRowSnapshot ? ` AND (d.__fm_row_snapshot IS NULL OR d.__fm_row_snapshot <= ${Math.trunc(snapshotId)})` : '';
    await connection.run(
      `CREATE VIEW ${view} AS SELECT ${columnList} FROM ${source} d
       WHERE NOT EXISTS (SELECT 1 FROM ${deletes} x WHERE x.filename = d.filename AND x.pos = d.file_row_number)${snapshotFilter}`,
    );
  }
}

/**
 * buildNameMappedSelect reads files without field ids through their name mapping (pure):
 * each visible column comes from its mapped Parquet column, cast to the column's type, or
 * is its initial default when the mapping has no entry for it.
 */
export function buildNameMappedSelect(table: LakeTable, mapping: NameMapping, paths: readonly string[], withRowSnapshot: boolean): string {
  const columns = table.columns.map((column) => {
    const type = toDuckDBType(column);
    const source = mapping.get(column.id);
    const value = source !== undefined ? quoteIdentifier(source) : column.initialDefault === null ? 'NULL' : quoteString(column.initialDefault);
    return `CAST(${value} AS ${type}) AS ${quoteIdentifier(column.name)}`;
  });
  if (withRowSnapshot) columns.push('CAST(NULL AS BIGINT) AS __fm_row_snapshot');
  return `SELECT ${columns.join(', ')}, filename, file_row_number FROM read_parquet(${quoteStringList(paths)}, filename = true, file_row_number = true, union_by_name = true)`;
}

/**
 * loadDeletePositions copies one delete file's positions, keyed by the local data file, into
 * the table's delete table. Columns are read by position (file_path, pos, optional per-row
 * snapshot), as the format asks; positions of deletes after the snapshot are left out.
 */
async function loadDeletePositions(connection: DuckDBConnection, deletes: string, dataPath: string, deletePath: string, snapshotId: number): Promise<void> {
  const probe = await connection.runAndReadAll(`SELECT * FROM read_parquet(${quoteString(deletePath)}) LIMIT 0`);
  const columns = probe.columnCount;
  if (columns < 2) throw new FeathermanError('FM_ERR_QUERY_FAILED', `delete file ${deletePath} has ${columns} column(s); expected file_path and pos.`);
  const filter = columns >= 3 ? ` WHERE CAST(#3 AS BIGINT) <= ${Math.trunc(snapshotId)}` : '';
  await connection.run(
    `INSERT INTO ${deletes} SELECT ${quoteString(dataPath)}, CAST(#2 AS BIGINT) FROM read_parquet(${quoteString(deletePath)})${filter}`,
  );
}
