import { listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { readColumns, toNumber, toText } from './rows.ts';
import { joinLakePath, type LakeTable } from './tables.ts';

/** ColumnStats are one file's bounds for one leaf column, as text (DuckLake §8). */
export interface ColumnStats {
  min: string | null;
  max: string | null;
  nullCount: number | null;
  /** Non-NULL values (what the extension writes). */
  valueCount: number | null;
  containsNan: boolean | null;
}

/** LakeDeleteFile is the delete file that masks rows of one data file at the snapshot. */
export interface LakeDeleteFile {
  id: number;
  path: string;
  sizeBytes: number;
  format: string;
  deleteCount: number;
}

/** LakeDataFile is one data file visible at a snapshot, with its stats and partition values. */
export interface LakeDataFile {
  id: number;
  /** Full path: data_path + schema path + table path + file path (DuckLake §6). */
  path: string;
  recordCount: number;
  sizeBytes: number;
  partitionId: number | null;
  partialMax: number | null;
  mappingId: number | null;
  /** Transformed key values by partition_key_index; null entries are NULL keys. */
  partitionValues: (string | null)[];
  stats: Map<number, ColumnStats>;
  deleteFile: LakeDeleteFile | null;
}

/**
 * PartitionValueFilter keeps only files whose value for one partition key is in `values`
 * (or NULL when `allowNull`). It is a pre-filter that pruning later re-checks exactly.
 */
export interface PartitionValueFilter {
  keyIndex: number;
  values: readonly string[];
  allowNull: boolean;
}

/** ReadFilesOptions narrow what is read: stats of these column ids only (default all), files passing these key filters only. */
export interface ReadFilesOptions {
  statsColumnIds?: readonly number[];
  partitionFilters?: readonly PartitionValueFilter[];
}

const VISIBLE = (alias: string): string =>
  `? >= ${alias}.begin_snapshot AND (${alias}.end_snapshot IS NULL OR ? < ${alias}.end_snapshot)`;

/**
 * readFiles lists the data files of one table visible at snapshot S, each with its
 * visible delete file (DuckLake §7.2), its column stats and its partition values, in
 * three catalog queries whatever the file count (catalog reads only). A partition key
 * with a filter is joined through it, so only the files of surviving partitions are
 * read; the delete files and stats are narrowed by the same filters.
 */
export async function readFiles(
  connection: DuckDBConnection,
  snapshotId: number,
  table: LakeTable,
  options: ReadFilesOptions = {},
): Promise<LakeDataFile[]> {
  const s = BigInt(snapshotId);
  const t = BigInt(table.tableId);
  const filters = options.partitionFilters ?? [];
  // Partition values ride along as one join per key index (a handful at most).
  const keyCount = Math.max(0, ...[...table.partitionSpecs.values()].map((spec) => spec.length));
  const keyColumns: string[] = [];
  const keyJoins: string[] = [];
  const keyParams: DuckDBValue[] = [];
  for (let k = 0; k < keyCount; k += 1) {
    const filter = filters.find((f) => f.keyIndex === k);
    keyColumns.push(`, p${k}.partition_value AS pv${k}, p${k}.data_file_id IS NOT NULL AS has${k}`);
    const values = filter ? keyFilter(filter) : undefined;
    keyJoins.push(`${values ? 'JOIN' : 'LEFT JOIN'} (SELECT data_file_id, partition_value FROM ducklake_file_partition_value
      WHERE table_id = ? AND partition_key_index = ${k}${values?.sql ?? ''}) p${k} ON p${k}.data_file_id = d.data_file_id`);
    keyParams.push(t, ...(values?.params ?? []));
  }
  const files = await readColumns(
    connection,
    `SELECT d.data_file_id, d.path, d.path_is_relative, d.record_count, d.file_size_bytes, d.partition_id, d.partial_max, d.mapping_id${keyColumns.join('')}
     FROM ducklake_data_file d ${keyJoins.join(' ')}
     WHERE d.table_id = ? AND ${VISIBLE('d')}
     ORDER BY d.file_order NULLS LAST, d.data_file_id`,
    [...keyParams, t, s, s],
  );
  const ids = files.data_file_id ?? [];
  const result: LakeDataFile[] = new Array<LakeDataFile>(ids.length);
  const index = new Map<number, LakeDataFile>();
  for (let i = 0; i < ids.length; i += 1) {
    const file: LakeDataFile = {
      id: toNumber(ids[i]) ?? -1,
      path: joinLakePath(table.path, toText(files.path?.[i]), files.path_is_relative?.[i] as boolean | null),
      recordCount: toNumber(files.record_count?.[i]) ?? 0,
      sizeBytes: toNumber(files.file_size_bytes?.[i]) ?? 0,
      partitionId: toNumber(files.partition_id?.[i]),
      partialMax: toNumber(files.partial_max?.[i]),
      mappingId: toNumber(files.mapping_id?.[i]),
      partitionValues: [],
      stats: new Map(),
      deleteFile: null,
    };
    // A key without a row stays a hole (unknown); a row with NULL is a NULL key.
    for (let k = 0; k < keyCount; k += 1) if (files[`has${k}`]?.[i] === true) file.partitionValues[k] = toText(files[`pv${k}`]?.[i]);
    result[i] = file;
    index.set(file.id, file);
  }
  if (result.length === 0) return result;
  // With partition filters, deletes and stats are narrowed by the same semi-joins on the
  // (small) partition-value table; rows of files not listed are ignored below. Without
  // them, the visibility semi-join narrows to the listed files.
  const scope = filters.length > 0 ? buildFileFilter(t, filters) : {
    sql: ` AND x.data_file_id IN (SELECT d.data_file_id FROM ducklake_data_file d WHERE d.table_id = ? AND ${VISIBLE('d')})`,
    params: [t, s, s],
  };
  await attachDeletes(connection, t, s, table, index, scope);
  if (options.statsColumnIds === undefined || options.statsColumnIds.length > 0) {
    await attachStats(connection, t, index, options.statsColumnIds, scope);
  }
  return result;
}

interface FileFilter {
  sql: string;
  params: DuckDBValue[];
}

/** keyFilter renders one key's value filter on `partition_value`, values bound (pure). */
function keyFilter(filter: PartitionValueFilter): FileFilter {
  return {
    sql: ' AND (list_contains(?::VARCHAR[], partition_value) OR (? AND partition_value IS NULL))',
    params: [listValue([...filter.values]), filter.allowNull],
  };
}

/** buildFileFilter renders the partition pre-filters as semi-joins on alias `x`, values bound (pure). */
function buildFileFilter(t: bigint, filters: readonly PartitionValueFilter[]): FileFilter {
  let sql = '';
  const params: DuckDBValue[] = [];
  for (const filter of filters) {
    const values = keyFilter(filter);
    sql += ` AND x.data_file_id IN (SELECT data_file_id FROM ducklake_file_partition_value WHERE table_id = ? AND partition_key_index = ?${values.sql})`;
    params.push(t, BigInt(filter.keyIndex), ...values.params);
  }
  return { sql, params };
}

/**
 * attachDeletes sets each listed file's visible delete file (one query; a table without
 * deletes answers from an empty scan instead of a join over every listed file).
 */
async function attachDeletes(connection: DuckDBConnection, t: bigint, s: bigint, table: LakeTable, index: Map<number, LakeDataFile>, scope: FileFilter): Promise<void> {
  const rows = await readColumns(
    connection,
    `SELECT x.data_file_id, x.delete_file_id, x.path, x.path_is_relative, x.format, x.delete_count, x.file_size_bytes
     FROM ducklake_delete_file x WHERE x.table_id = ? AND ${VISIBLE('x')}${scope.sql}`,
    [t, s, s, ...scope.params],
  );
  const fileIds = rows.data_file_id ?? [];
  for (let i = 0; i < fileIds.length; i += 1) {
    const file = index.get(toNumber(fileIds[i]) ?? -1);
    if (!file) continue;
    file.deleteFile = {
      id: toNumber(rows.delete_file_id?.[i]) ?? -1,
      path: joinLakePath(table.path, toText(rows.path?.[i]), rows.path_is_relative?.[i] as boolean | null),
      sizeBytes: toNumber(rows.file_size_bytes?.[i]) ?? 0,
      format: toText(rows.format?.[i]) ?? 'parquet',
      deleteCount: toNumber(rows.delete_count?.[i]) ?? 0,
    };
  }
}

async function attachStats(
  connection: DuckDBConnection,
  t: bigint,
  index: Map<number, LakeDataFile>,
  columnIds: readonly number[] | undefined,
  scope: FileFilter,
): Promise<void> {
  const filter = columnIds === undefined ? '' : ' AND list_contains(?::BIGINT[], x.column_id)';
  const params: DuckDBValue[] = columnIds === undefined ? [t] : [t, listValue(columnIds.map((id) => BigInt(id)))];
  params.push(...scope.params);
  const stats = await readColumns(
    connection,
    `SELECT x.data_file_id, x.column_id, x.min_value, x.max_value, x.null_count, x.value_count, x.contains_nan
     FROM ducklake_file_column_stats x WHERE x.table_id = ?${filter}${scope.sql}`,
    params,
  );
  const fileIds = stats.data_file_id ?? [];
  for (let i = 0; i < fileIds.length; i += 1) {
    const file = index.get(toNumber(fileIds[i]) ?? -1);
    const columnId = toNumber(stats.column_id?.[i]);
    if (!file || columnId === null) continue;
    file.stats.set(columnId, {
      min: toText(stats.min_value?.[i]),
      max: toText(stats.max_value?.[i]),
      nullCount: toNumber(stats.null_count?.[i]),
      valueCount: toNumber(stats.value_count?.[i]),
      containsNan: (stats.contains_nan?.[i] as boolean | null | undefined) ?? null,
    });
  }
}
