import type { DuckDBConnection } from '@duckdb/node-api';
import type { LakeColumn } from './column-types.ts';
import { readRows, toNumber, toText, type ReadRow } from './rows.ts';

/** PartitionKeyInfo is one key of a partition spec: the source column and its transform. */
export interface PartitionKeyInfo {
  index: number;
  columnId: number;
  /** `identity`, `year`, `month`, `day`, `hour` or `bucket(N)` as stored. */
  transform: string;
}

/** LakeTable is one table visible at a snapshot, with its columns and partition specs. */
export interface LakeTable {
  tableId: number;
  schemaId: number;
  schemaName: string;
  tableName: string;
  /** Full directory of the table (data_path + schema path + table path), ending in `/`. */
  path: string;
  columns: LakeColumn[];
  /** The partition spec in force at the snapshot, if any. */
  partitionId: number | null;
  /** Every partition spec the table ever had, by partition_id (older files keep theirs). */
  partitionSpecs: Map<number, PartitionKeyInfo[]>;
}

const VISIBLE = '? >= begin_snapshot AND (end_snapshot IS NULL OR ? < end_snapshot)';

function visible(alias: string): string {
  return `? >= ${alias}.begin_snapshot AND (${alias}.end_snapshot IS NULL OR ? < ${alias}.end_snapshot)`;
}

/**
 * joinLakePath resolves a stored path against its parent directory (pure; DuckLake §6):
 * a relative path is appended, an absolute one replaces it, NULL means the parent itself.
 */
export function joinLakePath(parent: string, path: string | null, isRelative: boolean | null): string {
  if (path === null || path === '') return parent;
  if (isRelative === false) return path;
  const base = parent === '' || parent.endsWith('/') ? parent : `${parent}/`;
  return base + path;
}

function asDirectory(path: string): string {
  return path === '' || path.endsWith('/') ? path : `${path}/`;
}

/**
 * readTables reads every table visible at snapshot S with its columns (nested through
 * parent_column) and partition specs, in three catalog queries whatever the table count
 * (catalog reads only; DuckLake §7.1).
 */
export async function readTables(connection: DuckDBConnection, snapshotId: number, dataPath: string): Promise<LakeTable[]> {
  const s = BigInt(snapshotId);
  // Tables with their schema in one query: a table is listed only when its schema is visible too.
  const tables = await readRows(
    connection,
    `SELECT t.table_id, t.schema_id, t.table_name, t.path, t.path_is_relative, s.schema_name, s.path AS schema_path, s.path_is_relative AS schema_rel
     FROM ducklake_table t JOIN ducklake_schema s ON s.schema_id = t.schema_id AND ${visible('s')}
     WHERE ${visible('t')} ORDER BY t.table_id`,
    [s, s, s, s],
  );
  const columns = await readRows(
    connection,
    `SELECT table_id, column_id, column_name, column_type, initial_default, nulls_allowed, parent_column FROM ducklake_column
     WHERE ${VISIBLE} ORDER BY table_id, parent_column NULLS FIRST, column_order`,
    [s, s],
  );
  const partitions = await readRows(
    connection,
    `SELECT i.partition_id, i.table_id, (${visible('i')}) AS current,
            c.partition_key_index, c.column_id, c.transform
     FROM ducklake_partition_info i JOIN ducklake_partition_column c USING (partition_id, table_id)
     ORDER BY i.partition_id, c.partition_key_index`,
    [s, s],
  );
  const columnsByTable = buildColumnTrees(columns);
  const result: LakeTable[] = [];
  for (const row of tables) {
    const tableId = toNumber(row.table_id) ?? -1;
    const schema = {
      name: toText(row.schema_name) ?? '',
      path: asDirectory(joinLakePath(dataPath, toText(row.schema_path), row.schema_rel as boolean | null)),
    };
    const specs = new Map<number, PartitionKeyInfo[]>();
    let current: number | null = null;
    for (const p of partitions) {
      if (toNumber(p.table_id) !== tableId) continue;
      const partitionId = toNumber(p.partition_id) ?? -1;
      if (p.current === true) current = partitionId;
      const keys = specs.get(partitionId) ?? [];
      keys.push({ index: toNumber(p.partition_key_index) ?? 0, columnId: toNumber(p.column_id) ?? -1, transform: toText(p.transform) ?? '' });
      specs.set(partitionId, keys);
    }
    result.push({
      tableId,
      schemaId: toNumber(row.schema_id) ?? -1,
      schemaName: schema.name,
      tableName: toText(row.table_name) ?? '',
      path: asDirectory(joinLakePath(schema.path, toText(row.path), row.path_is_relative as boolean | null)),
      columns: columnsByTable.get(tableId) ?? [],
      partitionId: current,
      partitionSpecs: specs,
    });
  }
  return result;
}

function buildColumnTrees(rows: ReadRow[]): Map<number, LakeColumn[]> {
  const byTable = new Map<number, LakeColumn[]>();
  const byKey = new Map<string, LakeColumn>();
  // Rows come parents first (parent_column NULLS FIRST); a child whose parent comes later
  // is attached in a second pass so the order of the query cannot lose it.
  const pending: { tableId: number; parent: number; column: LakeColumn }[] = [];
  for (const row of rows) {
    const tableId = toNumber(row.table_id) ?? -1;
    const column: LakeColumn = {
      id: toNumber(row.column_id) ?? -1,
      name: toText(row.column_name) ?? '',
      type: toText(row.column_type) ?? '',
      initialDefault: toText(row.initial_default),
      nullable: row.nulls_allowed !== false,
      children: [],
    };
    byKey.set(`${tableId}:${column.id}`, column);
    const parent = toNumber(row.parent_column);
    if (parent === null) {
      const list = byTable.get(tableId) ?? [];
      list.push(column);
      byTable.set(tableId, list);
    } else {
      pending.push({ tableId, parent, column });
    }
  }
  for (const { tableId, parent, column } of pending) byKey.get(`${tableId}:${parent}`)?.children.push(column);
  return byTable;
}
