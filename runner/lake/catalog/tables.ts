import type { DuckDBConnection } from '@duckdb/node-api';
import type { PartitionKey } from '../../../api/partition-spec.ts';
import { asNumber, asNumberOrNull, asString, asStringOrNull, queryOne, queryRows, type SqlRow } from '../duckdb.ts';
import { visibleAt } from './state.ts';

/** CatalogColumn is one visible ducklake_column row (nested children are their own rows). */
export interface CatalogColumn {
  columnId: number;
  name: string;
  /** DuckLake type name (§10): int32, varchar, decimal(10,2), list, struct, map, … */
  type: string;
  nullable: boolean;
  /** The parent's column_id; null at top level. */
  parentColumn: number | null;
  order: number;
  initialDefault: string | null;
  defaultValue: string | null;
  /** ducklake_column.default_value_type (`literal` or `expression`); kept when a change rewrites the row. */
  defaultValueType?: string | null;
  /** ducklake_column.default_value_dialect (`duckdb`). */
  defaultValueDialect?: string | null;
  beginSnapshot: number;
  /** The `comment` column tag, if any. */
  comment: string | null;
}

/** PartitionField is one key of a partition spec: the source column id and its transform text (`identity`, `year`, `bucket(16)`, …). */
export interface PartitionField {
  index: number;
  columnId: number;
  transform: string;
}

/** CatalogPartition is the partition spec in force: its id and its keys in order. */
export interface CatalogPartition {
  partitionId: number;
  fields: PartitionField[];
}

/** CatalogTable is a table as the catalog describes it at one snapshot. */
export interface CatalogTable {
  tableId: number;
  uuid: string;
  schemaId: number;
  schemaName: string;
  name: string;
  beginSnapshot: number;
  /** ducklake_table.path as stored (NULL = the schema path). */
  path: string | null;
  pathIsRelative: boolean;
  /** The schema's full path (data_path + schema path when relative), ending in `/`. */
  schemaPath: string;
  /** The table's full directory, ending in `/`: data and delete file paths are relative to it. */
  location: string;
  /** Visible columns, top-level first then children, each group by column_order. */
  columns: CatalogColumn[];
  partition: CatalogPartition | null;
  /** The `comment` tag of the table, if any. */
  comment: string | null;
  /** Highest column_id ever used by the table (dropped columns included). */
  maxColumnId: number;
}

/** TableStats is a table's ducklake_table_stats row and its per-column stats. */
export interface TableStats {
  recordCount: number;
  nextRowId: number;
  fileSizeBytes: number;
  columns: Array<{ columnId: number; containsNull: boolean | null; containsNan: boolean | null; minValue: string | null; maxValue: string | null; extraStats: string | null }>;
}

/** joinPath appends a relative path to a directory that ends in `/`, or returns an absolute one as is (pure; format §6). */
export function joinPath(parent: string, path: string | null, isRelative: boolean | null): string {
  if (path === null || path === '') return parent;
  if (isRelative === false) return path;
  return parent.endsWith('/') ? `${parent}${path}` : `${parent}/${path}`;
}

function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

/** transformText renders a partition key's transform as the catalog stores it: `identity`, `day`, `bucket(16)` (pure). */
export function transformText(key: PartitionKey): string {
  return key.transform === 'bucket' ? `bucket(${key.buckets})` : key.transform;
}

function toColumn(row: SqlRow, comments: Map<number, string>): CatalogColumn {
  const columnId = asNumber(row.column_id, 'ducklake_column.column_id');
  return {
    columnId,
    name: asString(row.column_name, 'ducklake_column.column_name'),
    type: asString(row.column_type, 'ducklake_column.column_type'),
    nullable: row.nulls_allowed !== false,
    parentColumn: asNumberOrNull(row.parent_column, 'ducklake_column.parent_column'),
    order: asNumber(row.column_order, 'ducklake_column.column_order'),
    initialDefault: asStringOrNull(row.initial_default, 'ducklake_column.initial_default'),
    defaultValue: asStringOrNull(row.default_value, 'ducklake_column.default_value'),
    defaultValueType: asStringOrNull(row.default_value_type ?? null, 'ducklake_column.default_value_type'),
    defaultValueDialect: asStringOrNull(row.default_value_dialect ?? null, 'ducklake_column.default_value_dialect'),
    beginSnapshot: asNumber(row.begin_snapshot, 'ducklake_column.begin_snapshot'),
    comment: comments.get(columnId) ?? null,
  };
}

const TABLE_SELECT = `SELECT t.table_id, t.table_uuid::VARCHAR AS table_uuid, t.schema_id, t.table_name, t.begin_snapshot,
  t.path, t.path_is_relative, s.schema_name, s.path AS schema_path, s.path_is_relative AS schema_path_is_relative
  FROM ducklake_table t JOIN ducklake_schema s ON s.schema_id = t.schema_id AND ${visibleAt('s')}
  WHERE ${visibleAt('t')}`;

/** listTables lists the tables visible at a snapshot as (schema, name, tableId), sorted (read only). */
export async function listTables(connection: DuckDBConnection, snapshotId: number): Promise<Array<{ schema: string; name: string; tableId: number }>> {
  const rows = await queryRows(connection, `${TABLE_SELECT} ORDER BY s.schema_name, t.table_name`, { snapshot: snapshotId });
  return rows.map((row) => ({
    schema: asString(row.schema_name, 'schema_name'),
    name: asString(row.table_name, 'table_name'),
    tableId: asNumber(row.table_id, 'table_id'),
  }));
}

/**
 * readTable reads one table visible at a snapshot (read only; format §7.1): its row,
 * resolved paths, visible columns with comments, the partition spec in force and its
 * comment. Names match case-insensitively, as DuckDB's do. Undefined when not visible.
 */
export async function readTable(connection: DuckDBConnection, schema: string, name: string, snapshotId: number): Promise<CatalogTable | undefined> {
  const row = await queryOne(connection, `${TABLE_SELECT} AND lower(s.schema_name) = lower($schema) AND lower(t.table_name) = lower($name)`, {
    snapshot: snapshotId, schema, name,
  });
  if (!row) return undefined;
  const tableId = asNumber(row.table_id, 'ducklake_table.table_id');
  const params = { snapshot: snapshotId, table: tableId };
  const dataPath = await queryOne(connection, "SELECT value FROM ducklake_metadata WHERE key = 'data_path' AND scope IS NULL");
  const schemaPath = withSlash(joinPath(asString(dataPath?.value ?? null, 'data_path'), asStringOrNull(row.schema_path, 'schema path'), row.schema_path_is_relative !== false));
  const path = asStringOrNull(row.path, 'ducklake_table.path');
  const pathIsRelative = row.path_is_relative !== false;
  const columnTags = await queryRows(
    connection,
    `SELECT column_id, value FROM ducklake_column_tag WHERE table_id = $table AND key = 'comment' AND ${visibleAt()}`,
    params,
  );
  const comments = new Map(columnTags.map((tag) => [asNumber(tag.column_id, 'column_id'), asStringOrNull(tag.value, 'value') ?? '']));
  const columns = (
    await queryRows(
      connection,
      `SELECT * FROM ducklake_column WHERE table_id = $table AND ${visibleAt()} ORDER BY parent_column NULLS FIRST, column_order`,
      params,
    )
  ).map((column) => toColumn(column, comments));
  const partitionRow = await queryOne(
    connection,
    `SELECT partition_id FROM ducklake_partition_info WHERE table_id = $table AND ${visibleAt()} ORDER BY partition_id DESC LIMIT 1`,
    params,
  );
  let partition: CatalogPartition | null = null;
  if (partitionRow) {
    const partitionId = asNumber(partitionRow.partition_id, 'partition_id');
    const fields = await queryRows(
      connection,
      'SELECT partition_key_index, column_id, transform FROM ducklake_partition_column WHERE partition_id = $partition AND table_id = $table ORDER BY partition_key_index',
      { partition: partitionId, table: tableId },
    );
    partition = {
      partitionId,
      fields: fields.map((field) => ({
        index: asNumber(field.partition_key_index, 'partition_key_index'),
        columnId: asNumber(field.column_id, 'column_id'),
        transform: asString(field.transform, 'transform'),
      })),
    };
  }
  const tag = await queryOne(connection, `SELECT value FROM ducklake_tag WHERE object_id = $table AND key = 'comment' AND ${visibleAt()}`, params);
  const maxColumn = await queryOne(connection, 'SELECT coalesce(max(column_id), 0) AS max_id FROM ducklake_column WHERE table_id = ?', [tableId]);
  return {
    tableId,
    uuid: asString(row.table_uuid, 'ducklake_table.table_uuid'),
    schemaId: asNumber(row.schema_id, 'ducklake_table.schema_id'),
    schemaName: asString(row.schema_name, 'ducklake_schema.schema_name'),
    name: asString(row.table_name, 'ducklake_table.table_name'),
    beginSnapshot: asNumber(row.begin_snapshot, 'ducklake_table.begin_snapshot'),
    path,
    pathIsRelative,
    schemaPath,
    location: withSlash(joinPath(schemaPath, path, pathIsRelative)),
    columns,
    partition,
    comment: tag ? asStringOrNull(tag.value, 'ducklake_tag.value') : null,
    maxColumnId: asNumber(maxColumn?.max_id ?? 0, 'max column_id'),
  };
}

/** readTableStats reads a table's stats rows (read only); undefined when no insert ever happened. */
export async function readTableStats(connection: DuckDBConnection, tableId: number): Promise<TableStats | undefined> {
  const row = await queryOne(connection, 'SELECT record_count, next_row_id, file_size_bytes FROM ducklake_table_stats WHERE table_id = ?', [tableId]);
  if (!row) return undefined;
  const columns = await queryRows(connection, 'SELECT * FROM ducklake_table_column_stats WHERE table_id = ? ORDER BY column_id', [tableId]);
  return {
    recordCount: asNumber(row.record_count, 'record_count'),
    nextRowId: asNumber(row.next_row_id, 'next_row_id'),
    fileSizeBytes: asNumber(row.file_size_bytes, 'file_size_bytes'),
    columns: columns.map((column) => ({
      columnId: asNumber(column.column_id, 'column_id'),
      containsNull: typeof column.contains_null === 'boolean' ? column.contains_null : null,
      containsNan: typeof column.contains_nan === 'boolean' ? column.contains_nan : null,
      minValue: asStringOrNull(column.min_value, 'min_value'),
      maxValue: asStringOrNull(column.max_value, 'max_value'),
      extraStats: asStringOrNull(column.extra_stats, 'extra_stats'),
    })),
  };
}
